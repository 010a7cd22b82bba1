"""Paired comparisons between scenarios (trials are paired by common random numbers, MODEL.md 7)."""

from dataclasses import dataclass, asdict
import csv
import math
import warnings

import numpy as np
from scipy import stats

from . import survival
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
    "t50_internalized": "internalized (A): weeks to 50%, RMST (not reached = T)",
    "t50": "adopted (A + C): weeks to 50%, RMST (not reached = T)",
    "peak_compliance": "complying (C): peak share",
    "peak_resistance": "resisting (R): peak share",
    "departments_internalized": "internalized (A): departments at 50% at the end",
    "departments_reached": "adopted (A + C): departments at 50% at the end",
}


@dataclass
class Difference:
    """Scenario minus baseline for one metric over every trial pair.

    Shares: means. Times to 50% (TIMES): restricted means over the horizon T (RMST, the mean of min(t, T) with
    not reached = T), never the mean of the trials that reached; p_ttest is then NaN (not applied).
    """

    scenario: str
    baseline: str
    metric: str
    n: int  # pairs used (all of them)
    trials: int  # pairs available
    mean_scenario: float
    mean_baseline: float
    mean_diff: float
    ci_low: float
    ci_high: float
    p_wilcoxon: float
    p_ttest: float
    statistic: str = "mean"  # "mean" (shares) or "RMST" (times to 50%)
    reached_scenario: int = -1  # times only: trials of the scenario that reached 50% by T (-1 for shares)
    reached_baseline: int = -1
    horizon: float = math.nan  # times only: T


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
    """Difference of one metric, scenario minus baseline, trial by trial, over every pair.

    For the times to 50% (t50_internalized, t50) the statistic is the restricted mean time to 50% over the
    horizon T (RMST: the mean of min(t, T), a trial that did not reach 50% counting T; survival.py). Its 95% CI
    is a paired bootstrap (trial indices resampled, seeded); its p-value the Wilcoxon signed-rank test of the
    per-pair differences of min(t, T); no t test (the capped times pile up at T). Using only the pairs where
    both reached would favour fast, rare successes and can reverse the sign.
    """
    x = scen.metrics[metric].astype(np.float64)
    y = base.metrics[metric].astype(np.float64)
    extra = {}
    if metric in TIMES:
        T = float(np.nanmax([scen.censored_at, base.censored_at, *x, *y]))  # times past T: a file's own error
        extra = dict(statistic="RMST", reached_scenario=int(np.sum(~np.isnan(x))),
                     reached_baseline=int(np.sum(~np.isnan(y))), horizon=T)
        x, y = survival.capped(x, T), survival.capped(y, T)
    d = x - y
    low, high = bootstrap_mean_ci(d, n_boot, seed)
    p_w, p_t = paired_tests(d)
    if metric in TIMES:
        p_t = math.nan
    mean = lambda v: float(v.mean()) if v.size else math.nan  # noqa: E731
    return Difference(scenario=scen.name, baseline=base.name, metric=metric, n=int(d.size), trials=int(x.size),
                      mean_scenario=mean(x), mean_baseline=mean(y), mean_diff=mean(d),
                      ci_low=low, ci_high=high, p_wilcoxon=p_w, p_ttest=p_t, **extra)


def paired_rmst_bootstrap(scen_times, base_times, horizon, n_boot=2000, seed=0):
    """(RMST difference, 95% low, high): scenario minus baseline, percentile bootstrap over trial indices.

    scen_times, base_times: times to 50% of the same trials (NaN = not reached by horizon). The same seed gives
    the same interval.
    """
    d = survival.capped(scen_times, horizon) - survival.capped(base_times, horizon)
    low, high = bootstrap_mean_ci(d, n_boot, seed)
    return float(d.mean()), low, high


def reached_pairs_difference(scen_times, base_times):
    """Mean difference over only the pairs where both reached 50%: the statistic this package no longer
    reports (it favours fast, rare successes); kept so a test can show that it misleads."""
    x, y = np.asarray(scen_times, float), np.asarray(base_times, float)
    keep = ~np.isnan(x) & ~np.isnan(y)
    return float((x[keep] - y[keep]).mean()) if keep.any() else math.nan


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


TABLE_HEADER = ("scenario", "metric", "shows", "pairs", "reached 50% (scenario/baseline)", "scenario mean",
                "baseline mean", "difference", "95% CI", "Wilcoxon p", "t-test p")
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
        reached = f"{r.reached_scenario}/{r.reached_baseline} of {r.trials}" if r.statistic == "RMST" else ""
        t_p = "not used" if r.statistic == "RMST" else _p(r.p_ttest)
        out.append((r.scenario, r.metric, WORDS.get(r.metric, r.metric), f"{r.n}/{r.trials}", reached,
                    _num(r.mean_scenario, digits, unit),
                    _num(r.mean_baseline, digits, unit), diff,
                    f"[{_num(r.ci_low, digits)}, {_num(r.ci_high, digits)}]", _p(r.p_wilcoxon), t_p))
    return out


def censoring_note():
    """How the times to 50% are compared (shared by the text table and the HTML report)."""
    return ("Weeks to 50% (t50_internalized: internalized A >= 50%; t50: adopted A + C >= 50%) are compared by "
            "the restricted mean time to 50% over the horizon T (RMST = mean over all trials of min(t, T), a trial "
            "that did not reach 50% by the last week counting T: it is censored, its time only known to be later). "
            "Every pair is used; comparing only the pairs where both reached would favour fast, rare successes "
            "and can reverse the sign. 95% CI: paired bootstrap over trial indices. Test: Wilcoxon signed-rank "
            "on the per-pair differences of min(t, T); no t test for times (capped times pile up at T, far from "
            "normal). Shares: mean difference, percentile bootstrap CI, Wilcoxon and paired t test.")


def median_rows(results, scenarios=None):
    """Per scenario and time to 50% (internalized first): (scenario, words, Median, RMST), or None where the
    file lacks the metric."""
    out = []
    for s in results.select(scenarios):
        for m in TIMES:
            if m not in s.metrics:
                continue
            v = s.metrics[m]
            km = survival.km_of(v, s.censored_at)
            out.append((s.name, WORDS[m].split(":")[0], survival.km_median(km), survival.rmst(v, s.censored_at)))
    return out


MEDIAN_HEADER = ("scenario", "time to 50% of", "Kaplan-Meier median [95% CI]", "reached/trials",
                 "restricted mean (RMST)")


def median_table_rows(results, scenarios=None):
    """median_rows as formatted strings (MEDIAN_HEADER)."""
    return [(name, words, survival.format_median(m), f"{m.reached}/{m.trials}", f"{r:.1f} wk")
            for name, words, m, r in median_rows(results, scenarios)]


def median_note(T):
    return (f"Kaplan-Meier product-limit estimate (censored = not reached by week {T}); median = first week the "
            "share of trials not yet at 50% is <= 0.5; 95% CI: Brookmeyer-Crowley from the Greenwood standard "
            f"error (plain band S +- 1.96 SE); '> {T}' = not reached by the last week.")


def absent_note(absent):
    """Why a compared metric is missing from the table, or '' when none is."""
    if not absent:
        return ""
    return (f"Not in this file: {', '.join(absent)} (written before format_version 2; re-run with a newer "
            "groundswell to get it).")


def _plain_table(header, body, text_columns):
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < text_columns else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return fmt(header), "  ".join("-" * w for w in widths), fmt


def format_table(rows, n_boot, seed, absent=(), results=None, scenarios=None):
    """The comparison as a plain-text table with a short legend; absent: metrics the file lacks; with results,
    first the Kaplan-Meier medians of the times to 50% per scenario."""
    lines = []
    if results is not None:
        body = median_table_rows(results, scenarios)
        if body:
            head, rule, fmt = _plain_table(MEDIAN_HEADER, body, 2)
            lines += ["Time to 50%, per scenario (internalized first)", head, rule]
            lines += [fmt(r) for r in body]
            lines += [median_note(results.steps), ""]
    if not rows:
        return "\n".join(lines + ["Nothing to compare: the file has no scenario other than the baseline."]) + "\n"
    body = table_rows(rows)
    head, rule, fmt = _plain_table(TABLE_HEADER, body, TEXT_COLUMNS)
    lines.append(f"Paired differences, scenario minus baseline '{rows[0].baseline}', trial by trial")
    lines += [head, rule]
    last = None
    for r, text in zip(rows, body):
        if last is not None and r.scenario != last:
            lines.append("")
        lines.append(fmt(text))
        last = r.scenario
    lines.append("")
    lines.append("pairs: trials used / trials (paired trial by trial by common random numbers).")
    lines.append(censoring_note())
    if absent:
        lines.append(absent_note(absent))
    lines.append(f"95% CI: percentile bootstrap of the mean difference ({n_boot} resamples of trial indices, "
                 f"seed {seed}).")
    return "\n".join(lines) + "\n"


def write_csv(rows, path):
    """Every Difference as one CSV row, full precision."""
    names = list(Difference.__dataclass_fields__)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for r in rows:
            w.writerow(asdict(r))
