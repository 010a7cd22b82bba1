"""Paired comparisons between scenarios (trials are paired by common random numbers, MODEL.md 7)."""

from dataclasses import dataclass, asdict
import csv
import math
import warnings

import numpy as np
from scipy import stats

from .results import TIMES

#: Metrics compared, internalized first, with the unit used when printing them.
COMPARED = {
    "final_internalized": "share",
    "final_adopted": "share",
    "t50_internalized": "weeks",
    "t50": "weeks",
    "peak_resistance": "share",
}

#: What each metric shows, in the words of MODEL.md 7 (the word first).
WORDS = {
    "final_internalized": "internalized (A), share at the end",
    "final_adopted": "adopted (A + C), share at the end",
    "t50_internalized": "internalized (A): week it reached 50%",
    "t50": "adopted (A + C): week it reached 50%",
    "peak_compliance": "complying (C): peak share",
    "peak_resistance": "resisting (R): peak share",
    "departments_internalized": "internalized (A): departments at 50% at the end",
    "departments_reached": "adopted (A + C): departments at 50% at the end",
}


@dataclass
class Difference:
    """Scenario minus baseline for one metric, over the usable trial pairs."""

    scenario: str
    baseline: str
    metric: str
    n: int  # pairs used
    trials: int  # pairs available
    mean_scenario: float
    mean_baseline: float
    mean_diff: float
    ci_low: float
    ci_high: float
    p_wilcoxon: float
    p_ttest: float


def bootstrap_mean_ci(x, n_boot=2000, seed=0, level=0.95):
    """Percentile bootstrap interval of the mean of x (resampling its entries); NaN for fewer than 2 values."""
    x = np.asarray(x, dtype=np.float64)
    if x.size < 2:  # one value says nothing about its spread
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for start in range(0, n_boot, 500):  # in blocks, to bound memory for many trials
        stop = min(n_boot, start + 500)
        means[start:stop] = x[rng.integers(0, x.size, size=(stop - start, x.size))].mean(axis=1)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def paired_tests(d):
    """p-values of the Wilcoxon signed-rank test and the paired t test that the mean of d is 0.

    NaN when a test is undefined (fewer than 2 pairs, or every difference 0 or equal).
    """
    d = np.asarray(d, dtype=np.float64)
    p_w = p_t = math.nan
    if d.size >= 2 and np.any(d != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                p_w = float(stats.wilcoxon(d).pvalue)
            except ValueError:
                pass
            if np.ptp(d) > 0:
                p_t = float(stats.ttest_1samp(d, 0.0).pvalue)
    elif d.size >= 2:
        p_w = p_t = 1.0  # identical in every pair: no evidence of a difference
    return p_w, p_t


def paired_difference(scen, base, metric, n_boot=2000, seed=0):
    """Difference of one metric, scenario minus baseline, trial by trial.

    For the times to 50% (t50_internalized, t50), only pairs where both reached 50% by step T count: a NaN
    time is censored (only known to exceed T) and is never used as a number.
    """
    x = scen.metrics[metric].astype(np.float64)
    y = base.metrics[metric].astype(np.float64)
    keep = np.ones(x.size, dtype=bool)
    if metric in TIMES:
        keep = ~np.isnan(x) & ~np.isnan(y)
    d = x[keep] - y[keep]
    low, high = bootstrap_mean_ci(d, n_boot, seed)
    p_w, p_t = paired_tests(d)
    mean = lambda v: float(v.mean()) if v.size else math.nan  # noqa: E731
    return Difference(scenario=scen.name, baseline=base.name, metric=metric, n=int(d.size), trials=int(x.size),
                      mean_scenario=mean(x[keep]), mean_baseline=mean(y[keep]), mean_diff=mean(d),
                      ci_low=low, ci_high=high, p_wilcoxon=p_w, p_ttest=p_t)


def compare(results, baseline, scenarios=None, n_boot=2000, seed=0):
    """Differences of every compared metric, for every scenario other than the baseline.

    A metric the file lacks (t50_internalized in a format-1 file) is left out: see absent_metrics.
    """
    base = results.scenario(baseline)
    rows = []
    for s in results.select(scenarios):
        if s.name == base.name:
            continue
        rows += [paired_difference(s, base, m, n_boot, seed) for m in COMPARED
                 if m in s.metrics and m in base.metrics]
    return rows


def absent_metrics(results):
    """Compared metrics that some scenario of the file lacks (files written before format 2)."""
    return [m for m in COMPARED if any(m not in s.metrics for s in results.scenarios)]


def _num(v, digits=3, unit=""):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}{unit}"


def _p(v):
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    return "<0.001" if v < 0.001 else f"{v:.3f}"


TABLE_HEADER = ("scenario", "metric", "shows", "pairs", "scenario mean", "baseline mean", "difference",
                "95% CI", "Wilcoxon p", "t-test p")
#: Columns of TABLE_HEADER that hold text (left-aligned).
TEXT_COLUMNS = 3


def table_rows(rows):
    """Rows of formatted strings (see TABLE_HEADER), shared by the text table and the HTML report."""
    out = []
    for r in rows:
        weeks = COMPARED.get(r.metric) == "weeks"
        digits = 1 if weeks else 3
        unit = " wk" if weeks else ""
        diff = "n/a" if math.isnan(r.mean_diff) else f"{r.mean_diff:+.{digits}f}{unit}"
        out.append((r.scenario, r.metric, WORDS.get(r.metric, r.metric), f"{r.n}/{r.trials}",
                    _num(r.mean_scenario, digits, unit),
                    _num(r.mean_baseline, digits, unit), diff,
                    f"[{_num(r.ci_low, digits)}, {_num(r.ci_high, digits)}]", _p(r.p_wilcoxon), _p(r.p_ttest)))
    return out


def censoring_note():
    """How the times to 50% are compared (shared by the text table and the HTML report)."""
    return ("Weeks to 50% (t50_internalized: internalized A >= 50%; t50: adopted A + C >= 50%) use only the "
            "pairs where both scenarios reached 50% by the last week; a trial that did not is censored (its time "
            "is only known to be later) and is left out, never counted as a number, so these means favour fast "
            "trials. The pairs column says how many pairs were used.")


def absent_note(absent):
    """Why a compared metric is missing from the table, or '' when none is."""
    if not absent:
        return ""
    return (f"Not in this file: {', '.join(absent)} (written before format_version 2; re-run with a newer "
            "groundswell to get it).")


def format_table(rows, n_boot, seed, absent=()):
    """The comparison as a plain-text table with a short legend; absent: metrics the file lacks."""
    lines = []
    if not rows:
        return "Nothing to compare: the file has no scenario other than the baseline.\n"
    body = [TABLE_HEADER] + table_rows(rows)
    widths = [max(len(r[i]) for r in body) for i in range(len(TABLE_HEADER))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < TEXT_COLUMNS else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths)))
    lines.append(f"Paired differences, scenario minus baseline '{rows[0].baseline}', trial by trial")
    lines.append(fmt(body[0]))
    lines.append("  ".join("-" * w for w in widths))
    last = None
    for r, text in zip(rows, body[1:]):
        if last is not None and r.scenario != last:
            lines.append("")
        lines.append(fmt(text))
        last = r.scenario
    lines.append("")
    lines.append("pairs: trials used / trials (paired trial by trial by common random numbers).")
    lines.append(censoring_note())
    if absent:
        lines.append(absent_note(absent))
    lines.append(f"95% CI: percentile bootstrap of the mean difference ({n_boot} resamples of trials, seed {seed}).")
    return "\n".join(lines) + "\n"


def write_csv(rows, path):
    """Every Difference as one CSV row, full precision."""
    names = list(Difference.__dataclass_fields__)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in rows:
            w.writerow(asdict(r))
