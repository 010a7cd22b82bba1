"""Parameter sweeps (docs/sweeps.md): read a sweep file, draw a metric over two parameters, and estimate
first-order and total Sobol indices of a Saltelli sweep with bootstrap intervals.

``/usr/bin/python3 -m analysis sweep SWEEP.h5 [-o FIGURE]``
"""

from dataclasses import dataclass, field
import math
import os
import sys

import h5py
import numpy as np

from .results import ResultsError, _plain, checked, damaged

FORMAT = "groundswell-sweep"
#: Per-trial metrics summarized at every point (MODEL.md 7).
METRICS = ("final_internalized", "final_adopted", "t50_internalized", "t50", "peak_compliance", "peak_resistance",
           "departments_internalized", "departments_reached")
#: Times to 50%: censored (NaN per trial where not reached); their other statistics are over the trials
#: that reached 50% only, so read them with "reached".
CENSORED = ("t50_internalized", "t50")
#: Statistics over a point's trials: mean, standard deviation, the stored quantiles, and for the times
#: to 50% the share of trials that reached 50%.
STATS = ("mean", "sd", "q05", "q25", "median", "q75", "q95", "reached")
_QUANTILE_STATS = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


@dataclass
class Parameter:
    """One swept parameter: its name ("champions.count"), kind (real, integer, levels) and range or levels."""

    name: str
    kind: str
    min: float
    max: float
    labels: list = None  # levels: each value as written in the scenario file
    levels: np.ndarray = None  # levels: what the table of points holds for each value
    numeric: bool = True  # levels: every value is a number

    def label(self, value):
        """A table value as text: the level as written, or the number."""
        if self.labels is not None:
            hit = np.flatnonzero(self.levels == value)
            if hit.size:
                return self.labels[int(hit[0])]
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:g}"


@dataclass
class Sweep:
    """A sweep file: its attributes, parameters, table of points and per-point summaries of every scenario."""

    path: str
    attrs: dict
    parameters: list
    index: np.ndarray  # [n] sweep point of each row
    values: np.ndarray  # [n, d] parameter values (level positions for non-numeric levels)
    scenarios: list
    quantiles: np.ndarray
    summaries: dict = field(repr=False)  # (scenario, metric) -> {"mean", "sd", "quantiles", "trials", ["reached"]}

    @property
    def design(self):
        return str(self.attrs["design"])

    @property
    def points_total(self):
        return int(self.attrs["points_total"])

    @property
    def complete(self):
        return self.index.size == self.points_total

    def parameter(self, name):
        """(column, Parameter) of a parameter name."""
        for j, p in enumerate(self.parameters):
            if p.name == name:
                return j, p
        raise ResultsError(f"no parameter {name!r} in {self.path}; it has: {', '.join(p.name for p in self.parameters)}")

    def scenario(self, name=None):
        if name is None:
            return self.scenarios[0]
        if name not in self.scenarios:
            raise ResultsError(f"no scenario {name!r} in {self.path}; it has: {', '.join(self.scenarios)}")
        return name

    def metric(self, scenario, metric="final_adopted", stat="mean"):
        """A statistic of a metric over each point's trials, one value per row of the table of points."""
        if metric not in METRICS:
            raise ResultsError(f"unknown metric {metric!r}; use one of: {', '.join(METRICS)}")
        key = (self.scenario(scenario), metric)
        if key not in self.summaries:
            raise ResultsError(f"{self.path} was written before model v2 and has no {metric}; re-run the sweep")
        s = self.summaries[key]
        if stat in ("mean", "sd"):
            return s[stat]
        if stat == "reached":
            if metric not in CENSORED:
                raise ResultsError(f"--stat reached applies to the times to 50% only ({', '.join(CENSORED)})")
            return s["reached"]
        if stat in _QUANTILE_STATS:
            q = np.flatnonzero(np.isclose(self.quantiles, _QUANTILE_STATS[stat]))
            if not q.size:
                raise ResultsError(f"{self.path} has no {stat} quantile")
            return s["quantiles"][:, int(q[0])]
        raise ResultsError(f"unknown statistic {stat!r}; use one of: {', '.join(STATS)}")


def load_sweep(path):
    """Read and check a sweep file; raise ResultsError with a one-line reason if it is unusable."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ResultsError(f"{path}: no such file")
    try:
        if not h5py.is_hdf5(path):
            raise ResultsError(f"{path}: not an HDF5 file (expected a sweep file written by 'groundswell sweep')")
        with h5py.File(path, "r") as f:
            return _read(path, f)
    except ResultsError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError, AttributeError) as e:
        raise damaged(path, f"cannot read it ({e})", "sweep") from None


def _read(path, f):
    attrs = {k: _plain(v) for k, v in f.attrs.items()}
    if attrs.get("format") != FORMAT:
        hint = " (a results file of 'groundswell run': use the other analysis commands)" \
            if attrs.get("format") == "groundswell-results" else ""
        raise ResultsError(f"{path}: not a Groundswell sweep file (format is {attrs.get('format', 'missing')!r}){hint}")
    for key in ("parameters", "scenarios", "trials", "steps"):
        if key not in attrs:
            raise damaged(path, f"missing root attribute {key}", "sweep")
    trials, T1 = int(attrs["trials"]), int(attrs["steps"]) + 1
    names = [n for n in str(attrs["parameters"]).split(",") if n]
    parameters = []
    for name in names:
        g = f.get(f"parameters/{name}")
        if not isinstance(g, h5py.Group):
            raise damaged(path, f"missing group /parameters/{name}", "sweep")
        a = {k: _plain(v) for k, v in g.attrs.items()}
        p = Parameter(name=name, kind=str(a["kind"]), min=float(a["min"]), max=float(a["max"]))
        if p.kind == "levels":
            p.labels = [x.decode() if isinstance(x, bytes) else str(x) for x in g["labels"][()]]
            p.levels = checked(path, g, f"parameters/{name}", "levels", (len(p.labels),), "sweep")
            p.numeric = bool(a.get("numeric", 1))
        parameters.append(p)
    index = checked(path, f, "", "points/index", (None,), "sweep").astype(np.int64)
    n = index.size
    values = checked(path, f, "", "points/values", (n, len(parameters)), "sweep")
    quantiles = checked(path, f, "", "quantiles", (None,), "sweep")
    Q = quantiles.size
    scenarios = [n for n in str(attrs["scenarios"]).split(",") if n]
    summaries = {}
    version = int(attrs.get("format_version", 1))
    shapes = {"mean": (n,), "sd": (n,), "quantiles": (n, Q), "trials": (n, trials), "reached": (n,)}
    for s in scenarios:
        for m in METRICS:
            if f"scenarios/{s}/metrics/{m}" not in f:
                if version < 2:  # written before model v2: no internalized times or departments
                    continue
                raise damaged(path, f"no /scenarios/{s}/metrics/{m}", "sweep")
            where = f"scenarios/{s}/metrics/{m}"
            g = f[where]
            keys = ("mean", "sd", "quantiles", "trials") + (("reached",) if m in CENSORED else ())
            summaries[(s, m)] = {k: checked(path, g, where, k, shapes[k], "sweep") for k in keys}
            if m in CENSORED:
                trials_ = summaries[(s, m)]["trials"].astype(np.float64)
                trials_[trials_ < 0] = np.nan  # format 1 stored -1 for "not reached"
                summaries[(s, m)]["trials"] = trials_
        for c in ("N", "C", "A", "R"):
            where = f"scenarios/{s}/curves/{c}"
            if where in f:
                checked(path, f[where], where, "mean", (n, T1), "sweep")
    return Sweep(path=path, attrs=attrs, parameters=parameters, index=index, values=values, scenarios=scenarios,
                 quantiles=quantiles, summaries=summaries)


def read_curve(sweep, scenario, curve="A", stat="mean"):
    """A curve summary of every point: [n, steps + 1] ("mean") or [n, quantiles, steps + 1] ("quantiles")."""
    where = f"scenarios/{sweep.scenario(scenario)}/curves/{curve}"
    T1 = int(sweep.attrs["steps"]) + 1
    shape = (sweep.index.size, T1) if stat == "mean" else (sweep.index.size, sweep.quantiles.size, T1)
    try:
        with h5py.File(sweep.path, "r") as f:
            return checked(sweep.path, f.get(where), where, stat, shape, "sweep")
    except OSError as e:
        raise damaged(sweep.path, f"cannot read /{where}/{stat} ({e})", "sweep") from None


# --- Sobol indices ---------------------------------------------------------------------------------------------


def ishigami(x, a=7.0, b=0.1):
    """The Ishigami function on [-pi, pi]^3 (Ishigami and Homma 1990), a standard test of Sobol estimators.

    Known indices for a = 7, b = 0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    """
    x = np.asarray(x, dtype=np.float64)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _sobol_point_estimates(Y, d):
    """First-order and total indices from rows of d + 2 outputs (A, AB^1..AB^d, B)."""
    # Centring on the mean over A and B leaves the estimators' expectations unchanged (E[f(AB^i) - f(A)] = 0)
    # and removes the variance that a large mean adds to the first-order estimator.
    Y = Y - np.mean(np.concatenate([Y[:, 0], Y[:, d + 1]]))
    fA, fB, fAB = Y[:, 0], Y[:, d + 1], Y[:, 1:d + 1]
    V = np.var(np.concatenate([fA, fB]))
    if not V > 0:
        return np.full(d, np.nan), np.full(d, np.nan)
    S1 = np.mean(fB[:, None] * (fAB - fA[:, None]), axis=0) / V  # Saltelli et al. 2010, Table 2 (b)
    ST = 0.5 * np.mean((fA[:, None] - fAB) ** 2, axis=0) / V  # Jansen 1999; Saltelli et al. 2010, Table 2 (f)
    return S1, ST


def sobol_indices(y, d, n_boot=1000, seed=0, level=0.95):
    """First-order (S1) and total (ST) Sobol indices from the outputs of a Saltelli design, in point order.

    y: one output per point, N (d + 2) of them, row j of the base sample giving the d + 2 consecutive points
    A_j, AB_j^1, ..., AB_j^d, B_j (docs/sweeps.md). Estimators of Saltelli et al. (2010,
    doi:10.1016/j.cpc.2009.09.018): S1_i = mean(f(B) (f(AB^i) - f(A))) / V and ST_i = mean((f(A) - f(AB^i))^2) / (2V),
    V the variance of f over A and B, with f centred on its mean over A and B. Intervals: percentile bootstrap over the N base rows. Returns a dict of
    arrays S1, S1_low, S1_high, ST, ST_low, ST_high (length d) and S1_se, ST_se (bootstrap standard errors).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size % (d + 2) or y.size < 2 * (d + 2):
        raise ResultsError(f"a Saltelli design of {d} parameters has N ({d} + 2) points with N >= 2, got {y.size}")
    if not np.all(np.isfinite(y)):
        raise ResultsError("the output has missing values (NaN) at some points; choose another metric or statistic")
    Y = y.reshape(-1, d + 2)
    S1, ST = _sobol_point_estimates(Y, d)
    rng = np.random.default_rng(seed)
    boot1, bootT = np.empty((n_boot, d)), np.empty((n_boot, d))
    for b in range(n_boot):
        rows = rng.integers(0, Y.shape[0], Y.shape[0])
        boot1[b], bootT[b] = _sobol_point_estimates(Y[rows], d)
    tail = 100 * (1 - level) / 2
    lo1, hi1 = np.nanpercentile(boot1, [tail, 100 - tail], axis=0)
    loT, hiT = np.nanpercentile(bootT, [tail, 100 - tail], axis=0)
    return {"S1": S1, "S1_low": lo1, "S1_high": hi1, "ST": ST, "ST_low": loT, "ST_high": hiT,
            "S1_se": np.nanstd(boot1, axis=0, ddof=1), "ST_se": np.nanstd(bootT, axis=0, ddof=1)}


def sweep_sobol(sweep, scenario=None, metric="final_adopted", stat="mean", n_boot=1000, seed=0):
    """Sobol indices of a statistic of a metric over the parameters of a complete Saltelli sweep."""
    if sweep.design != "saltelli":
        raise ResultsError(f"{sweep.path}: Sobol indices need a saltelli design; this sweep's design is {sweep.design!r}")
    if not sweep.complete:
        raise ResultsError(f"{sweep.path}: holds {sweep.index.size} of {sweep.points_total} points; merge the shards "
                           "or resume the sweep first (every base row needs its d + 2 points)")
    return sobol_indices(sweep.metric(scenario, metric, stat), len(sweep.parameters), n_boot, seed)


def format_sobol(sweep, table, scenario, metric, stat, n_boot, seed):
    d = len(sweep.parameters)
    n = sweep.index.size // (d + 2)
    lines = [f"Sobol indices of {metric} ({stat} over {int(sweep.attrs['trials'])} trials per point), scenario "
             f"{sweep.scenario(scenario)}: N = {n} base rows, {sweep.index.size} points; 95% percentile bootstrap "
             f"intervals over the base rows ({n_boot} resamples, seed {seed})"]
    width = max(9, *(len(p.name) for p in sweep.parameters))
    lines.append(f"{'parameter':<{width}}  {'first-order S1':<24}  {'total ST':<24}")
    for j, p in enumerate(sweep.parameters):
        s1 = f"{table['S1'][j]:6.3f} [{table['S1_low'][j]:6.3f},{table['S1_high'][j]:6.3f}]"
        st = f"{table['ST'][j]:6.3f} [{table['ST_low'][j]:6.3f},{table['ST_high'][j]:6.3f}]"
        lines.append(f"{p.name:<{width}}  {s1:<24}  {st:<24}")
    lines.append(f"sum of S1 = {np.nansum(table['S1']):.3f} (1 - sum = share of variance from interactions and "
                 "Monte Carlo noise of the point means)")
    return "\n".join(lines) + "\n"


# --- grids and figures ----------------------------------------------------------------------------------------


def _fixed_mask(sweep, at):
    """Rows where every parameter named in `at` ({name: text}) has that value (as labelled)."""
    keep = np.ones(sweep.index.size, dtype=bool)
    for name, text in at.items():
        j, p = sweep.parameter(name)
        labels = np.array([p.label(v) for v in sweep.values[:, j]])
        if not np.any(labels == text):
            raise ResultsError(f"--at {name}={text}: no point has that value; values: {', '.join(dict.fromkeys(labels))}")
        keep &= labels == text
    return keep


def grid_table(sweep, z, x, y=None, at=None):
    """A metric on the grid of x (and y): (x values, y values or [None], Z [ny, nx]).

    Rows are restricted by `at`; over other parameters the metric is averaged (a marginal mean).
    """
    keep = _fixed_mask(sweep, at or {})
    jx, px = sweep.parameter(x)
    xs = np.unique(sweep.values[keep, jx])
    if y is None:
        ys, jy = [None], None
    else:
        jy, _ = sweep.parameter(y)
        ys = np.unique(sweep.values[keep, jy])
    Z = np.full((len(ys), len(xs)), np.nan)
    for a, yv in enumerate(ys):
        for b, xv in enumerate(xs):
            rows = keep & (sweep.values[:, jx] == xv)
            if jy is not None:
                rows &= sweep.values[:, jy] == yv
            vals = z[rows]
            vals = vals[np.isfinite(vals)]
            if vals.size:
                Z[a, b] = vals.mean()
    return xs, ys, Z


def _figure(**kw):
    from .plots import _figure as figure
    return figure(**kw)


#: Axis words and unit of the keys a sweep most often varies: the unit field of the parameter table
#: (`groundswell parameters`, docs/model.md), a step read as a week (the scenarios' `experiment.steps` are weeks).
PARAMETER_WORDS = {
    "champions.count": ("champions", "agents"),
    "mandate.half_life": ("mandate half-life", "weeks"),
    "mandate.start": ("mandate issued at", "week"),
    "mandate.intensity": ("mandate intensity at the start", ""),
    "mandate.levels": ("mandating levels", "levels"),
    "formalization.at": ("formalization at adopted share", "share"),
    "formalization.pressure": ("pressure after formalization", ""),
    "organization.size": ("organization size", "agents"),
    "organization.span": ("span of control", "agents"),
    "organization.advisors": ("advisor candidates per agent", "agents"),
    "organization.cross_department": ("cross-department advisor probability", "probability"),
    "organization.mean_degree": ("mean degree", "ties"),
    "organization.rewire": ("rewiring probability", "probability"),
    "organization.departments": ("departments", "departments"),
    "agents.initial_resisters": ("initial resisters", "probability"),
    "agents.threshold_mean": ("mean threshold", "share"),
    "agents.threshold_sd": ("threshold standard deviation", "share"),
    "sdt.beta0": ("spontaneous adoption rate", "per week"),
    "sdt.beta_s": ("adoption rate from social pull", "per week"),
    "sdt.beta_p": ("compliance rate under pressure", "per week"),
    "sdt.rho_p": ("reactance to pressure", "per week"),
    "sdt.rho_s": ("resistance from negative push", "per week"),
    "sdt.kappa_i": ("internalization rate C to A", "per week"),
    "sdt.lambda_l": ("lapse rate C to N", "per week"),
    "sdt.lambda_a": ("abandonment rate A to N", "per week"),
    "sdt.lambda_r": ("softening rate R to N", "per week"),
    "sdt.lambda_b": ("champion burnout rate", "per week"),
    "sdt.gamma_c": ("exposure value of a complier", ""),
    "sdt.gamma_r": ("exposure value of a resister", ""),
    "sdt.tau": ("threshold softness", ""),
    "bass.p": ("Bass innovation coefficient p", "per week"),
    "bass.q": ("Bass imitation coefficient q", "per week"),
}

#: Words of the metrics (MODEL.md 7: internalized = A, adopted = A + C).
METRIC_WORDS = {
    "final_internalized": "internalized share at the end (A)",
    "final_adopted": "adopted share at the end (A + C)",
    "t50_internalized": "week of 50% internalized (A)",
    "t50": "week of 50% adopted (A + C)",
    "peak_compliance": "peak complying share (C)",
    "peak_resistance": "peak resisting share (R)",
    "departments_internalized": "departments with 50% internalized (A)",
    "departments_reached": "departments with 50% adopted (A + C)",
}
_STAT_WORDS = {"mean": "mean", "sd": "standard deviation", "q05": "5th percentile", "q25": "25th percentile",
               "median": "median", "q75": "75th percentile", "q95": "95th percentile", "reached": "share reached"}


def parameter_label(name):
    """A parameter's axis words with its unit: "mandate half-life (weeks)"; the key itself when not in the table."""
    words, unit = PARAMETER_WORDS.get(name, (name, ""))
    return f"{words} ({unit})" if unit else words


def _value_words(name, text):
    """A parameter at a value in words: "mandate half-life = 13 weeks", "... = sustained (inf)"."""
    words, unit = PARAMETER_WORDS.get(name, (name, ""))
    if text in ("inf", "-inf"):
        return f"{words} = {'sustained' if name == 'mandate.half_life' else text}"
    return f"{words} = {text} {unit}".strip()


def _tick_words(name, text):
    """A tick of a parameter axis: the value, with a mandate that never decays said in words."""
    return "sustained" if name == "mandate.half_life" and text == "inf" else text


def _metric_label(metric, stat):
    return f"{METRIC_WORDS.get(metric, metric)}, {_STAT_WORDS.get(stat, stat)} over trials"


def default_metric(sweep):
    """final_internalized (MODEL.md 7: internalized leads) when the file has it, else final_adopted (format 1)."""
    return "final_internalized" if any(m == "final_internalized" for _, m in sweep.summaries) else "final_adopted"


def _t975(df):
    """The 97.5% quantile of Student's t with df degrees of freedom (1.96 for large df)."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:  # pragma: no cover
        return 1.96


def mean_interval(values):
    """(mean, half-width of its 95% t interval, trials) of the finite values; half-width NaN below two trials."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan, 0
    if v.size < 2:
        return float(v.mean()), math.nan, 1
    return float(v.mean()), _t975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size), int(v.size)


def grid_intervals(sweep, scenario, metric, x, y=None, at=None):
    """Per cell of the grid of x (and y): the mean of every trial of the cell's points, the half-width of its 95%
    t interval and the number of trials (finite values: the times to 50% count the trials that reached it).
    Arrays [ny, nx] as grid_table's Z; a cell averaged over other parameters pools their trials."""
    sweep.metric(scenario, metric)  # an unknown metric, or one the file lacks: the one-line error
    trials = sweep.summaries[(sweep.scenario(scenario), metric)]["trials"]
    keep = _fixed_mask(sweep, at or {})
    jx, _ = sweep.parameter(x)
    xs = np.unique(sweep.values[keep, jx])
    jy = sweep.parameter(y)[0] if y else None
    ys = np.unique(sweep.values[keep, jy]) if y else [None]
    M, H, N = (np.full((len(ys), len(xs)), np.nan) for _ in range(3))
    for a, yv in enumerate(ys):
        for b, xv in enumerate(xs):
            rows = keep & (sweep.values[:, jx] == xv)
            if jy is not None:
                rows &= sweep.values[:, jy] == yv
            M[a, b], H[a, b], N[a, b] = mean_interval(trials[rows].ravel())
    return M, H, N


def _trials_text(N):
    n = N[N > 0]
    if not n.size:
        return "no trials"
    lo, hi = int(n.min()), int(n.max())
    return f"{lo} trials per cell" if lo == hi else f"{lo}-{hi} trials per cell"


def _decimals(finite):
    """Decimals for cell values: 2 for shares and small numbers, 0 for weeks and counts above 10."""
    return 0 if finite.size and np.nanmax(np.abs(finite)) >= 10 else 2


def heatmap_figure(sweep, scenario, metric, stat, x, y, at=None):
    """A metric over a grid of two parameters: one cell per pair of values, annotated with the value and, for
    the mean, the half-width of its 95% interval; the trials per cell in the title."""
    z = sweep.metric(scenario, metric, stat)
    xs, ys, Z = grid_table(sweep, z, x, y, at)
    M, H, N = grid_intervals(sweep, scenario, metric, x, y, at)
    _, px = sweep.parameter(x)
    _, py = sweep.parameter(y)
    fig = _figure(figsize=(12, 9), layout="constrained")
    ax = fig.subplots()
    im = ax.imshow(Z, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [_tick_words(x, px.label(v)) for v in xs])
    ax.set_yticks(range(len(ys)), [_tick_words(y, py.label(v)) for v in ys])
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    finite = Z[np.isfinite(Z)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0
    dec = _decimals(finite)
    with_ci = stat == "mean"
    if Z.size <= 400:
        for a in range(Z.shape[0]):
            for b in range(Z.shape[1]):
                if np.isfinite(Z[a, b]):
                    text = f"{Z[a, b]:.{dec}f}"
                    if with_ci and np.isfinite(H[a, b]):
                        text += f"\n\u00b1{H[a, b]:.{dec}f}"
                    ax.text(b, a, text, ha="center", va="center", fontsize=12,
                            color="black" if Z[a, b] > mid else "white")
    fig.colorbar(im, ax=ax, label=_metric_label(metric, stat))
    how = f"{_STAT_WORDS.get(stat, stat)} of {_trials_text(N)}"
    if with_ci:
        how += "; \u00b1 = half-width of the 95% interval of the mean"
    ax.set_title(f"{sweep.scenario(scenario)}: {METRIC_WORDS.get(metric, metric)}\n{how}", fontsize=17)
    return fig


def response_figure(sweep, scenario, metric, x, y=None, at=None):
    """Response curves: the metric's mean over x with the 95% confidence band of the mean, one line per value
    of y."""
    fig = _figure(figsize=(12, 7.5), layout="constrained")
    ax = fig.subplots()
    _, px = sweep.parameter(x)
    from .plots import PALETTE
    M, H, N = grid_intervals(sweep, scenario, metric, x, y, at)
    xs, ys, _ = grid_table(sweep, sweep.metric(scenario, metric, "mean"), x, y, at)
    numeric = px.numeric and np.all(np.isfinite(xs))
    pos = xs if numeric else np.arange(len(xs))
    py = sweep.parameter(y)[1] if y else None
    for a, yv in enumerate(ys):
        color = PALETTE[a % len(PALETTE)]
        label = _value_words(y, py.label(yv)) if y else "mean"
        half = np.nan_to_num(H[a], nan=0.0)
        ax.fill_between(pos, M[a] - half, M[a] + half, color=color, alpha=0.2, linewidth=0)
        ax.plot(pos, M[a], marker="o", color=color, linewidth=3, label=label)
    if not numeric:
        ax.set_xticks(pos, [px.label(v) for v in xs])
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(_metric_label(metric, "mean"))
    ax.set_title(f"{sweep.scenario(scenario)}: {METRIC_WORDS.get(metric, metric)}\n"
                 f"mean of {_trials_text(N).replace('cell', 'point')}; band: 95% confidence interval of the mean", fontsize=17)
    from matplotlib.patches import Patch
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(color="0.6", alpha=0.4, label="band: 95% CI of the mean"))
    ax.legend(handles=handles, frameon=False, title=None if y else None)
    return fig


def scatter_figure(sweep, scenario, metric, stat, x, y):
    """A metric over two parameters of a sampled (lhs or saltelli) design: one dot per point."""
    z = sweep.metric(scenario, metric, stat)
    jx, _ = sweep.parameter(x)
    jy, _ = sweep.parameter(y)
    fig = _figure(figsize=(11, 8.5), layout="constrained")
    ax = fig.subplots()
    sc = ax.scatter(sweep.values[:, jx], sweep.values[:, jy], c=z, cmap="viridis", s=60)
    fig.colorbar(sc, ax=ax, label=_metric_label(metric, stat))
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    ax.set_title(f"{sweep.scenario(scenario)}: {METRIC_WORDS.get(metric, metric)}\n"
                 f"{_STAT_WORDS.get(stat, stat)} of {int(sweep.attrs['trials'])} trials per point", fontsize=17)
    return fig


def sobol_figure(sweep, table, scenario, metric):
    """First-order and total indices per parameter with their bootstrap intervals."""
    d = len(sweep.parameters)
    fig = _figure(figsize=(max(9, 2.2 * d + 4), 7), layout="constrained")
    ax = fig.subplots()
    pos = np.arange(d)
    for k, (key, label, color) in enumerate((("S1", "first-order S1", "#0072B2"), ("ST", "total ST", "#E69F00"))):
        v = table[key]
        err = np.vstack([v - table[f"{key}_low"], table[f"{key}_high"] - v])
        ax.bar(pos + (k - 0.5) * 0.38, v, width=0.38, color=color, label=label, yerr=np.clip(err, 0, None), capsize=6)
    import textwrap
    words = [PARAMETER_WORDS.get(p.name, (p.name,))[0] for p in sweep.parameters]
    ax.set_xticks(pos, [textwrap.fill(w, 16, break_on_hyphens=False) for w in words])
    ax.set_xlabel("parameter")
    ax.axhline(0, color="black", linewidth=1)
    ax.set_ylabel("Sobol index")
    ax.errorbar([], [], yerr=[], color="black", capsize=6, linestyle="none", label="95% bootstrap interval")
    ax.set_title(f"{sweep.scenario(scenario)}: {METRIC_WORDS.get(metric, metric)}\n"
                 f"Sobol indices of the point means ({int(sweep.attrs['trials'])} trials per point)", fontsize=17)
    ax.legend(frameon=False)
    return fig


def format_grid(sweep, xs, ys, Z, x, y, metric, stat):
    """The grid as a text table: rows are y values, columns x values."""
    _, px = sweep.parameter(x)
    py = sweep.parameter(y)[1] if y else None
    head = [px.label(v) for v in xs]
    width = max(7, *(len(h) for h in head))
    corner = f"{y} \\ {x}" if y else x
    rows = [f"{metric}: {_metric_label(metric, stat)}", f"{corner:>24}  " + "  ".join(f"{h:>{width}}" for h in head)]
    for a, yv in enumerate(ys):
        name = py.label(yv) if y else ""
        rows.append(f"{name:>24}  " + "  ".join(f"{v:>{width}.3f}" if np.isfinite(v) else f"{'n/a':>{width}}"
                                               for v in Z[a]))
    return "\n".join(rows) + "\n"


def command(args):
    """`python3 -m analysis sweep`: Sobol indices of a saltelli sweep, or a metric over two parameters."""
    from .plots import save
    sweep = load_sweep(args.results)
    if not sweep.complete:
        print(f"note: {sweep.path} holds {sweep.index.size} of {sweep.points_total} points (a shard or a partial "
              "sweep)", file=sys.stderr)
    scenario = sweep.scenario(args.scenario)
    args.metric = args.metric or default_metric(sweep)
    at = {}
    for item in args.at or []:
        name, sep, text = item.partition("=")
        if not sep:
            raise ResultsError(f"--at {item}: write NAME=VALUE, e.g. --at mandate.half_life=13")
        at[name.strip()] = text.strip()
    names = [p.name for p in sweep.parameters]
    if sweep.design == "saltelli" and not args.x:
        table = sweep_sobol(sweep, scenario, args.metric, args.stat, args.bootstrap, args.seed)
        sys.stdout.write(format_sobol(sweep, table, scenario, args.metric, args.stat, args.bootstrap, args.seed))
        if args.output:
            save(sobol_figure(sweep, table, scenario, args.metric), args.output)
            print(f"wrote {args.output}")
        return
    x = args.x or names[0]
    free = [n for n in names if n != x and n not in at]
    y = args.y or (free[0] if free else None)
    if sweep.design == "grid":
        z = sweep.metric(scenario, args.metric, args.stat)
        xs, ys, Z = grid_table(sweep, z, x, y, at)
        sys.stdout.write(format_grid(sweep, xs, ys, Z, x, y, args.metric, args.stat))
        if len([n for n in names if n not in (x, y) and n not in at]):
            print("(averaged over the other parameters; fix them with --at NAME=VALUE)")
        if args.output:
            if args.kind == "curves" or y is None:
                fig = response_figure(sweep, scenario, args.metric, x, y, at)
            else:
                fig = heatmap_figure(sweep, scenario, args.metric, args.stat, x, y, at)
            save(fig, args.output)
            print(f"wrote {args.output}")
        return
    if y is None:
        raise ResultsError("a sampled sweep of one parameter: use --x and plot against the table of points")
    z = sweep.metric(scenario, args.metric, args.stat)
    jx, px = sweep.parameter(x)
    jy, py = sweep.parameter(y)
    print(f"{x:>24}  {y:>24}  {args.metric} ({args.stat})")
    for r in np.argsort(sweep.values[:, jx], kind="stable"):
        print(f"{px.label(sweep.values[r, jx]):>24}  {py.label(sweep.values[r, jy]):>24}  {z[r]:.3f}")
    if args.output:
        save(scatter_figure(sweep, scenario, args.metric, args.stat, x, y), args.output)
        print(f"wrote {args.output}")
