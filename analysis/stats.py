"""Paired comparisons between scenarios (trials are paired by common random numbers, MODEL.md 7)."""

from dataclasses import dataclass, asdict
import csv
import math
import warnings

import numpy as np
from scipy import stats

#: Metrics compared, with the unit used when printing them.
COMPARED = {
    "final_adopted": "share",
    "final_internalized": "share",
    "t50": "weeks",
    "peak_resistance": "share",
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

    For t50, only pairs where both reached 50% adoption (t50 >= 0) count.
    """
    x = scen.metrics[metric].astype(np.float64)
    y = base.metrics[metric].astype(np.float64)
    keep = np.ones(x.size, dtype=bool)
    if metric == "t50":
        keep = (x >= 0) & (y >= 0)
    d = x[keep] - y[keep]
    low, high = bootstrap_mean_ci(d, n_boot, seed)
    p_w, p_t = paired_tests(d)
    mean = lambda v: float(v.mean()) if v.size else math.nan  # noqa: E731
    return Difference(scenario=scen.name, baseline=base.name, metric=metric, n=int(d.size), trials=int(x.size),
                      mean_scenario=mean(x[keep]), mean_baseline=mean(y[keep]), mean_diff=mean(d),
                      ci_low=low, ci_high=high, p_wilcoxon=p_w, p_ttest=p_t)


def compare(results, baseline, scenarios=None, n_boot=2000, seed=0):
    """Differences of every compared metric, for every scenario other than the baseline."""
    base = results.scenario(baseline)
    rows = []
    for s in results.select(scenarios):
        if s.name == base.name:
            continue
        rows += [paired_difference(s, base, m, n_boot, seed) for m in COMPARED]
    return rows


def _num(v, digits=3, unit=""):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}{unit}"


def _p(v):
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    return "<0.001" if v < 0.001 else f"{v:.3f}"


TABLE_HEADER = ("scenario", "metric", "pairs", "scenario mean", "baseline mean", "difference",
                "95% CI", "Wilcoxon p", "t-test p")


def table_rows(rows):
    """Rows of formatted strings (see TABLE_HEADER), shared by the text table and the HTML report."""
    out = []
    for r in rows:
        digits = 1 if r.metric == "t50" else 3
        unit = " wk" if r.metric == "t50" else ""
        diff = "n/a" if math.isnan(r.mean_diff) else f"{r.mean_diff:+.{digits}f}{unit}"
        out.append((r.scenario, r.metric, f"{r.n}/{r.trials}", _num(r.mean_scenario, digits, unit),
                    _num(r.mean_baseline, digits, unit), diff,
                    f"[{_num(r.ci_low, digits)}, {_num(r.ci_high, digits)}]", _p(r.p_wilcoxon), _p(r.p_ttest)))
    return out


def format_table(rows, n_boot, seed):
    """The comparison as a plain-text table with a short legend."""
    lines = []
    if not rows:
        return "Nothing to compare: the file has no scenario other than the baseline.\n"
    body = [TABLE_HEADER] + table_rows(rows)
    widths = [max(len(r[i]) for r in body) for i in range(len(TABLE_HEADER))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa
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
    lines.append("pairs: trials used / trials. t50 (first week with adoption >= 50%) uses only pairs where "
                 "both scenarios reached 50%.")
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
