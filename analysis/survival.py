"""Times to 50% as censored data: Kaplan-Meier curves, their median, and the restricted mean time (RMST).

A trial that did not reach 50% by the last step T is *right-censored at T* (docs/output.md): its time is only
known to exceed T. Nothing here uses a censored time as a number.

- Kaplan-Meier product-limit estimate S(t) = prod over event times t_i <= t of (1 - d_i / n_i), with the
  Greenwood variance Var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i)) (Kaplan & Meier 1958,
  doi:10.1080/01621459.1958.10501452; Greenwood 1926). A trial censored at t is still at risk at t.
- Median: the first t with S(t) <= 0.5. Its 95% CI is Brookmeyer-Crowley's (1982, doi:10.2307/2530286) with
  the plain Greenwood band S(t) +- 1.96 SE(t): the lower limit is the first t where S - 1.96 SE <= 0.5, the
  upper limit the first t where S + 1.96 SE <= 0.5 (the medians of the two edges of the band, as R's survfit
  reports them). A limit is "not reached" (NaN, printed "> T") when the band does not come down to 0.5 by T.
- RMST over [0, tau]: the area under S, = E[min(time, tau)]. With the engine's single censoring time T and
  tau = T it is exactly the mean over trials of min(t, T) with not reached = T, so a paired difference of RMST
  is the mean of the per-trial differences and is bootstrapped by resampling trial indices (trials are paired
  by common random numbers, MODEL.md 7).
"""

from dataclasses import dataclass
import math

import numpy as np

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


@dataclass
class KaplanMeier:
    """The product-limit estimate at each distinct event time (ascending)."""

    time: np.ndarray  # event times
    at_risk: np.ndarray  # n_i
    events: np.ndarray  # d_i
    survival: np.ndarray  # S(t_i): share of trials not yet at 50% just after t_i
    se: np.ndarray  # Greenwood standard error of S(t_i)
    trials: int
    reached: int  # trials with an event
    horizon: float  # the last time observed (T): S is known on [0, horizon]

    def at(self, t):
        """S(t) (right-continuous step; 1 before the first event)."""
        k = np.searchsorted(self.time, t, side="right")
        return 1.0 if k == 0 else float(self.survival[k - 1])


def kaplan_meier(times, observed, horizon=None):
    """Kaplan-Meier estimate of the time to an event.

    times: event or censoring time of each trial; observed: True where the event happened at that time, False
    where the trial was censored then. horizon: the end of follow-up (default: the largest time).
    Cost O(n log n).
    """
    t = np.asarray(times, dtype=np.float64)
    e = np.asarray(observed, dtype=bool)
    if t.shape != e.shape or np.any(np.isnan(t)):
        raise ValueError("times and observed must have the same shape and times no NaN")
    uniq = np.unique(t[e])
    at_risk = np.array([np.sum(t >= u) for u in uniq], dtype=np.int64)
    events = np.array([np.sum((t == u) & e) for u in uniq], dtype=np.int64)
    surv = np.cumprod(1.0 - events / at_risk) if uniq.size else np.empty(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = events / (at_risk * (at_risk - events))
        gw = np.cumsum(terms)
        se = np.where(surv > 0, surv * np.sqrt(gw), 0.0)  # S = 0 once everyone at risk had the event
    top = float(t.max()) if t.size else 0.0
    return KaplanMeier(time=uniq, at_risk=at_risk, events=events, survival=surv, se=se, trials=int(t.size),
                       reached=int(e.sum()), horizon=float(top if horizon is None else horizon))


def censored_times(values, censored_at):
    """(times, observed) of a time to 50% as stored (NaN = not reached by censored_at = T)."""
    v = np.asarray(values, dtype=np.float64)
    observed = ~np.isnan(v)
    return np.where(observed, v, float(censored_at)), observed


def km_of(values, censored_at):
    """Kaplan-Meier of a time to 50% as stored (NaN = censored at censored_at)."""
    t, e = censored_times(values, censored_at)
    return kaplan_meier(t, e, horizon=max(float(censored_at), float(t.max()) if t.size else 0.0))


def _first_at_or_below(time, curve, level=0.5):
    k = np.nonzero(curve <= level + 1e-12)[0]
    return float(time[k[0]]) if k.size else math.nan


@dataclass
class Median:
    """Kaplan-Meier median with its Brookmeyer-Crowley 95% CI; NaN = not reached by the horizon."""

    median: float
    low: float
    high: float
    reached: int
    trials: int
    horizon: float


def km_median(km):
    """Median and 95% CI of a KaplanMeier (see the module doc: Brookmeyer-Crowley, plain Greenwood band)."""
    med = _first_at_or_below(km.time, km.survival)
    low = _first_at_or_below(km.time, km.survival - Z95 * km.se)
    high = _first_at_or_below(km.time, km.survival + Z95 * km.se)
    return Median(median=med, low=low, high=high, reached=km.reached, trials=km.trials, horizon=km.horizon)


def rmst_km(km, tau):
    """Restricted mean time over [0, tau]: the area under the Kaplan-Meier step curve."""
    edges = np.concatenate(([0.0], km.time[km.time < tau], [tau]))
    levels = np.concatenate(([1.0], km.survival[km.time < tau]))
    return float(np.sum(levels * np.diff(edges)))


def rmst(values, censored_at):
    """Restricted mean time to 50% over the horizon T: the mean of min(t, T) with not reached = T."""
    t, _ = censored_times(values, censored_at)
    return float(np.minimum(t, censored_at).mean()) if t.size else math.nan


def capped(values, censored_at):
    """Per trial min(t, T), with not reached = T: what RMST averages (never NaN)."""
    t, _ = censored_times(values, censored_at)
    return np.minimum(t, float(censored_at))


def _cell(m, v):
    return f"> {m.horizon:.0f}" if math.isnan(v) else f"{v:.0f}"


def format_ci(m):
    """'[28, 35]', a limit not reached by the horizon T as '> T'."""
    return f"[{_cell(m, m.low)}, {_cell(m, m.high)}]"


def format_median(m, unit=" wk"):
    """'31 wk [28, 35]' or '> 52 wk [40, > 52]' (not reached by the horizon)."""
    return f"{_cell(m, m.median)}{unit} {format_ci(m)}"
