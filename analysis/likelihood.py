"""The individual-level likelihood of the ``bass`` rule (docs/likelihood.md): maximum likelihood with
profile-likelihood intervals, likelihood-ratio tests, AIC/BIC, posteriors by MCMC (with the unrecorded agents'
times integrated out by data augmentation) and Bayes factors by quadrature.

The model is the engine's ``bass`` rule exactly (MODEL.md 6, sim/engine/classic_rules.cpp). Agent i, at risk at
step t = 1..T (not adopted before t; seeds have time 0 and are never at risk), adopts at t with probability

    h_i(t) = 1 - exp(-(p(t) + q x_i(t-1))),   x_i(t-1) = sum_j w_ij [time_j <= t-1] / sum_j w_ij

over the agents j that i listens to (x = 0 for an agent who listens to nobody); q = 0 is the model without the
network. This is Allison's (1982) discrete-time event-history likelihood with a complementary log-log link and a
time-varying covariate x_i. The outside pull p(t) is "constant" (p), "linear" (p + (p_end - p)(t-1)/(T-1)) or
"piecewise" (p before step period_2, p_2 from it, p_3 from period_3; the break steps are fixed, not fitted): the
engine's bass.p, bass.p_end, bass.p_2, bass.p_3, bass.period_2, bass.period_3. With a market potential m (engine
bass.market_potential) each agent is in the potential with probability m: an adopter at t contributes
log m + sum_{s<t} log(1 - h_i(s)) + log h_i(t), a never-adopter log[(1 - m) + m prod_{s<=T} (1 - h_i(s))].

Only fitted agents (role 1 of the record) contribute terms; every known time (fitted, held out, seeds) enters the
exposures. The unrecorded agents (time -1) are either dropped with their ties ("drop": the exact likelihood of the
rest) or their times are missing data integrated over by a Gibbs step inside the MCMC ("integrate"; Tanner and
Wong 1987).

The core works on a Record of numpy arrays (a CSR of whom each agent listens to, the times, the roles); the
engine's bindings (groundswell.observed_record, Organization.exposure_network) only load one (load_record).
"""

from dataclasses import dataclass, field, replace
import math
import os
import sys

import numpy as np
from scipy import optimize, sparse, stats

from .results import ResultsError

OUTSIDE = ("constant", "linear", "piecewise")
EXPOSURES = ("cohesion", "structural_equivalence")
TREATMENTS = ("drop", "integrate")

#: chi-square(1) cutoffs of the profile-likelihood intervals: 2 (max log L - profile log L) <= cutoff.
LEVELS = {0.95: float(stats.chi2.ppf(0.95, 1)), 0.90: float(stats.chi2.ppf(0.90, 1))}

#: Engine key of each parameter name (the [[parameter]] keys of a calibration file).
KEYS = {"p": "bass.p", "p_end": "bass.p_end", "p_2": "bass.p_2", "p_3": "bass.p_3", "q": "bass.q",
        "m": "bass.market_potential"}

#: Bounds of the maximization (natural scale). The p's live on the log scale, q and m on their own.
_LOG_P_BOUNDS = (math.log(1e-8), math.log(20.0))
_Q_BOUNDS = (0.0, 50.0)
_M_BOUNDS = (1e-4, 1.0)


# --------------------------------------------------------------------------------------------------------------
# The record


@dataclass
class Record:
    """An observed adoption record on a network, as numpy arrays.

    offsets, sources, weights: CSR of the listens-to ties, agent i listening to sources[e] with weight weights[e]
    for e in offsets[i]:offsets[i + 1]. time: per agent 0 (seed), 1..steps (adoption step), steps + 1 (never by
    steps) or -1 (missing). role: 0 out of the fit, 1 fitted, 2 held out. A fitted agent must have a known time.
    """

    offsets: np.ndarray
    sources: np.ndarray
    weights: np.ndarray
    time: np.ndarray
    role: np.ndarray
    steps: int
    ids: list = None
    name: str = ""
    dropped: int = 0  # unrecorded agents whose ties were dropped (drop)

    def __post_init__(self):
        self.offsets = np.asarray(self.offsets, dtype=np.int64)
        self.sources = np.asarray(self.sources, dtype=np.int64)
        self.weights = np.asarray(self.weights, dtype=np.float64)
        self.time = np.asarray(self.time, dtype=np.int64)
        self.role = np.asarray(self.role, dtype=np.uint8)
        self.steps = int(self.steps)
        n = self.time.size
        T = self.steps
        if T < 1:
            raise ValueError(f"steps must be at least 1, got {T}")
        if self.offsets.shape != (n + 1,) or self.offsets[0] != 0 or np.any(np.diff(self.offsets) < 0):
            raise ValueError("offsets must be N + 1 non-decreasing row offsets starting at 0")
        E = int(self.offsets[-1])
        if self.sources.shape != (E,) or self.weights.shape != (E,):
            raise ValueError(f"sources and weights must have offsets[-1] = {E} entries")
        if E and (self.sources.min() < 0 or self.sources.max() >= n):
            raise ValueError("sources must be agents 0..N-1")
        if np.any(self.weights < 0) or not np.all(np.isfinite(self.weights)):
            raise ValueError("weights must be finite and non-negative")
        if self.role.shape != (n,) or np.any(self.role > 2):
            raise ValueError("role must be 0, 1 or 2 per agent")
        if np.any((self.time < -1) | (self.time > T + 1)):
            raise ValueError(f"times must be -1 (missing), 0 (seed), 1..{T} or {T + 1} (never)")
        if np.any((self.role == 1) & (self.time < 0)):
            raise ValueError("a fitted agent (role 1) needs a known time")

    @property
    def size(self):
        return int(self.time.size)

    @property
    def missing(self):
        return self.time < 0

    @property
    def fitted(self):
        """Agents with a term in the likelihood: fitted and not seeds."""
        return (self.role == 1) & (self.time >= 1)

    def matrix(self):
        """The row-normalized listens-to matrix A (A[i, j] = w_ij / sum_k w_ik; a row of zeros for an agent
        who listens to nobody), scipy CSR."""
        n = self.size
        W = sparse.csr_matrix((self.weights, self.sources, self.offsets), shape=(n, n))
        total = np.asarray(W.sum(axis=1)).ravel()
        inv = np.divide(1.0, total, out=np.zeros(n), where=total > 0)
        return sparse.csr_matrix(sparse.diags(inv) @ W)

    def without_missing_ties(self):
        """The "drop" treatment: every tie to a missing agent removed (exposures then count only the known)."""
        keep = ~self.missing[self.sources]
        rows = np.repeat(np.arange(self.size), np.diff(self.offsets))
        offsets = np.concatenate(([0], np.cumsum(np.bincount(rows[keep], minlength=self.size))))
        return replace(self, offsets=offsets, sources=self.sources[keep], weights=self.weights[keep],
                       dropped=int(self.missing.sum()))

    def hidden(self, mask):
        """A copy with the times of `mask` made missing (role 0)."""
        mask = np.asarray(mask, dtype=bool)
        return replace(self, time=np.where(mask, -1, self.time), role=np.where(mask, 0, self.role).astype(np.uint8))

    def counts(self):
        f = self.fitted
        T = self.steps
        return {"agents": self.size, "steps": T, "fitted": int(f.sum()),
                "adopted": int(np.sum(f & (self.time <= T))), "never": int(np.sum(f & (self.time == T + 1))),
                "missing": int(self.missing.sum()), "held_out": int(np.sum(self.role == 2)),
                "seeds": int(np.sum(self.time == 0)), "ties": int(self.offsets[-1]), "dropped": self.dropped}


def exposure_matrix(A, time, steps):
    """x_i(s) for s = 0..steps-1 (the exposure at the start of step s + 1): [N, steps] = A @ [0 <= time_j <= s].
    Every agent some agent listens to must have a known time."""
    time = np.asarray(time)
    s = np.arange(steps)
    adopted = ((time[:, None] >= 0) & (time[:, None] <= s[None, :])).astype(np.float64)
    return np.asarray(A @ adopted)


def fitted_hazard(record):
    """The observed hazard among the fitted agents at risk, steps 1..T (calibration.observed_hazard on their
    cumulative curve)."""
    from .calibration import observed_hazard
    f = record.role == 1
    t = record.time[f]
    curve = np.array([np.mean((t >= 0) & (t <= s)) for s in range(record.steps + 1)])
    return observed_hazard(curve)


# --------------------------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Model:
    """Which bass model: outside pull p(t) (constant, linear, piecewise with fixed break steps), network or
    not (q = 0), market potential m free or 1, exposure definition."""

    outside: str = "constant"
    breaks: tuple = ()
    network: bool = True
    market: bool = False
    exposure: str = "cohesion"

    def __post_init__(self):
        if self.outside not in OUTSIDE:
            raise ValueError(f"outside must be one of {', '.join(OUTSIDE)}, got {self.outside!r}")
        if self.exposure not in EXPOSURES:
            raise ValueError(f"exposure must be one of {', '.join(EXPOSURES)}, got {self.exposure!r}")
        object.__setattr__(self, "breaks", tuple(int(b) for b in self.breaks) if self.outside == "piecewise" else ())
        if self.outside == "piecewise" and not 1 <= len(self.breaks) <= 2:
            raise ValueError("piecewise needs one or two break steps (period_2[, period_3])")
        if list(self.breaks) != sorted(set(self.breaks)):
            raise ValueError("the break steps must increase")

    @property
    def outside_names(self):
        if self.outside == "linear":
            return ["p", "p_end"]
        return ["p", "p_2", "p_3"][:1 + len(self.breaks)]

    @property
    def names(self):
        return self.outside_names + (["q"] if self.network else []) + (["m"] if self.market else [])

    def design(self, steps):
        """D [steps, k]: p(t) = D[t - 1] @ (outside parameters)."""
        T = steps
        t = np.arange(1, T + 1)
        if self.outside == "constant":
            return np.ones((T, 1))
        if self.outside == "linear":
            u = (t - 1) / (T - 1) if T > 1 else np.zeros(T)
            return np.column_stack((1 - u, u))
        if self.breaks[-1] > T or self.breaks[0] < 2:
            raise ValueError(f"the break steps must be in 2..{T}, got {list(self.breaks)}")
        edges = (1,) + self.breaks + (T + 1,)
        return np.column_stack([(t >= a) & (t < b) for a, b in zip(edges[:-1], edges[1:])]).astype(np.float64)

    def label(self):
        out = {"constant": "p constant", "linear": "p linear",
               "piecewise": "p piecewise at " + ",".join(map(str, self.breaks))}[self.outside]
        net = {"cohesion": "cohesion", "structural_equivalence": "struct. equiv."}[self.exposure]
        return (f"network ({net})" if self.network else "no network") + f", {out}" + (", market m" if self.market else "")

    def nested_without_q(self):
        return replace(self, network=False, exposure="cohesion")

    def split(self, theta):
        """(outside parameters, q, m) from a parameter vector in the order of names."""
        theta = np.asarray(theta, dtype=np.float64)
        k = len(self.outside_names)
        q = theta[k] if self.network else 0.0
        m = theta[-1] if self.market else 1.0
        return theta[:k], q, m


# --------------------------------------------------------------------------------------------------------------
# The log-likelihood


def log1mexp(x):
    """log(1 - exp(-x)) for x >= 0, accurate for small and large x (Maechler 2012); -inf at 0."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(x < math.log(2), np.log(-np.expm1(-np.minimum(x, math.log(2)))),
                        np.log1p(-np.exp(-np.maximum(x, math.log(2)))))


@dataclass
class Statistics:
    """What the log-likelihood needs of the fitted agents, for a given exposure matrix: adopters a (time <= T)
    and never-adopters (time T + 1)."""

    before_d: np.ndarray  # [n_a, k] sum of the design rows over the steps before adoption
    before_x: np.ndarray  # [n_a] sum of the exposures over those steps
    at_d: np.ndarray      # [n_a, k] design row at the adoption step
    at_x: np.ndarray      # [n_a] exposure at the adoption step
    never_d: np.ndarray   # [k] design summed over 1..T
    never_x: np.ndarray   # [n_never] exposures summed over 1..T
    n: int                # fitted agents (the n of BIC)


def statistics(X, tau, D):
    """Statistics of agents with exposures X [n, T] and times tau [n] (1..T+1) under the design D [T, k]."""
    X = np.asarray(X, dtype=np.float64)
    tau = np.asarray(tau, dtype=np.int64)
    T = D.shape[0]
    adopt = tau <= T
    cumD = np.vstack((np.zeros((1, D.shape[1])), np.cumsum(D, axis=0)))  # cumD[s] = sum of rows 0..s-1
    cumX = np.hstack((np.zeros((X.shape[0], 1)), np.cumsum(X, axis=1)))
    ta = tau[adopt]
    Xa = X[adopt]
    rows = np.arange(ta.size)
    return Statistics(before_d=cumD[ta - 1], before_x=cumX[adopt][rows, ta - 1], at_d=D[ta - 1],
                      at_x=Xa[rows, ta - 1], never_d=cumD[T], never_x=cumX[~adopt][:, T], n=int(tau.size))


def loglik(st, pi, q, m, grad=False):
    """The log-likelihood (and with grad its gradient in (pi, q, m)) from Statistics."""
    pi = np.asarray(pi, dtype=np.float64)
    H_at = st.at_d @ pi + q * st.at_x
    if np.any(H_at <= 0):
        return (-np.inf, None) if grad else -np.inf
    before = st.before_d @ pi + q * st.before_x
    S = st.never_d @ pi + q * st.never_x
    log_m = math.log(m)
    with np.errstate(divide="ignore"):
        log_out = math.log1p(-m) if m < 1 else -np.inf
    log_never = np.logaddexp(log_out, log_m - S)
    value = float(H_at.size * log_m - before.sum() + log1mexp(H_at).sum() + log_never.sum())
    if not grad:
        return value
    g_at = 1.0 / np.expm1(H_at)  # d log(1 - e^-H) / dH
    dS = -np.exp(log_m - S - log_never)  # d log[(1 - m) + m e^-S] / dS
    d_pi = -st.before_d.sum(axis=0) + g_at @ st.at_d + dS.sum() * st.never_d
    d_q = float(-st.before_x.sum() + g_at @ st.at_x + dS @ st.never_x)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        d_m = H_at.size / m + float(np.sum(np.nan_to_num(np.exp(-S - log_never) - np.exp(-log_never),
                                                          neginf=-1e300)))
    return value, (d_pi, d_q, d_m)


def agent_terms(H, tau, m):
    """Each agent's log-likelihood term from its hazard rates H [..., T] (h = 1 - exp(-H)) and time tau [...]
    (1..T+1), market potential m; broadcasts over the leading axes. The direct form, used by the Gibbs step and
    checked against loglik."""
    H = np.asarray(H, dtype=np.float64)
    T = H.shape[-1]
    tau = np.broadcast_to(np.asarray(tau), H.shape[:-1])
    cum = np.concatenate((np.zeros(H.shape[:-1] + (1,)), np.cumsum(H, axis=-1)), axis=-1)
    idx = np.minimum(tau, T)[..., None]
    before = np.take_along_axis(cum, idx - 1, axis=-1)[..., 0]
    at = np.take_along_axis(H, idx - 1, axis=-1)[..., 0]
    with np.errstate(divide="ignore"):
        log_m = math.log(m)
        log_out = math.log1p(-m) if m < 1 else -np.inf
        adopted = log_m - before + log1mexp(at)
    never = np.logaddexp(log_out, log_m - cum[..., T])
    return np.where(tau <= T, adopted, never)


class Likelihood:
    """The exact ("drop") log-likelihood of a record under a model; the record's missing agents must have no
    tie pointing to them (Record.without_missing_ties)."""

    def __init__(self, record, model):
        self.record = record
        self.model = model
        self.D = model.design(record.steps)
        A = record.matrix()
        if np.any(record.missing[A.indices]):
            raise ValueError("the record has ties to agents with missing times: drop them "
                             "(Record.without_missing_ties) or integrate over them (sample(..., 'integrate'))")
        X = exposure_matrix(A, record.time, record.steps)
        f = record.fitted
        self.stats = statistics(X[f], record.time[f], self.D)
        self.n = self.stats.n
        if self.n == 0:
            raise ValueError("the record has no fitted agents")

    def __call__(self, theta):
        pi, q, m = self.model.split(theta)
        return loglik(self.stats, pi, q, m)

    def with_gradient(self, theta):
        pi, q, m = self.model.split(theta)
        v, g = loglik(self.stats, pi, q, m, grad=True)
        if g is None:
            return v, np.zeros(len(theta))
        d_pi, d_q, d_m = g
        return v, np.concatenate((d_pi, [d_q] if self.model.network else [], [d_m] if self.model.market else []))


def simulate_times(record, model, theta, rng):
    """Adoption times drawn from the model on the record's network (a numpy reference of the engine's rule, for
    cross-checks): seeds (time 0) stay, everyone else starts not adopted; each agent is in the market potential
    with probability m; returns int64 [N] with T + 1 for never."""
    pi, q, m = model.split(theta)
    p_t = model.design(record.steps) @ pi
    A = record.matrix()
    T = record.steps
    time = np.where(record.time == 0, 0, T + 1)
    inside = rng.random(record.size) < m
    for t in range(1, T + 1):
        x = A @ (time <= t - 1).astype(np.float64)
        h = -np.expm1(-(p_t[t - 1] + q * x))
        new = (time == T + 1) & inside & (rng.random(record.size) < h)
        time[new] = t
    return time


# --------------------------------------------------------------------------------------------------------------
# Maximum likelihood and profile likelihood


def _kinds(model):
    return ["log"] * len(model.outside_names) + (["q"] if model.network else []) + (["m"] if model.market else [])


def _to_z(model, theta):
    return np.array([math.log(v) if k == "log" else v for k, v in zip(_kinds(model), theta)])


def _from_z(model, z):
    return np.array([math.exp(v) if k == "log" else v for k, v in zip(_kinds(model), z)])


def _bounds(model):
    b = {"log": _LOG_P_BOUNDS, "q": _Q_BOUNDS, "m": _M_BOUNDS}
    return [b[k] for k in _kinds(model)]


def _maximize(lik, z0, fixed=None):
    """max of log L over z (p's on the log scale), with coordinate `fixed` = (j, value) held; (value, z)."""
    model = lik.model
    kinds = _kinds(model)
    bounds = _bounds(model)
    free = [j for j in range(len(kinds)) if fixed is None or j != fixed[0]]

    def full(zf):
        z = np.empty(len(kinds))
        z[free] = zf
        if fixed is not None:
            z[fixed[0]] = fixed[1]
        return z

    def negative(zf):
        z = full(zf)
        theta = _from_z(model, z)
        v, g = lik.with_gradient(theta)
        if not np.isfinite(v):
            return 1e300, np.zeros(len(free))
        chain = np.where(np.array(kinds) == "log", theta, 1.0)
        return -v, -(g * chain)[free]

    if not free:
        z = full(np.empty(0))
        return lik(_from_z(model, z)), z
    x0 = np.clip(np.asarray(z0, dtype=np.float64)[free], [bounds[j][0] for j in free], [bounds[j][1] for j in free])
    r = optimize.minimize(negative, x0, jac=True, method="L-BFGS-B", bounds=[bounds[j] for j in free],
                          options={"maxiter": 500, "ftol": 1e-13, "gtol": 1e-9})
    return -float(r.fun), full(r.x)


def _starts(lik):
    """Starting points: p from the crude hazard (adoptions per agent-step at risk), q and m on a small grid."""
    st = lik.stats
    steps_at_risk = st.before_d.sum() + st.at_d.sum() + st.never_d.sum() * st.never_x.size
    crude = max(st.at_x.size / max(steps_at_risk, 1.0), 1e-4)
    model = lik.model
    qs = [0.0, 0.3, 1.0] if model.network else [None]
    ms = [1.0, 0.7] if model.market else [None]
    starts = []
    for p0 in (crude, crude / 3):
        for q0 in qs:
            for m0 in ms:
                theta = [p0] * len(model.outside_names) + ([q0] if q0 is not None else []) + \
                        ([m0] if m0 is not None else [])
                starts.append(_to_z(model, theta))
    return starts


@dataclass
class Interval:
    low: float
    high: float
    low_at_bound: bool = False
    high_at_bound: bool = False

    def text(self, fmt="{:.4g}"):
        lo = fmt.format(self.low) + (" (bound)" if self.low_at_bound else "")
        hi = fmt.format(self.high) + (" (bound)" if self.high_at_bound else "")
        return f"[{lo}, {hi}]"

    def as_dict(self):
        return {"low": self.low, "high": self.high, "low_at_bound": self.low_at_bound,
                "high_at_bound": self.high_at_bound}


@dataclass
class Fit:
    """A maximum-likelihood fit: estimates, log L, AIC, BIC, profile intervals per level per parameter."""

    model: Model
    names: list
    estimate: np.ndarray
    loglik: float
    n: int
    intervals: dict = field(default_factory=dict)  # {level: [Interval per parameter]}

    @property
    def k(self):
        return len(self.names)

    @property
    def aic(self):
        return 2 * self.k - 2 * self.loglik

    @property
    def bic(self):
        return self.k * math.log(self.n) - 2 * self.loglik

    def as_dict(self):
        return {"model": self.model.label(), "outside": self.model.outside, "breaks": list(self.model.breaks),
                "network": self.model.network, "market": self.model.market, "exposure": self.model.exposure,
                "parameters": list(self.names), "estimate": [float(v) for v in self.estimate],
                "loglik": self.loglik, "k": self.k, "n": self.n, "aic": self.aic, "bic": self.bic,
                "intervals": {f"{int(round(100 * lv))}": [iv.as_dict() for iv in ivs]
                              for lv, ivs in self.intervals.items()}}


def maximize(lik):
    """The maximum-likelihood estimate from several starts: (log L, theta)."""
    best = (-np.inf, None)
    for z0 in _starts(lik):
        v, z = _maximize(lik, z0)
        if v > best[0] + 1e-9:
            best = (v, z)
    if best[1] is None:
        raise ValueError("the likelihood is zero everywhere on the parameter bounds")
    return best[0], _from_z(lik.model, best[1])


def profile_interval(lik, top, z_hat, j, cutoffs):
    """Profile-likelihood limits of parameter j for each cutoff (2 (log L max - profile) <= cutoff), on the
    scale of z (log for the p's): {cutoff: Interval}, a limit at the parameter's bound flagged."""
    bounds = _bounds(lik.model)[j]
    kinds = _kinds(lik.model)
    warm = {"z": z_hat.copy()}

    starts = _starts(lik)

    def deficit(v):
        # The warm start alone can stick: a p at the bottom of its log scale has no gradient, so the profile
        # of q once stayed there and fell below the model without the network (an interval excluding q = 0
        # with LR(q = 0) = 1.1). Every start of the MLE is tried too.
        value, z = _maximize(lik, warm["z"], fixed=(j, v))
        for z0 in starts:
            v0, z1 = _maximize(lik, z0, fixed=(j, v))
            if v0 > value + 1e-9:
                value, z = v0, z1
        warm["z"] = z
        return 2 * (top - value)

    worst = max(cutoffs)
    limits = {c: [None, None] for c in cutoffs}
    for side, sign in ((0, -1), (1, 1)):
        warm["z"] = z_hat.copy()
        edge = bounds[side]
        here, d_here = z_hat[j], 0.0
        step = 0.05 if kinds[j] == "log" else max(0.02, 0.05 * abs(z_hat[j]))
        points = [(here, 0.0)]
        while d_here < worst:
            nxt = here + sign * step
            if (sign < 0 and nxt <= edge) or (sign > 0 and nxt >= edge) or abs(here - edge) < 1e-12:
                nxt = edge
            d_nxt = deficit(nxt)
            points.append((nxt, d_nxt))
            here, d_here = nxt, d_nxt
            if nxt == edge:
                break
            step *= 1.6
        for c in cutoffs:
            inside = [(v, d) for v, d in points]
            found = None
            for (v0, d0), (v1, d1) in zip(inside[:-1], inside[1:]):
                if d0 < c <= d1:
                    warm["z"] = z_hat.copy()
                    found = optimize.brentq(lambda v: deficit(v) - c, v0, v1, xtol=1e-7)
                    break
            limits[c][side] = (found, False) if found is not None else (edge, True)
            if found is None and abs(z_hat[j] - edge) < 1e-9:
                limits[c][side] = (edge, True)
    out = {}
    for c in cutoffs:
        (lo, lob), (hi, hib) = limits[c]
        if kinds[j] == "log":  # the lower edge of the log scale stands for 0
            lo, hi = (0.0 if lob else math.exp(lo)), math.exp(hi)
        out[c] = Interval(lo, hi, lob, hib)
    return out


def fit(lik, levels=(0.95, 0.90), profile=True):
    """Maximum likelihood with profile-likelihood intervals at `levels` (chi-square(1) cutoffs)."""
    top, theta = maximize(lik)
    f = Fit(model=lik.model, names=lik.model.names, estimate=theta, loglik=top, n=lik.n)
    if profile:
        z_hat = _to_z(lik.model, theta)
        cut = {lv: float(stats.chi2.ppf(lv, 1)) for lv in levels}
        per = [profile_interval(lik, top, z_hat, j, list(cut.values())) for j in range(len(theta))]
        f.intervals = {lv: [per[j][c] for j in range(len(theta))] for lv, c in cut.items()}
    return f


@dataclass
class Test:
    """A likelihood-ratio test of a nested model against a larger one."""

    null: str
    alternative: str
    statistic: float
    df: int
    p_value: float
    reference: str

    def as_dict(self):
        return dict(self.__dict__)


def lr_test(small, large, boundary=False):
    """LR = 2 (log L large - log L small); p-value from chi-square(df), or (boundary: one parameter at the edge
    of its space under the null, q = 0 or m = 1) from the 50:50 mixture of chi-square(0) and chi-square(1)
    (Self and Liang 1987): P(LR >= c) = P(chi2(1) >= c) / 2 for c > 0, and 1 at LR = 0."""
    lr = 2 * (large.loglik - small.loglik)
    lr = 0.0 if lr < 1e-6 else lr  # below the maximizer's precision: the same maximum
    df = large.k - small.k
    if boundary:
        p = 1.0 if lr <= 0 else 0.5 * float(stats.chi2.sf(lr, 1))
        ref = "50:50 chi2(0):chi2(1)"
    else:
        p = float(stats.chi2.sf(lr, df))
        ref = f"chi2({df})"
    return Test(small.model.label(), large.model.label(), lr, df, p, ref)


# --------------------------------------------------------------------------------------------------------------
# Priors and MCMC


@dataclass(frozen=True)
class Prior:
    kind: str  # "uniform" or "log_uniform"
    low: float
    high: float

    def log_density_u(self, u):
        """Log density of u = log(value) (the sampler's scale), -inf outside the support."""
        v = math.exp(u)
        if not self.low <= v <= self.high:
            return -math.inf
        if self.kind == "log_uniform":
            return -math.log(math.log(self.high / self.low))
        return u - math.log(self.high - self.low)  # Jacobian dv/du = v

    def text(self):
        return f"{self.kind} [{self.low:g}, {self.high:g}]"


def priors_from_file(path):
    """{engine key: Prior} from a calibration file's [[parameter]] tables (tomllib); ResultsError naming the
    file and key on a fault."""
    import tomllib
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise ResultsError(f"{path}: cannot read the calibration file ({e.strerror or e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ResultsError(f"{path}: not a TOML file ({e})") from None
    out = {}
    tables = doc.get("parameter", [])
    if not isinstance(tables, list):
        raise ResultsError(f"{path}: [[parameter]] must be an array of tables")
    for i, t in enumerate(tables):
        key = t.get("key") if isinstance(t, dict) else None
        if not isinstance(key, str):
            raise ResultsError(f"{path}: [[parameter]] {i + 1}: missing key")
        kind = t.get("prior", "uniform")
        if kind not in ("uniform", "log_uniform"):
            raise ResultsError(f"{path}: [[parameter]] {key}: prior = {kind!r}; allowed: uniform, log_uniform")
        try:
            lo, hi = float(t["min"]), float(t["max"])
        except (KeyError, TypeError, ValueError):
            raise ResultsError(f"{path}: [[parameter]] {key}: min and max must be numbers") from None
        if not lo < hi or (kind == "log_uniform" and lo <= 0):
            raise ResultsError(f"{path}: [[parameter]] {key}: need min < max (and min > 0 for log_uniform)")
        out[key] = Prior(kind, lo, hi)
    return out


def model_priors(model, file_priors):
    """A Prior per parameter of the model: the file's for its key; the p's the file lacks (p_end, p_2, p_3)
    take bass.p's prior, q uniform [0, 2] and m uniform [0, 1] when the file has none."""
    defaults = {"q": Prior("uniform", 0.0, 2.0), "m": Prior("uniform", 0.0, 1.0),
                "p": Prior("log_uniform", 0.001, 0.5)}
    out = []
    for name in model.names:
        key = KEYS[name]
        if key in file_priors:
            out.append(file_priors[key])
        elif name.startswith("p") and "bass.p" in file_priors:
            out.append(file_priors["bass.p"])
        else:
            out.append(defaults.get(name, defaults["p"]))
    return out


def effective_sample_size(x):
    """ESS of a chain by Geyer's (1992) initial monotone sequence estimator of the autocorrelation sum."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    if n < 4 or np.var(x) == 0:
        return float(n)
    y = x - x.mean()
    f = np.fft.rfft(y, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n] / (n * np.var(x))
    pairs = acf[:n - 1:2][: (n - 1) // 2] + acf[1:n:2][: (n - 1) // 2]
    total, last = 0.0, math.inf
    for g in pairs:
        if g <= 0:
            break
        g = min(g, last)
        total += g
        last = g
    tau = -1.0 + 2.0 * total
    return float(n / max(tau, 1e-12))


@dataclass
class Posterior:
    """MCMC draws of the parameters (after burn-in) with their summaries."""

    model: Model
    treatment: str
    names: list
    priors: list
    samples: np.ndarray
    acceptance: float            # Metropolis acceptance of the parameter moves
    time_changes: float          # share of Gibbs updates that moved a missing time (integrate), else nan
    missing: int
    iterations: int
    burn_in: int
    seed: int
    ess: np.ndarray = None
    median: np.ndarray = None
    lower90: np.ndarray = None
    upper90: np.ndarray = None

    def __post_init__(self):
        self.median = np.median(self.samples, axis=0)
        self.lower90 = np.quantile(self.samples, 0.05, axis=0)
        self.upper90 = np.quantile(self.samples, 0.95, axis=0)
        self.ess = np.array([effective_sample_size(self.samples[:, j]) for j in range(self.samples.shape[1])])

    def as_dict(self):
        return {"model": self.model.label(), "treatment": self.treatment, "parameters": list(self.names),
                "priors": [p.text() for p in self.priors], "median": self.median.tolist(),
                "lower90": self.lower90.tolist(), "upper90": self.upper90.tolist(), "ess": self.ess.tolist(),
                "acceptance": self.acceptance, "time_changes": self.time_changes, "missing": self.missing,
                "iterations": self.iterations, "burn_in": self.burn_in, "seed": self.seed}


class _Augmented:
    """The complete-data state of the "integrate" treatment: every agent's time (the missing ones imputed)
    and the exposures; terms for the fitted and the missing agents.

    The full conditional of a missing agent k's time involves its own term (through the times of those k
    listens to) and the terms of the agents who listen to k (their times and the times of the others they
    listen to). Missing agents none of whose conditionals involves another's time are conditionally
    independent: the sweep updates such a class at once (a greedy colouring of that conflict graph), which is
    the same systematic-scan Gibbs sampler, vectorised."""

    def __init__(self, record, model, rng):
        self.record = record
        self.model = model
        self.T = record.steps
        self.A = record.matrix()
        self.At = sparse.csc_matrix(self.A)  # column k: the agents who listen to k and their a_ik
        self.time = record.time.copy()
        self.miss = np.flatnonzero(record.missing)
        self.terms = record.fitted | record.missing
        self.D = model.design(self.T)
        known = record.time[record.fitted]
        pool = known if known.size else np.array([self.T + 1])
        self.time[self.miss] = rng.choice(pool, size=self.miss.size)  # a start; the burn-in forgets it
        listeners = {}
        for k in self.miss:
            lo, hi = self.At.indptr[k], self.At.indptr[k + 1]
            rows, a = self.At.indices[lo:hi], self.At.data[lo:hi]
            keep = self.terms[rows] & (rows != k) & (a > 0)
            listeners[k] = (rows[keep], a[keep])
        A = self.A
        sources = {k: set(A.indices[A.indptr[k]:A.indptr[k + 1]].tolist()) for k in range(record.size)}
        deps = {}
        for k in self.miss:
            d = set(sources[k]) | set(listeners[k][0].tolist())
            for i in listeners[k][0]:
                d |= sources[int(i)]
            d.discard(int(k))
            deps[int(k)] = d
        classes = []  # greedy colouring: k joins the first class with no conflict either way
        for k in map(int, self.miss):
            for c in classes:
                if not (deps[k] & c["set"]) and not any(k in deps[j] for j in c["set"]):
                    c["set"].add(k)
                    c["agents"].append(k)
                    break
            else:
                classes.append({"set": {k}, "agents": [k]})
        self.classes = []
        for c in classes:
            ks = np.array(c["agents"], dtype=np.int64)
            pk, pi, pa = [], [], []
            for j, k in enumerate(ks):
                rows, a = listeners[int(k)]
                pk.append(np.full(rows.size, j))
                pi.append(rows)
                pa.append(a)
            pk = np.concatenate(pk).astype(np.int64)  # sorted: the pairs of each member together
            has = np.unique(pk)
            starts = np.searchsorted(pk, has)
            self.classes.append((ks, pk, np.concatenate(pi).astype(np.int64), np.concatenate(pa), has, starts))
        self.refresh()

    def refresh(self):
        self.X = exposure_matrix(self.A, self.time, self.T)

    def statistics(self):
        t = self.terms
        return statistics(self.X[t], self.time[t], self.D)

    def logits(self, theta, cls):
        """The log full conditionals (up to constants) of a class's times over 1..T+1: [K, T + 1]."""
        ks, pk, pi_, pa, has, starts = cls
        pi, q, m = self.model.split(theta)
        p_t = self.D @ pi
        T = self.T
        s = np.arange(T)
        cands = np.arange(1, T + 2)
        log_m = math.log(m)
        log_out = math.log1p(-m) if m < 1 else -np.inf
        H = p_t[None, :] + q * self.X[ks]  # [K, T]
        cum = np.hstack((np.zeros((ks.size, 1)), np.cumsum(H, axis=1)))  # cum[:, c - 1]: steps before c
        with np.errstate(divide="ignore"):
            total = np.hstack((log_m - cum[:, :T] + log1mexp(H), np.logaddexp(log_out, log_m - cum[:, T:])))
        if pi_.size and q != 0:
            c_old = self.time[ks]
            tau = self.time[pi_]
            base = self.X[pi_] - pa[:, None] * (s[None, :] >= c_old[pk][:, None])
            Hb = p_t[None, :] + q * base  # [P, T] hazards without k
            cumb = np.hstack((np.zeros((pi_.size, 1)), np.cumsum(Hb, axis=1)))
            rows = np.arange(pi_.size)
            ti = np.minimum(tau, T)
            adopter = (tau <= T)[:, None]
            qa = (q * pa)[:, None]
            before = cumb[rows, ti - 1][:, None] + qa * np.maximum(0, tau[:, None] - 1 - cands[None, :])
            at = Hb[rows, ti - 1][:, None] + qa * (cands[None, :] < tau[:, None])
            S = cumb[:, T][:, None] + qa * np.maximum(0, T - cands[None, :])
            with np.errstate(divide="ignore"):
                terms = np.where(adopter, -before + log1mexp(at), np.logaddexp(log_out, log_m - S))
            total[has] += np.add.reduceat(terms, starts, axis=0)
        return total

    def gibbs(self, theta, rng):
        """One sweep over the missing agents (class by class), each time drawn from its full conditional
        over 1..T+1; returns the number of times changed.

        For candidate c of agent k: its own term from the hazards of its own exposures, and for each agent i
        listening to k with weight share a (time tau_i), k's adoption at c adds q a to i's hazard at every
        step after c: max(0, tau_i - 1 - c) steps before i's adoption and i's adoption step itself if c <
        tau_i (for a never-adopter, max(0, T - c) steps). Closed forms, [agents, T + 1] at a time."""
        T = self.T
        cands = np.arange(1, T + 2)
        steps = np.arange(T)[None, :]
        changed = 0
        for cls in self.classes:
            ks = cls[0]
            total = self.logits(theta, cls)
            c_old = self.time[ks]
            w = np.exp(total - total.max(axis=1, keepdims=True))
            cdf = np.cumsum(w, axis=1)
            pick = (cdf < rng.random(ks.size)[:, None] * cdf[:, -1:]).sum(axis=1)
            c_new = cands[np.minimum(pick, T)]
            changed += int(np.sum(c_new != c_old))
            self.time[ks] = c_new
            _, pk, rows, pa, _, _ = cls
            if rows.size:  # the listeners' exposures; no two members of a class share a listener
                self.X[rows] += pa[:, None] * ((steps >= c_new[pk][:, None]).astype(np.float64)
                                               - (steps >= c_old[pk][:, None]))
        self.refresh()  # every exposure afresh once a sweep (held-out listeners too; no drift)
        return changed

    def conditional(self, theta, k):
        """The log full conditional of missing agent k's time over 1..T+1 (up to a constant), computed
        directly from agent_terms: a check of gibbs' closed forms."""
        pi, q, m = self.model.split(theta)
        p_t = self.D @ pi
        T = self.T
        out = np.empty(T + 1)
        keep = self.time[k]
        for c in range(1, T + 2):
            self.time[k] = c
            X = exposure_matrix(self.A, self.time, T)
            out[c - 1] = agent_terms(p_t[None, :] + q * X[self.terms], self.time[self.terms], m).sum()
        self.time[k] = keep
        return out - out.max()


def _log_posterior(st, model, priors, u):
    lp = sum(pr.log_density_u(v) for pr, v in zip(priors, u))
    if not np.isfinite(lp):
        return -np.inf
    pi, q, m = model.split(np.exp(u))
    return lp + loglik(st, pi, q, m)


def _curvature(f, u, h=1e-3):
    """The inverse of minus the Hessian of f at u by central differences: the starting proposal covariance
    (Roberts and Rosenthal 2001: 2.38^2 / d times the posterior covariance); a diagonal 0.05^2 if it is not
    positive definite there (e.g. at a bound)."""
    d = u.size
    E = np.eye(d) * h
    f0 = f(u)
    Hm = np.empty((d, d))
    for a in range(d):
        for b in range(a, d):
            if a == b:
                v = (f(u + E[a]) - 2 * f0 + f(u - E[a])) / h ** 2
            else:
                v = (f(u + E[a] + E[b]) - f(u + E[a] - E[b]) - f(u - E[a] + E[b]) + f(u - E[a] - E[b])) / (4 * h * h)
            Hm[a, b] = Hm[b, a] = v
    fallback = np.eye(d) * 0.05 ** 2
    if not np.all(np.isfinite(Hm)):
        return fallback
    try:
        cov = np.linalg.inv(-Hm)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return fallback
    return cov


def sample(record, model, priors, iterations=4000, burn_in=None, seed=0, treatment="drop", start=None,
           progress=None, moves=None):
    """Posterior draws by random-walk Metropolis on u = log(parameters) under `priors` (one Prior per
    parameter), with, for treatment "integrate", a Gibbs sweep over the missing agents' times before each
    round of `moves` parameter moves (default 5; one iteration keeps the state after them; data augmentation,
    Tanner and Wong 1987). "drop" needs a record without ties to missing
    agents. The proposal covariance adapts during the burn-in (default iterations // 4) and is then fixed.
    Seeded by numpy's Generator(PCG64(seed)): the same seed gives the same draws. progress(text) is called
    every tenth of the run."""
    if treatment not in TREATMENTS:
        raise ValueError(f"treatment must be one of {', '.join(TREATMENTS)}")
    rng = np.random.Generator(np.random.PCG64(seed))
    moves = 5 if moves is None else int(moves)
    burn = iterations // 4 if burn_in is None else int(burn_in)
    d = len(model.names)
    if treatment == "drop":
        st = Likelihood(record, model).stats
        aug = None
    else:
        aug = _Augmented(record, model, rng)
        st = aug.statistics()
    if start is None:
        start = [math.sqrt(pr.low * pr.high) if pr.kind == "log_uniform" else 0.5 * (pr.low + pr.high)
                 for pr in priors]
    # inside the support, and off a bound at 0 (where the log scale would start the chain far out)
    lows = [pr.low if pr.kind == "log_uniform" else pr.low + 0.01 * (pr.high - pr.low) for pr in priors]
    u = np.log(np.clip(np.asarray(start, dtype=np.float64), np.multiply(lows, 1 + 1e-9),
                       [pr.high * (1 - 1e-9) for pr in priors]))
    cur = _log_posterior(st, model, priors, u)
    scale = 2.38 ** 2 / d
    cov = _curvature(lambda v: _log_posterior(st, model, priors, v), u)
    kept = np.empty((iterations, d))
    accepted = proposals = 0
    changes = updates = 0
    history = []
    window = 0
    factor = 1.0
    total = burn + iterations
    for it in range(total):
        if aug is not None:
            moved = aug.gibbs(np.exp(u), rng)
            if it >= burn:
                changes += moved
                updates += aug.miss.size
            st = aug.statistics()
            cur = _log_posterior(st, model, priors, u)
        took = 0
        for _ in range(moves):
            prop = u + np.linalg.cholesky(factor * scale * cov) @ rng.standard_normal(d)
            new = _log_posterior(st, model, priors, prop)
            take = math.log(rng.random()) < new - cur
            if take:
                u, cur = prop, new
            took += take
        if it < burn:
            history.append(u.copy())
            window += took / moves
            if (it + 1) % 100 == 0:  # adapt: the scale towards 25% acceptance, the shape from the burn-in so far
                rate = window / 100
                window = 0
                factor *= math.exp(2.0 * (rate - 0.25))
                if len(history) >= 200 and rate > 0.05:
                    h = np.array(history[len(history) // 2:])
                    cov = np.cov(h.T).reshape(d, d) + np.eye(d) * 1e-10
        else:
            proposals += moves
            accepted += took
            kept[it - burn] = np.exp(u)
        if progress is not None and total >= 10 and (it + 1) % (total // 10) == 0:
            progress(f"{treatment} MCMC, {model.label()}: {it + 1}/{total} iterations"
                     + (" (burn-in)" if it < burn else ""))
    return Posterior(model=model, treatment=treatment, names=model.names, priors=list(priors), samples=kept,
                     acceptance=accepted / max(proposals, 1),
                     time_changes=changes / updates if updates else float("nan"),
                     missing=int(record.missing.sum()), iterations=iterations, burn_in=burn, seed=seed)


# --------------------------------------------------------------------------------------------------------------
# Bayes factors by quadrature


def _log_trapezoid(logf, x, axis=-1):
    """log of the trapezoid integral of exp(logf) over the grid x along `axis`."""
    w = np.zeros_like(x)
    dx = np.diff(x)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    shape = [1] * logf.ndim
    shape[axis] = -1
    with np.errstate(divide="ignore"):
        return np.logaddexp.reduce(logf + np.log(w).reshape(shape), axis=axis)


def marginal_likelihoods(lik, p_prior, widths, p_points=400, q_points=401):
    """log marginal likelihoods of the constant-outside bass model, m = 1, by trapezoid quadrature: without
    the network (q = 0) over p ~ p_prior (1-D) and with it over p ~ p_prior, q ~ U(0, w) for each w (2-D).
    Returns (log m0, {w: log m1(w)})."""
    if lik.model.outside != "constant" or lik.model.market:
        raise ValueError("the quadrature is for the constant-outside model without market potential")
    st = lik.stats
    if p_prior.kind == "log_uniform":
        u = np.linspace(math.log(p_prior.low), math.log(p_prior.high), p_points)
        p = np.exp(u)
        log_prior_u = -math.log(math.log(p_prior.high / p_prior.low))
    else:
        u = np.linspace(max(p_prior.low, 1e-12), p_prior.high, p_points)
        p = u
        log_prior_u = -math.log(p_prior.high - p_prior.low)
    nb = float(st.before_d.sum() + st.never_d[0] * st.never_x.size)  # agent-steps survived
    xb = float(st.before_x.sum() + st.never_x.sum())
    xa, counts = np.unique(st.at_x, return_counts=True)

    def grid(qs):  # log L on [p, q]
        out = -p[:, None] * nb - qs[None, :] * xb
        for x, c in zip(xa, counts):
            out = out + c * log1mexp(p[:, None] + qs[None, :] * x)
        return out

    log_m0 = float(_log_trapezoid(grid(np.zeros(1))[:, 0] + log_prior_u, u))
    log_m1 = {}
    for w in widths:
        qs = np.linspace(0.0, w, q_points)
        inner = _log_trapezoid(grid(qs) - math.log(w), qs, axis=1)
        log_m1[w] = float(_log_trapezoid(inner + log_prior_u, u))
    return log_m0, log_m1


# --------------------------------------------------------------------------------------------------------------
# Loading a calibration file through the engine's bindings


def _module(path):
    try:
        import groundswell
    except ImportError as e:
        raise ResultsError(f"{path}: the groundswell module is needed to read a calibration file ({e}); build it "
                           f"and put build/python on PYTHONPATH") from None
    if not hasattr(groundswell, "observed_record"):
        raise ResultsError(f"{path}: the groundswell module ({os.path.dirname(groundswell.__file__)}) has no "
                           f"observed_record; rebuild it from this checkout")
    return groundswell


def has_exposure_network():
    """Whether the bindings give the engine's exposure networks (Organization.exposure_network)."""
    try:
        import groundswell
    except ImportError:
        return False
    return hasattr(groundswell.Organization, "exposure_network")


def load_record(path, exposure="cohesion", drop=True, power=1.0):
    """The observed record of a calibration file through the engine: groundswell.observed_record (with drop,
    [observed] unrecorded = "drop": the unrecorded agents removed from the organization) and the exposure
    network of Organization.exposure_network (CSR of in-ties: agent i weighs sources[offsets[i]:offsets[i+1]]);
    "cohesion" without that binding is the organization's own listens-to CSR, the same arrays.
    ResultsError naming the file (the engine's message) for bad input."""
    gs = _module(path)
    if not os.path.isfile(path):
        raise ResultsError(f"{path}: file not found")
    try:
        obs = gs.observed_record(os.fspath(path), overrides={"observed.unrecorded": "drop" if drop else "simulate"})
        org = obs.organization
        if hasattr(org, "exposure_network"):
            net = org.exposure_network(definition=exposure, power=power)
        elif exposure == "cohesion":
            net = {"offsets": org.offsets, "sources": org.sources, "weights": org.weights}
        else:
            raise ResultsError(f"{path}: exposure {exposure} needs Organization.exposure_network, which this build "
                               f"of the groundswell module lacks")
    except gs.InputError as e:
        raise ResultsError(str(e).strip().splitlines()[0] if str(e).strip() else f"{path}: bad calibration file") \
            from None
    rec = Record(offsets=net["offsets"], sources=net["sources"], weights=net["weights"], time=obs.time,
                 role=obs.role, steps=obs.steps, ids=list(obs.ids), name=obs.experiment.name)
    rec = rec.without_missing_ties() if drop else rec
    rec.dropped = int(getattr(obs, "dropped", 0)) + (rec.dropped if drop else 0)
    return rec


# --------------------------------------------------------------------------------------------------------------
# The report of `python3 -m analysis calibration FILE.toml`

#: Default MCMC iterations after burn-in of the report (the structural-equivalence weights are dense: a Gibbs
#: sweep over Medical Innovation's 121 unrecorded costs about 40 ms, the report about 80 s on one core).
MCMC_ITERATIONS = 1000

#: Widths w of the q ~ U(0, w) priors of the Bayes-factor table.
BF_WIDTHS = (0.1, 0.3, 0.5, 1.0, 2.0)


def _models(outsides, breaks, markets, exposures):
    """The drop table's models: per (outside, market), no network and then each exposure."""
    out = []
    for outside in outsides:
        for market in markets:
            b = breaks if outside == "piecewise" else ()
            out.append(Model(outside=outside, breaks=b, network=False, market=market))
            for e in exposures:
                out.append(Model(outside=outside, breaks=b, network=True, market=market, exposure=e))
    return out


def _say(text):
    print(text, file=sys.stderr, flush=True)


def analyse(path, unrecorded=("drop", "integrate"), exposures=EXPOSURES, outsides=OUTSIDE, breaks=(8,),
            markets=(False, True), iterations=1000, seed=None, widths=BF_WIDTHS, progress=_say, records=None):
    """Every fit of the report as a dict (see format_report). records: {(exposure, drop): Record} to use
    instead of loading `path` through the bindings (tests, records built in numpy)."""
    records = {} if records is None else dict(records)

    def record(exposure, drop):
        if (exposure, drop) not in records:
            records[(exposure, drop)] = load_record(path, exposure, drop)
        return records[(exposure, drop)]

    file_priors = priors_from_file(path) if path is not None else {}
    base = record(exposures[0] if "cohesion" not in exposures else "cohesion", True)
    T = base.steps
    if "piecewise" in outsides:
        bad = [b for b in breaks if not 2 <= b <= T]
        if bad or not 1 <= len(breaks) <= 2 or list(breaks) != sorted(set(breaks)):
            raise ResultsError(f"{path}: --breaks {','.join(map(str, breaks))}: one or two increasing steps "
                               f"in 2..{T} (experiment.steps = {T})")
    seed = int(seed) if seed is not None else 0
    result = {"file": os.fspath(path) if path is not None else "", "name": base.name, "counts": {}, "hazard": fitted_hazard(base).tolist(),
              "fits": [], "tests": [], "posteriors": [], "bayes_factors": [], "seed": seed,
              "iterations": iterations}
    fits = {}
    if "drop" in unrecorded or "integrate" in unrecorded:
        for m in _models(outsides, breaks, markets, exposures):
            lik = Likelihood(record(m.exposure, True), m)
            fits[m] = fit(lik)
            result["fits"].append(fits[m])
        result["counts"]["drop"] = base.counts()
        for m, f in fits.items():
            if m.network:
                result["tests"].append(("q", lr_test(fits[m.nested_without_q()], f, boundary=True)))
        for m, f in fits.items():  # each nested pair of the models asked for (--outside, --market)
            small = replace(m, outside="constant", breaks=())
            if m.outside != "constant" and small in fits:
                result["tests"].append(("outside", lr_test(fits[small], f)))
            if m.market and replace(m, market=False) in fits:
                result["tests"].append(("m", lr_test(fits[replace(m, market=False)], f, boundary=True)))
    main = [Model(network=False)] + [Model(exposure=e) for e in exposures]
    for treatment in [t for t in TREATMENTS if t in unrecorded]:
        for m in main:
            rec = record(m.exposure, treatment == "drop")
            f = fits.get(m) or fit(Likelihood(record(m.exposure, True), m), profile=False)
            post = sample(rec, m, model_priors(m, file_priors), iterations=iterations, seed=seed,
                          treatment=treatment, start=f.estimate, progress=progress)
            result["posteriors"].append(post)
        if treatment == "integrate":
            result["counts"]["integrate"] = record(main[0].exposure, False).counts()
    p_prior = model_priors(Model(network=False), file_priors)[0]
    for e in exposures:
        lik = Likelihood(record(e, True), Model(exposure=e))
        log_m0, log_m1 = marginal_likelihoods(lik, p_prior, widths)
        result["bayes_factors"].append({"exposure": e, "p_prior": p_prior.text(), "log_m0": log_m0,
                                        "log_m1": {float(w): v for w, v in log_m1.items()},
                                        "bf01": {float(w): math.exp(log_m0 - v) for w, v in log_m1.items()}})
    return result


def _num(v):
    return f"{v:.4g}"


def format_report(r):
    """The printed report of analyse()'s result."""
    lines = []
    c = r["counts"].get("drop") or r["counts"].get("integrate")
    lines.append(f"{r['name'] or r['file']}: individual-level likelihood of the bass rule ({r['file']})")
    lines.append(f"record: {c['agents'] + (c['dropped'] if c['missing'] == 0 else 0)} agents, {c['steps']} steps; {c['fitted']} fitted ({c['adopted']} adopted "
                 f"by step {c['steps']}, {c['never']} never), {c['dropped'] or c['missing']} unrecorded, "
                 f"{c['held_out']} held out, {c['seeds']} seeds")
    h = np.asarray(r["hazard"])
    lines.append(f"observed hazard among the fitted at risk, steps 1..{h.size}: " +
                 " ".join("-" if np.isnan(v) else f"{v:.2f}" for v in h))
    for note in r.get("notes", ()):
        lines.append(f"note: {note}")
    if r["fits"]:
        d = r["counts"]["drop"]
        lines.append("")
        lines.append(f"Maximum likelihood, unrecorded = drop (ties to the {d['dropped']} unrecorded dropped; exact "
                     f"likelihood of the {d['fitted']} fitted; n = {d['fitted']} for BIC)")
        lines.append(f"{'#':>3}  {'model':<52} {'k':>2} {'log L':>10} {'AIC':>9} {'BIC':>9} {'LR(q=0)':>8} "
                     f"{'p':>7}")
        index = {id(f): i + 1 for i, f in enumerate(r["fits"])}
        qtests = {t.alternative: t for kind, t in r["tests"] if kind == "q"}
        for f in r["fits"]:
            t = qtests.get(f.model.label())
            lr = f"{t.statistic:>8.2f} {t.p_value:>7.3g}" if t else f"{'':>8} {'':>7}"
            lines.append(f"{index[id(f)]:>3}  {f.model.label():<52} {f.k:>2} {f.loglik:>10.3f} {f.aic:>9.2f} "
                         f"{f.bic:>9.2f} {lr}")
        lines.append("LR(q=0): 2 (log L - log L of the model without the network), p-value from the 50:50 mixture "
                     "of chi2(0) and chi2(1) (q = 0 is on the boundary; Self and Liang 1987)")
        lines.append("")
        lines.append("MLEs with profile-likelihood intervals (chi2(1) cutoffs 3.841 and 2.706; "
                     "'(bound)': the profile stays within the cutoff up to the edge of the parameter space)")
        for f in r["fits"]:
            lines.append(f"{index[id(f)]:>3}  {f.model.label()}")
            for j, name in enumerate(f.names):
                i95, i90 = f.intervals[0.95][j], f.intervals[0.90][j]
                # A p at the bottom of its log scale (1e-8) is the boundary p = 0, printed as such.
                at_zero = name.startswith("p") and f.estimate[j] <= 1.000001 * math.exp(_LOG_P_BOUNDS[0])
                estimate = f"{'0 (bound)':>9}" if at_zero else f"{f.estimate[j]:>9.4g}"
                lines.append(f"       {name:<6} {estimate}   95% {i95.text():<30} 90% {i90.text()}")
        others = [t for kind, t in r["tests"] if kind != "q"]
        if others:
            lines.append("")
            lines.append("Other nested tests (LR, reference distribution, p-value):")
            for t in others:
                lines.append(f"     {t.alternative:<52} vs {t.null:<46} LR {t.statistic:>7.2f}  {t.reference:<22} "
                             f"p {t.p_value:.3g}")
    if r["posteriors"]:
        lines.append("")
        ci = r["counts"].get("integrate")
        lines.append(f"Posteriors by MCMC: per iteration 5 random-walk Metropolis moves on the log parameters "
                     f"(integrate: after a Gibbs sweep over the unrecorded agents' times); {r['iterations']} "
                     f"iterations after a burn-in of {r['iterations'] // 4}, seed {r['seed']}"
                     + (f"; integrate: {ci['missing']} missing times" if ci else ""))
        lines.append(f"     {'treatment':<10} {'model':<40} {'param':<6} {'median':>9} {'90% interval':>24} "
                     f"{'ESS':>7} {'accept':>7} {'moved':>6}  prior")
        for p in r["posteriors"]:
            for j, name in enumerate(p.names):
                moved = "-" if np.isnan(p.time_changes) else f"{p.time_changes:.2f}"
                lines.append(f"     {p.treatment:<10} {p.model.label():<40} {name:<6} {p.median[j]:>9.4g} "
                             f"{f'[{_num(p.lower90[j])}, {_num(p.upper90[j])}]':>24} {p.ess[j]:>7.0f} "
                             f"{p.acceptance:>7.2f} {moved:>6}  {p.priors[j].text()}")
        lines.append("accept: Metropolis acceptance of the parameter moves; moved: share of Gibbs updates that "
                     "changed an unrecorded agent's time; ESS: Geyer's initial monotone sequence")
    if r["bayes_factors"]:
        lines.append("")
        lines.append("Bayes factors BF(no network : network), exact likelihood (drop), p constant, m = 1, by "
                     "quadrature: p ~ " + r["bayes_factors"][0]["p_prior"] + ", q ~ U(0, w)")
        widths = list(r["bayes_factors"][0]["bf01"])
        lines.append(f"     {'exposure':<24}" + "".join(f"{f'w = {w:g}':>11}" for w in widths))
        for b in r["bayes_factors"]:
            lines.append(f"     {b['exposure']:<24}" + "".join(f"{b['bf01'][w]:>11.3g}" for w in widths))
        lines.append("     BF > 1 favours the model without the network; the factor grows with w: a wider prior on q "
                     "spreads the network model's prior mass over values the data rule out (an Occam factor)")
    return "\n".join(lines) + "\n"


def _jsonable(r):
    out = dict(r)
    out["fits"] = [f.as_dict() for f in r["fits"]]
    out["tests"] = [dict(kind=k, **t.as_dict()) for k, t in r["tests"]]
    out["posteriors"] = [p.as_dict() for p in r["posteriors"]]
    out["hazard"] = [None if np.isnan(v) else v for v in r["hazard"]]
    out["bayes_factors"] = [{**b, "log_m1": {str(w): v for w, v in b["log_m1"].items()},
                             "bf01": {str(w): v for w, v in b["bf01"].items()}} for b in r["bayes_factors"]]
    return out


def check_output(path, inputs=()):
    """The results format of `path` (.json, .h5); ResultsError for an input or an unknown extension."""
    real = os.path.realpath(path)
    for i in inputs:
        if os.path.realpath(i) == real:
            raise ResultsError(f"{path}: is an input of the report; choose another output")
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in (".json", ".h5", ".hdf5"):
        raise ResultsError(f"{path}: unknown results format {ext or '(none)'!r}; use .json or .h5")
    return ext


def write_results(r, path, inputs=()):
    """The results as JSON (.json) or HDF5 (.h5, .hdf5), written under a temporary name beside `path` and
    renamed, so that `path` is always whole; refuses to write over an input."""
    ext = check_output(path, inputs)
    data = _jsonable(r)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        try:
            if ext == ".json":
                import json
                with open(tmp, "w", encoding="utf-8") as f:
                    json.dump(data, f, indent=1, allow_nan=True)
                    f.write("\n")
            else:
                _write_h5(r, data, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    except OSError as e:
        raise ResultsError(f"{path}: cannot write the results ({e.strerror or e})") from None


def _write_h5(r, data, path):
    import json
    import h5py
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "groundswell-likelihood"
        f.attrs["format_version"] = 1
        f.attrs["calibration_file"] = data["file"]
        f.attrs["seed"] = data["seed"]
        f.attrs["report"] = json.dumps(data)  # every number of the report
        f.create_dataset("hazard", data=np.asarray(r["hazard"], dtype=np.float64))
        for i, fi in enumerate(r["fits"]):
            g = f.create_group(f"fits/{i:02d}")
            g.attrs["model"] = fi.model.label()
            g.attrs["loglik"], g.attrs["aic"], g.attrs["bic"] = fi.loglik, fi.aic, fi.bic
            g.create_dataset("parameters", data=np.array(fi.names, dtype=h5py.string_dtype()))
            g.create_dataset("estimate", data=fi.estimate)
            for lv, ivs in fi.intervals.items():
                g.create_dataset(f"interval{int(round(100 * lv))}", data=np.array([[iv.low, iv.high] for iv in ivs]))
        for i, p in enumerate(r["posteriors"]):
            g = f.create_group(f"posteriors/{i:02d}")
            g.attrs["model"], g.attrs["treatment"] = p.model.label(), p.treatment
            g.attrs["acceptance"] = p.acceptance
            g.create_dataset("parameters", data=np.array(p.names, dtype=h5py.string_dtype()))
            g.create_dataset("samples", data=p.samples)


def _list(text, allowed, what):
    items = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in items if s not in allowed]
    if bad or not items:
        raise ResultsError(f"--{what} {text}: allowed: {', '.join(allowed)} (comma-separated)")
    return items


def command(args):
    """`python3 -m analysis calibration FILE.toml`: the likelihood report."""
    path = args.results
    if not os.path.isfile(path):
        raise ResultsError(f"{path}: file not found")
    if args.output:
        check_output(args.output, inputs=[path])  # before the work, not after
    unrecorded = {"drop": ("drop",), "integrate": ("integrate",), "both": TREATMENTS}[args.unrecorded or "both"]
    notes = []
    if args.exposure is None and not has_exposure_network():
        exposures = ["cohesion"]
        notes.append("structural_equivalence left out: this build of the groundswell module has no "
                     "Organization.exposure_network")
    else:
        exposures = _list(args.exposure or ",".join(EXPOSURES), EXPOSURES, "exposure")
    outsides = _list(args.outside or ",".join(OUTSIDE), OUTSIDE, "outside")
    markets = [v == "on" for v in _list(args.market or "off,on", ("off", "on"), "market")]
    try:
        breaks = tuple(int(b) for b in (args.breaks or "8").split(","))
    except ValueError:
        raise ResultsError(f"--breaks {args.breaks}: one or two step numbers, comma-separated") from None
    r = analyse(path, unrecorded, exposures, outsides, breaks, markets, args.mcmc or MCMC_ITERATIONS, args.seed)
    r["notes"] = notes
    sys.stdout.write(format_report(r))
    if args.output:
        write_results(r, args.output, inputs=[path])
        print(f"wrote {args.output}")
