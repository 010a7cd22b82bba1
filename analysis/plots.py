"""Figures: adoption curves and department heatmaps, sized to be read from the back of a room."""

import io
import os
import re

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, MultipleLocator, PercentFormatter

from .results import ResultsError

FORMATS = ("png", "svg", "pdf")

# Okabe-Ito, distinguishable for colour-blind readers; then tab20 for larger files.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

STYLE = {
    "font.size": 16,
    "axes.titlesize": 19,
    "axes.labelsize": 17,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 15,
    "figure.titlesize": 22,
    "svg.fonttype": "none",  # SVG text stays text: searchable, editable, set in the reader's font
    "svg.hashsalt": "groundswell",  # SVG ids from the content alone: the same figure gives the same file
}

#: The one convention for a band of trial spread (docs: analysis/README.md): the 5th to 95th percentile over
#: trials, stated in every legend that draws one.
BAND_PERCENTILES = (5, 95)
BAND_LABEL = "band: 5th\u201395th percentile of trials"


def scenario_color(results, name):
    """The colour of a scenario, fixed by its position in the file so that it is the same in every figure."""
    i = results.color_index(name)
    if i < len(PALETTE):
        return PALETTE[i]
    from matplotlib import colormaps
    return colormaps["tab20"]((i - len(PALETTE)) % 20)


def _figure(**kw):
    import matplotlib
    matplotlib.rcParams.update(STYLE)
    return Figure(**kw)


def week_ticks(ax, steps):
    """Ticks every quarter or half year on runs of one to three years, else a few round numbers."""
    if 52 <= steps <= 156:
        ax.xaxis.set_major_locator(MultipleLocator(13 if steps <= 78 else 26))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))


def _band(ax, x, curves, color, style, label=None, alpha=0.15, lw=3):
    """Median line with the band of BAND_PERCENTILES over trials (rows of curves)."""
    lo, med, hi = np.percentile(curves, [BAND_PERCENTILES[0], 50, BAND_PERCENTILES[1]], axis=0)
    ax.fill_between(x, lo, hi, color=color, alpha=alpha, linewidth=0)
    return ax.plot(x, med, color=color, linestyle=style, linewidth=lw, label=label)[0]


def curves_figure(results, scenarios=None):
    """Curves: left panel internalized A (solid) and complying C (dashed), right panel resisting R (dotted).

    Median over trials with a 5-95% band; one colour per scenario.
    """
    chosen = results.select(scenarios)
    any_sdt = any(s.tracks_sdt_states for s in chosen)
    x = np.arange(results.steps + 1)
    fig = _figure(figsize=(17, 7.5) if any_sdt else (12, 7.5), layout="constrained")
    axes = fig.subplots(1, 2, width_ratios=[3, 2]) if any_sdt else [fig.subplots()]
    ax = axes[0]
    for s in chosen:
        color = scenario_color(results, s.name)
        _band(ax, x, s.curves["A"], color, "-", label=s.name)
        if np.any(s.curves["C"] > 0):
            _band(ax, x, s.curves["C"], color, "--", alpha=0.08, lw=2.5)
    ax.set_title("Internalized A (solid)" + (", complying C (dashed)" if any_sdt else ""))
    if any_sdt:
        r_ax = axes[1]
        for s in chosen:
            _band(r_ax, x, s.curves["R"], scenario_color(results, s.name), ":", alpha=0.12, lw=3.5)
        r_ax.set_title("Resisting R (dotted)")
        top = max(0.05, max(np.percentile(s.curves["R"], 95, axis=0).max() for s in chosen))
        r_ax.set_ylim(0, min(1.0, top * 1.15))
    for a in axes:
        a.set_xlabel("week")
        a.set_ylabel("share of staff")
        a.set_xlim(0, max(1, results.steps))
        a.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        week_ticks(a, results.steps)
        a.grid(True, alpha=0.3)
    ax.set_ylim(0, 1)
    handles = [Line2D([], [], color=scenario_color(results, s.name), lw=5, label=s.name) for s in chosen]
    if any_sdt:
        handles += [Line2D([], [], color="0.3", lw=3, ls=ls, label=lab) for ls, lab in
                    (("-", "internalized (A)"), ("--", "complying (C)"), (":", "resisting (R)"))]
    from matplotlib.patches import Patch
    handles.append(Patch(color="0.3", alpha=0.2, linewidth=0, label=BAND_LABEL))
    axes[-1].legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    n = results.trials
    fig.suptitle(f"{results.attrs.get('experiment', 'Groundswell')}: how the change spread\n"
                 f"median of {n} trial{'s' if n != 1 else ''}; {BAND_LABEL}",
                 fontsize=STYLE["figure.titlesize"])
    return fig


#: What a department heatmap can show: the curve, the per-trial metric that orders trials, and the word.
SHARES = {
    "internalized": ("department_internalized", "final_internalized", "internalized share (A)"),
    "adopted": ("department_adopted", "final_adopted", "adopted share (A + C)"),
}


def default_share(scenarios):
    """internalized when every scenario has it (format 2), else adopted."""
    return "internalized" if all(s.department_internalized is not None for s in scenarios) else "adopted"


def median_trial(scenario, share="adopted"):
    """Index of the trial whose final share (internalized or adopted) is the median (the lower one for an even
    count)."""
    order = np.argsort(scenario.metrics[SHARES[share][1]], kind="stable")
    return int(order[(len(order) - 1) // 2])


def department_matrix(scenario, trial_median=False, share="adopted"):
    """Adopted (or internalized) share per department (rows) and week (columns).

    Median over trials cell by cell; with trial_median, the one trial whose final share is the median
    (a real run, rather than a composite of cells from different runs).
    """
    if share not in SHARES:
        raise ResultsError(f"unknown share {share!r}; use internalized or adopted")
    d = getattr(scenario, SHARES[share][0])  # trials x steps+1 x departments
    if d is None:
        raise ResultsError(f"scenario {scenario.name!r} has no {SHARES[share][0]} (a file written before "
                           "format_version 2); use --share adopted")
    if trial_median:
        return d[median_trial(scenario, share)].T
    return np.median(d, axis=0).T


def departments_figure(results, scenarios=None, trial_median=False, share=None):
    """One heatmap panel per scenario, departments by weeks, shared 0..1 colour scale with a colour bar.

    share: "internalized" (A) or "adopted" (A + C); default internalized when the file has it (format 2).
    """
    chosen = results.select(scenarios)
    share = share or default_share(chosen)
    if share == "internalized" and default_share(chosen) != share:
        raise ResultsError(f"{results.path}: no internalized share per department (curves/department_internalized): "
                           f"the file was written before format_version 2; use --share adopted")
    ncols = min(3, len(chosen))
    nrows = -(-len(chosen) // ncols)
    max_dept = max(1, max(s.departments for s in chosen))
    row_h = min(4.2, 2.2 + 0.12 * max_dept)
    fig = _figure(figsize=(6.2 * ncols + 1.8, row_h * nrows + 1.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, sharex=True)).ravel()
    image = None
    for ax, s in zip(axes, chosen):
        m = department_matrix(s, trial_median, share)
        image = ax.imshow(m, aspect="auto", origin="upper", vmin=0, vmax=1, cmap="viridis",
                          interpolation="nearest", extent=(-0.5, results.steps + 0.5, s.departments - 0.5, -0.5))
        title = f"{s.name} (trial {median_trial(s, share)})" if trial_median else s.name
        ax.set_title(title, color=scenario_color(results, s.name), fontweight="bold")
        ax.set_yticks(np.unique(np.linspace(0, max(0, s.departments - 1), min(8, max(1, s.departments))).round()))
        week_ticks(ax, results.steps)
        ax.set_ylabel("department")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    for ax in axes[max(0, len(chosen) - ncols):len(chosen)]:  # the lowest panel of each column
        ax.set_xlabel("week")
        ax.xaxis.set_tick_params(labelbottom=True)
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[:len(chosen)]), shrink=0.9, pad=0.02)
        bar.set_label(SHARES[share][2])
        bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    how = f"the median trial by final {share} share" if trial_median else f"median of {results.trials} trials"
    word = "Internalized (A)" if share == "internalized" else "Adopted (A + C)"
    fig.suptitle(f"{word} by department, week by week: {how}")
    return fig


def save(fig, path):
    """Write a figure in the format named by the extension (png, svg or pdf)."""
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ResultsError(f"{path}: unknown figure format {ext or '(none)'!r}; use .png, .svg or .pdf")
    try:
        fig.savefig(path, format=ext, dpi=110)
    except OSError as e:
        raise ResultsError(f"{path}: cannot write the figure ({e.strerror or e})") from None


def svg_element(fig, prefix):
    """A figure as an inline <svg> element for an HTML page: its text stays text (svg.fonttype none), so a
    reader can search, copy and zoom it. The XML prolog, DOCTYPE, namespace declarations (implied in HTML) and
    metadata of a standalone file are left out, and every id gets `prefix` so that several figures on one page
    keep distinct ids."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = re.sub(r' xmlns(:xlink)?="[^"]*"', "", text[text.index("<svg"):])
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    return re.sub(r'(url\(#|href="#)([^")]+)', rf"\1{prefix}-\2", text)


def km_figure(results, scenarios=None):
    """Kaplan-Meier curves of the time to 50%: internalized (A) left, adopted (A + C) right (format 1 files have
    only adopted). Per scenario a step curve of the share of trials not yet at 50%, the median marked by a dot on
    the 50% line (with its 95% CI as a bar); a curve that stays above 50% has its median not reached by T."""
    from . import stats, survival
    from .results import TIMES
    chosen = results.select(scenarios)
    metrics = [m for m in TIMES if all(m in s.metrics for s in chosen)]
    fig = _figure(figsize=(7.5 * len(metrics) + 1, 7 + 0.32 * len(chosen)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(metrics), sharey=True, squeeze=False)).ravel()
    T = results.steps
    for ax, m in zip(axes, metrics):
        ax.axhline(0.5, color="#888", linewidth=1.2, linestyle="--")
        for k, s in enumerate(chosen):
            color = scenario_color(results, s.name)
            km = survival.km_of(s.metrics[m], s.censored_at)
            med = survival.km_median(km)
            x = np.concatenate(([0.0], km.time, [float(s.censored_at)]))
            y = np.concatenate(([1.0], km.survival, [km.survival[-1] if km.survival.size else 1.0]))
            label = f"{s.name}: median {survival.format_median(med)}"
            ax.step(x, y, where="post", color=color, linewidth=3, label=label)
            if not np.isnan(med.median):
                high = T if np.isnan(med.high) else med.high
                ax.plot([med.low, high], [0.5] * 2, color=color, linewidth=9, alpha=0.45, solid_capstyle="butt")
                ax.plot([med.median], [0.5], "o", color=color, markersize=12,
                        markeredgecolor="white", markeredgewidth=1.5, zorder=5)
        ax.set_title(stats.WORDS[m].split(":")[0] + " at 50%")
        ax.set_xlim(0, T)
        ax.set_ylim(-0.02, 1.02)
        week_ticks(ax, T)
        ax.set_xlabel(f"week (not reached by week {T} = censored)")
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=13, frameon=False)
    axes[0].set_ylabel("trials not yet at 50% (Kaplan-Meier)")
    fig.suptitle(f"Time to 50%: Kaplan-Meier over {results.trials} trials (dot = median, bar = 95% CI)")
    return fig
