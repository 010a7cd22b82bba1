"""Attribution (docs/output.md, attribution/; MODEL.md 7): where the internalized adoptions came from, and who
got the credit for the ones caused by peers.

``/usr/bin/python3 -m analysis attribution RESULTS.h5 [-o FIGURE] [--scenarios a,b]``

Shares of causes are the mean over trials of the cumulative entries into internalized (A) by cause, divided by
the organization's size (the sum of the department sizes). Credit shares are, per trial, each role's part of the
run's total peer credit; their mean over the trials that had any peer credit has a 95% interval of mean +- 1.96
standard errors over those trials (clipped to 0-100%).
"""

from dataclasses import dataclass, field
import math

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from . import plots
from .results import CAUSES, ROLES, ResultsError

#: What each cause of an entry into A means, in the order the figure stacks them (bottom first).
CAUSE_WORDS = {
    "seeded": "seeded (champions at week 0)",
    "issuer": "issuer (mandate issuers)",
    "formalized": "formalized (leaders at formalization)",
    "internalized": "internalized from complying (C -> A)",
    "peer": "peer (the people listened to)",
    "spontaneous": "spontaneous (own motivation)",
}
#: The causes as the object of "caused by ..." in a sentence.
CAUSE_PHRASES = {
    "seeded": "seeding (champions in A at week 0)",
    "issuer": "mandate issuers switching at the start of the mandate",
    "formalized": "formal leaders switched at formalization",
    "internalized": "complying that became conviction (C -> A)",
    "peer": "peers (the people listened to)",
    "spontaneous": "the agents' own motivation (spontaneous)",
}
CAUSE_COLORS = {"seeded": "#3A3A3A", "issuer": "#D55E00", "formalized": "#CC79A7", "internalized": "#E69F00",
                "peer": "#0072B2", "spontaneous": "#8FD0F2"}
#: Roles of the people credited, in the order shown.
ROLE_WORDS = {"formal_leaders": "formal leaders", "champions": "champions (active or burnt out)",
              "others": "everyone else"}
ROLE_COLORS = {"formal_leaders": "#D55E00", "champions": "#009E73", "others": "#999999"}
INTERVAL = "95% CI: mean +- 1.96 SE over trials"
INTERVAL_FIGURE = "95% CI: mean \u00b1 1.96 SE over trials"
Z95 = 1.96


@dataclass
class Summary:
    """One scenario's attribution, averaged over trials; shares are of the organization's staff."""

    name: str
    trials: int
    size: int  # agents
    steps: int
    final_internalized: float  # mean over trials of A at step T
    cumulative: dict = field(repr=False)  # cause -> [steps + 1] mean cumulative entries into A / size
    complying: float = 0.0  # mean entries into C by step T / size
    credit_trials: int = 0  # trials with any peer credit
    credit_mean: dict = field(default_factory=dict)  # role -> mean share of a trial's peer credit (NaN: none)
    credit_low: dict = field(default_factory=dict)  # role -> lower end of the 95% CI (NaN: fewer than 2 trials)
    credit_high: dict = field(default_factory=dict)
    entered_low: dict = field(default_factory=dict)  # cause -> lower end of the 95% CI of entered[cause]
    entered_high: dict = field(default_factory=dict)

    @property
    def entered(self):
        """cause -> share of staff that entered A by step T by that cause (mean over trials)."""
        return {c: float(self.cumulative[c][-1]) for c in CAUSES}

    @property
    def entered_total(self):
        return float(sum(self.entered.values()))

    def share_of_entries(self, cause):
        """Part of all entries into A by step T due to one cause; NaN when nobody entered A."""
        total = self.entered_total
        return self.entered[cause] / total if total > 0 else math.nan

    @property
    def has_credit(self):
        return self.credit_trials > 0


def require(results, scenarios):
    """ResultsError unless every scenario has attribution (format 1 files have none)."""
    lacking = [s.name for s in scenarios if s.attribution is None]
    if not lacking:
        return
    if results.format_version < 2:
        raise ResultsError(f"{results.path}: no attribution: the file was written before attribution existed "
                           f"(format_version {results.format_version}); re-run the experiment with a newer "
                           "groundswell (format_version 2)")
    off = [s.name for s in scenarios if s.attribution is None and not_recorded(s)]
    if off:
        raise ResultsError(f"{results.path}: scenario {off[0]} was run with record.attribution = false, so no "
                           "attribution was recorded; run it again without that setting (or choose other scenarios "
                           "with --scenario)")
    raise ResultsError(f"{results.path}: missing group /scenarios/{lacking[0]}/attribution")


def not_recorded(scenario):
    """Whether the scenario was run with record.attribution = false (its recorded parameters say so)."""
    return "record.attribution = false" in scenario.parameters.splitlines()


def organization_size(results, scenario):
    """Agents in the organization: the sum of department_size, else the agents of credit/by_agent, else the
    seeded entries at step 0 over the internalized share at step 0 (when that is a whole number)."""
    n = scenario.size
    if n:
        return n
    a0 = scenario.curves["A"][:, 0]
    s0 = scenario.attribution.entries["seeded"][:, 0]
    ok = a0 > 0
    if ok.any():
        est = s0[ok] / a0[ok]
        n = int(round(float(np.median(est))))
        if n >= 1 and np.allclose(est, n, rtol=1e-3, atol=0.5):
            return n
    raise ResultsError(f"{results.path}: missing dataset /scenarios/{scenario.name}/department_size, needed to turn "
                       "the attribution's numbers of agents into shares of staff")


def _mean_ci(x, upper=1.0):
    """Mean of x and mean +- 1.96 standard errors clipped to [0, upper]; NaN where undefined."""
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, max(0.0, m - Z95 * se), min(upper, m + Z95 * se)


def summarize(results, scenario):
    """The Summary of one scenario (which must have attribution)."""
    require(results, [scenario])
    at = scenario.attribution
    size = organization_size(results, scenario)
    cumulative = {c: np.cumsum(at.entries[c], axis=1).mean(axis=0) / size for c in CAUSES}
    totals = {r: at.credit[r].sum(axis=1) for r in ROLES}  # [trials]: each trial's credit per role
    total = sum(totals.values())
    has = total > 0
    mean, low, high = {}, {}, {}
    for r in ROLES:
        mean[r], low[r], high[r] = _mean_ci(totals[r][has] / total[has])
    # each trial's entries by cause up to T, as shares of staff (re-entries counted: may pass 1)
    entered_low, entered_high = {}, {}
    for c in CAUSES:
        _, entered_low[c], entered_high[c] = _mean_ci(at.entries[c].sum(axis=1) / size, upper=math.inf)
    return Summary(name=scenario.name, trials=int(at.entries["peer"].shape[0]), size=size, steps=results.steps,
                   final_internalized=float(np.mean(scenario.metrics["final_internalized"])),
                   cumulative=cumulative, complying=float(at.entries_complying.sum(axis=1).mean()) / size,
                   credit_trials=int(has.sum()), credit_mean=mean, credit_low=low, credit_high=high,
                   entered_low=entered_low, entered_high=entered_high)


def summaries(results, scenarios=None):
    """Summaries of the chosen scenarios (all when None), or ResultsError if the file has no attribution."""
    chosen = results.select(scenarios)
    require(results, chosen)
    return [summarize(results, s) for s in chosen]


def pct(x, digits=1):
    return "n/a" if x is None or math.isnan(x) else f"{100 * x:.{digits}f}%"


def credit_cell(sm, role):
    """A role's credit share with its interval, as text; 'no peer credit' when the scenario had none."""
    if not sm.has_credit:
        return "no peer credit"
    if math.isnan(sm.credit_low[role]):
        return f"{pct(sm.credit_mean[role])} (one trial: no interval)"
    return f"{pct(sm.credit_mean[role])} [{pct(sm.credit_low[role])}, {pct(sm.credit_high[role])}]"


def entered_cell(sm, cause):
    """A cause's entries into A by T as a share of staff, with its 95% interval when there are 2+ trials."""
    if math.isnan(sm.entered_low.get(cause, math.nan)):
        return pct(sm.entered[cause])
    return f"{pct(sm.entered[cause])} [{pct(sm.entered_low[cause])}, {pct(sm.entered_high[cause])}]"


def format_table(results, sums):
    """The attribution as plain text, one block per scenario."""
    T = results.steps
    n = results.trials
    lines = [f"Where the internalized (A) adoptions came from: {results.path}",
             f"mean of {n} trial{'s' if n != 1 else ''}; shares of the organization's staff; week T = {T}", ""]
    width = max(len(w) for w in CAUSE_WORDS.values())
    for sm in sums:
        lines.append(f"{sm.name} ({sm.size} agents)")
        lines.append(f"  internalized (A) at week {T}: {pct(sm.final_internalized)} of staff")
        if sm.entered_total > 0:
            lines.append(f"  entered internalized (A) by week {T}: {pct(sm.entered_total)} of staff "
                         "(re-entries counted; some may have left A since), by cause:")
            cells = {c: entered_cell(sm, c) for c in CAUSES}
            cw = max(14, *(len(v) for v in cells.values()))
            lines.append(f"    {'cause'.ljust(width)}  {'share of staff':>{cw}}  {'share of entries':>16}")
            for c in CAUSES:
                lines.append(f"    {CAUSE_WORDS[c].ljust(width)}  {cells[c]:>{cw}}  "
                             f"{pct(sm.share_of_entries(c)):>16}")
            if sm.trials >= 2:
                lines.append(f"    [{INTERVAL}]")
        else:
            lines.append(f"  entered internalized (A) by week {T}: nobody (no entries into A)")
        lines.append(f"  entered complying (C) by week {T}: {pct(sm.complying)} of staff "
                     "(re-entries counted; all caused by pressure)")
        if sm.has_credit:
            lines.append(f"  peer credit by role: share of each trial's peer credit, mean over the {sm.credit_trials} "
                         f"trial{'s' if sm.credit_trials != 1 else ''} with peer credit [{INTERVAL}]:")
            rw = max(len(w) for w in ROLE_WORDS.values())
            for r in ROLES:
                lines.append(f"    {ROLE_WORDS[r].ljust(rw)}  {credit_cell(sm, r)}")
        else:
            lines.append("  peer credit by role: no peer credit (no entry into A was caused by peers)")
        lines.append("")
    return "\n".join(lines)


def table_header(steps):
    """Header of the one-row-per-scenario table of the HTML report."""
    return (("scenario", f"internalized (A) at week {steps}", f"entered A by week {steps}")
            + tuple(f"cause: {CAUSE_WORDS[c]}" for c in CAUSES)
            + tuple(f"peer credit: {ROLE_WORDS[r]}" for r in ROLES))


def table_rows(sums):
    """One row per scenario: shares of staff (cause cells: share of staff, and of entries in parentheses)."""
    rows = []
    for sm in sums:
        causes = [f"{pct(sm.entered[c])} ({pct(sm.share_of_entries(c), 0)})" if sm.entered_total > 0
                  else "no entries" for c in CAUSES]
        rows.append((sm.name, pct(sm.final_internalized), pct(sm.entered_total), *causes,
                     *(credit_cell(sm, r) for r in ROLES)))
    return rows


def figure(results, scenarios=None):
    """Top: per scenario, cumulative entries into A stacked by cause (share of staff, mean over trials), with
    the mean internalized share A drawn over it. Bottom: each role's share of the peer credit, mean over trials
    with a 95% CI (mean +- 1.96 SE)."""
    chosen = results.select(scenarios)
    sums = summaries(results, [s.name for s in chosen])
    n = len(chosen)
    ncols = min(3, n)
    nrows = -(-n // ncols)
    x = np.arange(results.steps + 1)
    width = 6.0 * ncols + 6.5
    fig = plots._figure(figsize=(width, 4.6 * nrows + 6.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[4.6 * nrows + 0.9, 5.7])
    axes = np.atleast_1d(top.subplots(nrows, ncols, squeeze=False, sharey=True)).ravel()
    ymax = max([0.05] + [max(float(np.sum([sm.cumulative[c] for c in CAUSES], axis=0).max()),
                             float(np.max(s.curves["A"].mean(axis=0)))) for s, sm in zip(chosen, sums)])
    for ax, s, sm in zip(axes, chosen, sums):
        ax.stackplot(x, [sm.cumulative[c] for c in CAUSES], colors=[CAUSE_COLORS[c] for c in CAUSES],
                     linewidth=0, alpha=0.9)
        ax.plot(x, s.curves["A"].mean(axis=0), color="black", lw=3, ls="--")
        ax.set_title(s.name, color=plots.scenario_color(results, s.name), fontweight="bold")
        if sm.entered_total <= 0:
            ax.text(0.5, 0.5, "no entries into A", transform=ax.transAxes, ha="center", va="center", color="0.3")
        ax.set_xlim(0, max(1, results.steps))
        ax.set_ylim(0, min(1.0, ymax * 1.08) if ymax <= 1 else ymax * 1.08)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        plots.week_ticks(ax, results.steps)
        ax.grid(True, alpha=0.3)
    for ax in axes[n:]:
        ax.set_visible(False)
    for k, ax in enumerate(axes[:n]):
        if k % ncols == 0:
            ax.set_ylabel("entered internalized (A)\nshare of staff (re-entries counted)")
        if k >= n - ncols:
            ax.set_xlabel("week")
            ax.xaxis.set_tick_params(labelbottom=True)
    handles = [Patch(color=CAUSE_COLORS[c], label=CAUSE_WORDS[c].replace("->", "\u2192")) for c in reversed(CAUSES)]
    handles.append(Line2D([], [], color="black", lw=3, ls="--", label="internalized now (A), mean"))
    axes[ncols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), frameon=False,
                           title="cause of the entry into A", alignment="left")
    trials = f"mean of {results.trials} trial{'s' if results.trials != 1 else ''}"
    top.suptitle(f"Where the internalized adoptions came from: entries into internalized (A) by cause,\n"
                 f"cumulative, as shares of staff ({trials})", fontsize=plots.STYLE["axes.titlesize"])

    ax = bottom.subplots()
    bw = 0.8 / len(ROLES)
    for i, sm in enumerate(sums):
        if not sm.has_credit:
            ax.text(i, 0.05, "no peer credit", ha="center", va="bottom", color="0.3")
            continue
        for k, r in enumerate(ROLES):
            m, lo, hi = sm.credit_mean[r], sm.credit_low[r], sm.credit_high[r]
            xpos = i + (k - (len(ROLES) - 1) / 2) * bw
            err = None if math.isnan(lo) else [[m - lo], [hi - m]]
            ax.bar(xpos, m, bw * 0.92, color=ROLE_COLORS[r], yerr=err, capsize=6,
                   error_kw={"elinewidth": 2, "capthick": 2})
            label = f"{100 * m:.0f}%" + ("\n(no CI)" if math.isnan(hi) else "")  # one trial: no interval
            ax.text(xpos, (m if math.isnan(hi) else hi) + 0.02, label, ha="center", va="bottom",
                    fontsize=plots.STYLE["xtick.labelsize"] - 1)
    ax.set_xticks(range(n), [sm.name for sm in sums])
    for label, s in zip(ax.get_xticklabels(), chosen):
        label.set_color(plots.scenario_color(results, s.name))
        label.set_fontweight("bold")
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_ylabel("share of the peer credit")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(handles=[Patch(color=ROLE_COLORS[r], label=ROLE_WORDS[r]) for r in ROLES], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, title="credited person", alignment="left")
    bottom.suptitle("Who got the credit for the peer-caused entries into internalized (A): share of each run's\n"
                    f"peer credit by role, mean over trials with peer credit ({INTERVAL_FIGURE})",
                    fontsize=plots.STYLE["axes.titlesize"])
    fig.suptitle(f"{results.attrs.get('experiment', 'Groundswell')}: attribution of internalization",
                 fontsize=plots.STYLE["figure.titlesize"])
    return fig


def command(args):
    """`python3 -m analysis attribution`: print the table; with -o, write the figure."""
    from .results import load
    res = load(args.results)
    sums = summaries(res, args.scenarios)
    print(format_table(res, sums), end="")
    if args.output:
        plots.save(figure(res, args.scenarios), args.output)
        print(f"wrote {args.output}")
