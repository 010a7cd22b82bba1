"""Calibration files of ``groundswell calibrate`` (docs/calibration.md): the posterior table, a figure
(posterior histograms, pair plots, the posterior predictive band against the observed curve) and ABC model
choice between two calibrations by their acceptance at a common tolerance."""

from dataclasses import dataclass
import os

import h5py
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter, PercentFormatter

from .results import ResultsError, checked, damaged

FORMAT = "groundswell-calibration"


@dataclass
class Calibration:
    path: str
    attrs: dict
    names: list
    priors: list
    lower: np.ndarray
    upper: np.ndarray
    samples: np.ndarray      # posterior [particles x parameters]
    weights: np.ndarray
    distances: np.ndarray
    median: np.ndarray
    lower90: np.ndarray
    upper90: np.ndarray
    epsilon: np.ndarray      # per generation
    acceptance: np.ndarray
    draw_samples: np.ndarray  # prior draws (rejection: all; smc: generation 0)
    draw_distances: np.ndarray
    observed: np.ndarray     # fit agents, steps 0..T
    observed_holdout: object  # or None
    predictive: np.ndarray   # [draws x (T + 1)]
    predictive_holdout: object
    predictive_attrs: dict
    observed_attrs: dict


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load_calibration(path):
    """Read a calibration file; ResultsError with a one-line reason if it is not one."""
    if not os.path.exists(path):
        raise ResultsError(f"{path}: file not found")
    try:
        f = h5py.File(path, "r")
    except OSError:
        raise ResultsError(f"{path}: not an HDF5 file (expected the output of 'groundswell calibrate')") from None
    with f:
        if _text(f.attrs.get("format", "")) != FORMAT:
            raise ResultsError(f"{path}: an HDF5 file, but not a Groundswell calibration file (no format = \"{FORMAT}\")")
        try:
            return _read(path, f)
        except KeyError as e:
            raise damaged(path, f"missing {e}", "calibration") from None
        except (OSError, ValueError, TypeError, IndexError, AttributeError) as e:
            raise damaged(path, f"cannot read it ({e})", "calibration") from None


def _read(path, f):
    """The datasets, each checked for its type and its shape against the others (see results.checked)."""
    def get(name, shape, required=True):
        if not required and name not in f:
            return None
        return checked(path, f, "", name, shape, "calibration")

    def texts(name, length=None):
        ds = f.get(name)
        if not isinstance(ds, h5py.Dataset) or ds.ndim != 1 or (length is not None and ds.shape[0] != length):
            raise damaged(path, f"dataset /{name} is missing or not a list of {length or 'some'} strings",
                          "calibration")
        return [_text(n) for n in ds[()]]

    names = texts("parameters/name")
    d = len(names)
    samples = get("posterior/samples", (None, d))
    n = samples.shape[0]
    observed = get("observed/curve", (None,))
    T1 = observed.size
    draws = get("draws/samples", (None, d), False)
    holdout = get("observed/holdout_curve", (None,), False)
    epsilon = get("trace/epsilon", (None,))  # one per generation, as the acceptance rates
    predictive = get("predictive/curves", (None, T1))
    P = predictive.shape[0]
    get("predictive/samples", (P, d), False)  # the draws behind the curves, one row per curve
    return Calibration(
        path=str(path), attrs={k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()},
        names=names, priors=texts("parameters/prior", d),
        lower=get("parameters/lower", (d,)), upper=get("parameters/upper", (d,)),
        samples=samples, weights=get("posterior/weights", (n,)),
        distances=get("posterior/distances", (n,)), median=get("posterior/median", (d,)),
        lower90=get("posterior/lower90", (d,)), upper90=get("posterior/upper90", (d,)),
        epsilon=epsilon, acceptance=get("trace/acceptance_rate", epsilon.shape),
        draw_samples=draws,
        draw_distances=None if draws is None else get("draws/distances", (draws.shape[0],)),
        observed=observed, observed_holdout=holdout,
        predictive=predictive,
        predictive_holdout=None if holdout is None else get("predictive/holdout_curves", (P, holdout.size)),
        predictive_attrs=dict(f["predictive"].attrs), observed_attrs=dict(f["observed"].attrs))


def observed_hazard(curve):
    """The discrete hazard of the observed record: at each step t >= 1 the share of those not yet adopted at
    t - 1 who adopted at t, (F[t] - F[t-1]) / (1 - F[t-1]) for the cumulative share F; NaN once everyone has.
    A constant outside pull gives a flat hazard, contagion or growing outside effort a rising one (Van den
    Bulte and Lilien 2001), which the shape of the cumulative curve alone does not show."""
    F = np.asarray(curve, dtype=float)
    at_risk = 1.0 - F[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(at_risk > 0, (F[1:] - F[:-1]) / at_risk, np.nan)


def summary(cal):
    """The posterior table as text: median and 90% interval per parameter, the fit, the holdout errors."""
    a = cal.attrs
    lines = [f"{a.get('experiment', '?')}: rule {a.get('rule', '?')}, {a.get('method', '?')}, "
             f"{len(cal.weights)} particles, {len(cal.epsilon)} generation(s), distance {a.get('distance', '?')}",
             f"{'parameter':<24} {'median':>10} {'90% interval':>24}   prior"]
    for j, name in enumerate(cal.names):
        lines.append(f"{name:<24} {cal.median[j]:>10.4g} {f'[{cal.lower90[j]:.4g}, {cal.upper90[j]:.4g}]':>24}   "
                     f"{cal.priors[j]} [{cal.lower[j]:.4g}, {cal.upper[j]:.4g}]")
    lines.append(f"fit (RMSE of the posterior predictive mean curve): {cal.predictive_attrs['fit']:.4f}")
    h = observed_hazard(cal.observed)
    lines.append("observed hazard (share of the not-yet-adopted who adopt), steps 1.." + str(h.size) + ": " +
                 " ".join("-" if np.isnan(v) else f"{v:.2f}" for v in h))
    if cal.observed_holdout is not None:
        p = cal.predictive_attrs
        lines.append(f"holdout: in-sample {p['in_sample_error']:.4f}, out-of-sample {p['out_of_sample_error']:.4f}, "
                     f"naive (fit towns' observed curve) {p['naive_out_of_sample_error']:.4f}")
    return "\n".join(lines) + "\n"


def _comparable(cals):
    """Model choice needs the same data and the same distance: refuse files that differ."""
    first = cals[0]
    for c in cals[1:]:
        for key in ("distance", "steps", "trials_per_particle"):
            if str(c.attrs.get(key)) != str(first.attrs.get(key)):
                raise ResultsError(f"{c.path}: {key} = {c.attrs.get(key)} but {first.path} has {first.attrs.get(key)}; "
                                   f"model choice needs the same data, distance and trials per particle")
        if c.observed.shape != first.observed.shape or not np.array_equal(c.observed, first.observed):
            raise ResultsError(f"{c.path}: its observed curve differs from {first.path}'s; model choice needs the same data")


def model_choice(cals, quantile=0.01):
    """ABC model choice (equal prior odds) from each calibration's prior draws: the tolerance is the `quantile`
    of all draws' distances pooled; a model's posterior probability is its share of the draws within it,
    each model's count divided by its number of draws. The standard error of each probability follows from
    the binomial error of each acceptance rate (delta method). Returns
    (epsilon, [(path, accepted, draws, probability, standard error)])."""
    for c in cals:
        if c.draw_distances is None or len(c.draw_distances) == 0:
            raise ResultsError(f"{c.path}: has no prior draws to compare")
    _comparable(cals)
    pooled = np.concatenate([c.draw_distances for c in cals])
    eps = float(np.quantile(pooled, quantile))
    counts = [int(np.sum(c.draw_distances <= eps)) for c in cals]
    draws = [len(c.draw_distances) for c in cals]
    rates = np.array([k / n for k, n in zip(counts, draws)])
    rate_var = np.array([r * (1 - r) / n for r, n in zip(rates, draws)])
    total = rates.sum()
    rows = []
    for i, c in enumerate(cals):
        if total <= 0:
            rows.append((c.path, counts[i], draws[i], float("nan"), float("nan")))
            continue
        gradient = (np.eye(len(cals))[i] * total - rates[i]) / total ** 2  # d p_i / d r_j
        se = float(np.sqrt(np.sum(gradient ** 2 * rate_var)))
        rows.append((c.path, counts[i], draws[i], float(rates[i] / total), se))
    return eps, rows


def format_choice(eps, rows, quantile):
    out = [f"ABC model choice: tolerance {eps:.4g} (the {quantile:g} quantile of all draws' distances), "
           f"equal prior odds"]
    out.append(f"{'file':<40} {'within':>8} {'draws':>8} {'P(model | data)':>16} {'SE':>7}")
    for path, k, n, p, se in rows:
        out.append(f"{os.path.basename(path):<40} {k:>8} {n:>8} {p:>16.3f} {se:>7.3f}")
    if sum(r[1] for r in rows) < 100:
        out.append("note: fewer than 100 draws within the tolerance; use more prior draws (rejection, abc.draws) "
                   "for a firmer answer")
    return "\n".join(out) + "\n"


#: Calendars of the real data sets (docs/data.md): a data set named in the calibration text -> (year, month)
#: of step 1, one step a month. Medical Innovation: month 1 = November 1953 (docs/calibration.md).
CALENDARS = {"medical-innovation": (1953, 11)}


def calendar_start(cal):
    """(year, month) of step 1 when the calibration's data set has a calendar (CALENDARS), else None."""
    text = str(cal.attrs.get("calibration_text", ""))
    for key, start in CALENDARS.items():
        if key in text:
            return start
    return None


def month_name(start, step):
    """The calendar month of a step, step 1 being `start` (year, month): "Nov 1953"."""
    import calendar
    year, month = start
    k = (year * 12 + month - 1) + step - 1
    return f"{calendar.month_abbr[k % 12 + 1]} {k // 12}"


def _scaled(x, log):
    return np.log10(x) if log else x


PRIOR_COLOR, POSTERIOR_COLOR, OBSERVED_COLOR = "0.75", "#0072B2", "#D55E00"


def _marginal(ax, cal, j, w):
    """The posterior of parameter j as a density histogram over the prior, flat, drawn behind it."""
    log = cal.priors[j] == "log_uniform"
    lo, hi = cal.lower[j], cal.upper[j]
    x = cal.samples[:, j]
    if log and np.all(x > 0) and lo > 0:
        ax.set_xscale("log")
    else:
        log = False
    a, b = _scaled(np.array([lo, hi]), log)
    sx = _scaled(x, log)
    bins = int(np.clip(round(np.sqrt(x.size)), 6, 25))  # over the posterior's range, fewer for few particles
    edges = np.linspace(sx.min(), sx.max(), bins + 1) if sx.max() > sx.min() else np.linspace(a, b, bins + 1)
    p, _ = np.histogram(sx, bins=edges, weights=w)
    density = p / np.diff(edges)  # per unit of the prior's scale (per decade for log_uniform)
    shown = 10 ** edges if log else edges
    ax.fill_between([lo, hi], 0, 1 / (b - a), color=PRIOR_COLOR, step="pre", zorder=1, linewidth=0)
    ax.stairs(density, shown, fill=True, color=POSTERIOR_COLOR, alpha=0.85, zorder=2)
    ax.axvline(cal.median[j], color="black", lw=2, zorder=3)
    for q in (cal.lower90[j], cal.upper90[j]):
        ax.axvline(q, color="black", lw=1.5, ls="--", zorder=3)
    ax.set_xlim(lo, hi)
    ax.set_ylabel("density per decade" if log else "density")
    ax.set_xlabel(cal.names[j])


def figure(cal):
    """Posterior marginals over their priors (diagonal), pair plots (below), and the posterior predictive band
    against the observed curve (right), in calendar months when the data set has a calendar (CALENDARS)."""
    from .plots import _figure
    d = len(cal.names)
    has_holdout = cal.observed_holdout is not None
    fig = _figure(figsize=(4.6 * d + 8.0 * (1 + has_holdout), max(4.4 * d, 6.5) + 0.8), layout="constrained")
    grid = fig.add_gridspec(d, d + 2 * (1 + has_holdout))
    w = cal.weights / cal.weights.sum()
    small = {"fontsize": 13}
    for i in range(d):
        for j in range(i + 1):
            ax = fig.add_subplot(grid[i, j])
            if i == j:
                _marginal(ax, cal, j, w)
            else:
                ax.scatter(cal.samples[:, j], cal.samples[:, i], s=8 + 300 * w, alpha=0.5, color=POSTERIOR_COLOR)
                if cal.priors[j] == "log_uniform" and cal.lower[j] > 0:
                    ax.set_xscale("log")
                if cal.priors[i] == "log_uniform" and cal.lower[i] > 0:
                    ax.set_yscale("log")
                ax.set_ylabel(cal.names[i])
                ax.set_xlabel(cal.names[j])
                ax.set_title("posterior particles", **small)
            ax.xaxis.label.set_size(14)
            ax.yaxis.label.set_size(14)
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.tick_params(labelsize=11)
    first = fig.axes[0]
    first.legend(handles=[Patch(color=PRIOR_COLOR, label="prior (flat on the panel's axis scale)"),
                          Patch(color=POSTERIOR_COLOR, label="posterior (weighted)"),
                          Line2D([], [], color="black", lw=2, label="posterior median"),
                          Line2D([], [], color="black", lw=1.5, ls="--", label="90% interval (5th\u201395th percentile)")],
                 loc="lower left", bbox_to_anchor=(0, 1.02), frameon=False, fontsize=12)
    start = calendar_start(cal)

    def band(ax, curves, observed, title):
        t = np.arange(len(observed))
        lo, mid, hi = np.quantile(curves, [0.05, 0.5, 0.95], axis=0)
        n = curves.shape[0]
        ax.fill_between(t, lo, hi, color=POSTERIOR_COLOR, alpha=0.2, linewidth=0,
                        label=f"band: 5th\u201395th percentile of {n} predictive draws")
        ax.plot(t, mid, color=POSTERIOR_COLOR, lw=3, label="posterior predictive median")
        ax.plot(t, curves.mean(axis=0), color=POSTERIOR_COLOR, ls="--", lw=2, label="posterior predictive mean")
        ax.plot(t, observed, "o-", color=OBSERVED_COLOR, ms=6, lw=2, label="observed")
        if start is not None:
            ticks = np.arange(0, len(observed), max(1, -(-(len(observed) - 1) // 6)))
            ax.set_xticks(ticks, [month_name(start, k) for k in ticks], rotation=30, ha="right")
            ax.set_xlabel(f"calendar month (month 1 of the record = {month_name(start, 1)})")
        else:
            ax.set_xlabel("step")
        ax.set_ylabel("cumulative adopted share")
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_ylim(0, 1)
        ax.set_xlim(-0.3, len(observed) - 0.7)  # room for the first and last markers
        ax.grid(True, alpha=0.3)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=13)

    ax = fig.add_subplot(grid[:, d:d + 2])
    fit_agents = cal.observed_attrs.get("fit_agents")
    who = f"{fit_agents} fitted agents" if fit_agents is not None else "fitted agents"
    band(ax, cal.predictive, cal.observed, f"{who}: RMSE {cal.predictive_attrs['fit']:.3f}")
    if has_holdout:
        ax = fig.add_subplot(grid[:, d + 2:d + 4])
        band(ax, cal.predictive_holdout, cal.observed_holdout,
             f"held out: RMSE {cal.predictive_attrs['out_of_sample_error']:.3f}")
    a = cal.attrs
    fig.suptitle(f"{a.get('experiment', 'calibration')}: {a.get('rule', '?')} rule fitted by ABC "
                 f"({a.get('method', '?')}, {len(cal.weights)} particles, distance {a.get('distance', '?')})")
    return fig


def command(args):
    from .plots import save
    cal = load_calibration(args.results)
    print(summary(cal), end="")
    if args.compare:
        others = [load_calibration(p) for p in args.compare]
        eps, rows = model_choice([cal] + others, args.quantile)
        print(format_choice(eps, rows, args.quantile), end="")
    if args.output:
        save(figure(cal), args.output)
        print(f"wrote {args.output}")
