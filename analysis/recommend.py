"""Recommendation files of ``groundswell recommend`` (docs/recommend.md): whom to ask to champion a change, how
many are needed, and who the organization cannot lose.

``/usr/bin/python3 -m analysis recommend FILE.h5 [-o FIGURE]``

Prints a short summary and, with -o, draws (a) the recommended set against the five rules of MODEL.md 4 on the
fresh trials, (b) the objective against the number of change agents per rule and for the greedy (nested
recommended) sets, with the target, when the file has a curve, and (c) the picks with their marginal gains
(lettered (b) when there is no curve).

Units. The file stores scores, larger is better: for the objective ``t50`` (weeks to 50% internalized) the values
of picks/value and comparison/value are minus the weeks, and gains and differences are weeks sooner. Everything
shown here is in weeks (curve/<rule>/value already is). An estimate is ``[mean, low, high]`` with a 95% interval
(mean +- 1.96 SE over trials); a difference is called one only when its interval excludes 0.
"""

from dataclasses import dataclass, field
import os

import h5py
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import plots
from .results import ResultsError, _plain

FORMAT = "groundswell-recommend"
#: The rules of MODEL.md 4 in the order the command writes them.
RULES = ("random", "formal", "central", "bridging", "distributed")
OBJECTIVES = ("internalized", "adopted", "t50", "area")
#: Colours: the recommended (greedy) set stands out in vermillion; each rule keeps its colour in every panel.
RECOMMENDED_COLOR = "#D55E00"
RULE_COLORS = {"random": "#999999", "formal": "#0072B2", "central": "#009E73", "bridging": "#CC79A7",
               "distributed": "#E69F00", "greedy": RECOMMENDED_COLOR, "recommended": RECOMMENDED_COLOR}
LEADER_COLORS = {True: "#0072B2", False: "#E69F00"}
PERSON_FIELDS = ("agent", "label", "department", "level", "formal_leader", "listeners")


@dataclass
class People:
    """Person columns of picks/, key_people/ and credited/ (docs/recommend.md)."""

    agent: np.ndarray  # uint32 [M], ids of the organization (0-based)
    label: list  # id in the data
    department: list
    level: np.ndarray  # int [M]
    formal_leader: np.ndarray  # bool [M]
    listeners: np.ndarray  # float64 [M]

    def __len__(self):
        return len(self.label)

    def describe(self, i):
        """'L26 (department 1/2, formal leader)'."""
        leader = "formal leader" if self.formal_leader[i] else "not a formal leader"
        return f"{self.label[i]} (department {self.department[i]}, {leader})"


@dataclass
class Curve:
    """curve/: the objective against the number of change agents (fresh trials; t50 in weeks)."""

    counts: np.ndarray  # [C]
    rules: list  # "greedy", then the five rules
    value: dict  # rule -> [C, 3]
    at_target: dict = None  # rule -> [C, 3], internalized share at the target week (with a target)
    reaches: dict = None  # rule -> smallest count reaching the target, or None (with a target)
    target_level: float = None
    target_week: int = None

    @property
    def has_target(self):
        return self.reaches is not None


@dataclass
class Recommendation:
    """A whole recommendation file. Estimates are float64 [.., 3] rows (mean, low, high) as stored (scores)."""

    path: str
    attrs: dict = field(repr=False)
    picks: People
    gain: np.ndarray  # [K, 3], choosing trials (optimistic)
    value: np.ndarray  # [K, 3], objective of the set up to each pick, choosing trials
    required: np.ndarray  # bool [K]
    rules: list  # "recommended", then the five rules
    comparison_value: np.ndarray  # [6, 3], fresh trials
    comparison_difference: np.ndarray  # [6, 3], recommended minus the rule, paired
    curve: Curve = None
    key_people: People = None
    loss: np.ndarray = None  # [M, 3]: objective with them minus without, fresh trials
    credited: People = None
    credit: np.ndarray = None  # [M, 3]: peer credit per fresh trial
    champion_share: np.ndarray = None  # [M]

    @property
    def objective(self):
        return str(self.attrs["objective"])

    @property
    def horizon(self):
        return int(self.attrs["horizon"])

    @property
    def scenario(self):
        return str(self.attrs.get("scenario", "?"))

    @property
    def count(self):
        return len(self.picks)

    @property
    def trials(self):
        return int(self.attrs["trials"])

    @property
    def test_trials(self):
        return int(self.attrs["test_trials"])

    @property
    def leaders(self):
        """Number of picks who are formal leaders."""
        return int(np.count_nonzero(self.picks.formal_leader))

    def shown(self, estimate):
        """A stored objective value [mean, low, high] in the unit shown: weeks for t50 (minus the score)."""
        e = np.asarray(estimate, dtype=np.float64)
        return np.array([-e[0], -e[2], -e[1]]) if self.objective == "t50" else e


def _text(value):
    value = _plain(value)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def load_recommendation(path):
    """Read and check a recommendation file; ResultsError with a one-line reason if it is not one."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ResultsError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ResultsError(f"{path}: is a directory, not a recommendation file")
    if not h5py.is_hdf5(path):
        raise ResultsError(f"{path}: not an HDF5 file (expected the output of 'groundswell recommend')")
    try:
        with h5py.File(path, "r") as f:
            return _read(path, f)
    except ResultsError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ResultsError(f"{path}: cannot read the recommendation file ({e})") from None


def _read(path, f):
    attrs = {k: _plain(v) for k, v in f.attrs.items()}
    if attrs.get("format") != FORMAT:
        hint = " (a results file: use plot, compare or report)" if attrs.get("format") == "groundswell-results" else ""
        raise ResultsError(f"{path}: not a Groundswell recommendation file (root attribute 'format' is "
                           f"{attrs.get('format', 'missing')!r}, expected {FORMAT!r}){hint}")
    missing = [a for a in ("objective", "horizon", "trials", "test_trials") if a not in attrs]
    if missing:
        raise ResultsError(f"{path}: missing root attribute(s): {', '.join(missing)}")
    attrs["objective"] = _text(attrs["objective"])
    if attrs["objective"] not in OBJECTIVES:
        raise ResultsError(f"{path}: unknown objective {attrs['objective']!r} (expected one of {', '.join(OBJECTIVES)})")

    def dataset(name, shape=None):
        if name not in f or not isinstance(f[name], h5py.Dataset):
            raise ResultsError(f"{path}: missing dataset /{name}")
        ds = f[name]
        if shape is not None and ds.shape != shape:
            raise ResultsError(f"{path}: dataset /{name} has shape {ds.shape}, expected {shape}")
        return ds[()]

    def estimates(name, rows):
        return dataset(name, (rows, 3)).astype(np.float64)

    def strings(name, rows):
        return [_text(v) for v in dataset(name, (rows,))]

    def people(group):
        if f"{group}/agent" not in f:
            raise ResultsError(f"{path}: missing dataset /{group}/agent")
        m = f[f"{group}/agent"].shape[0]
        return People(agent=dataset(f"{group}/agent", (m,)).astype(np.int64), label=strings(f"{group}/label", m),
                      department=strings(f"{group}/department", m), level=dataset(f"{group}/level", (m,)).astype(int),
                      formal_leader=dataset(f"{group}/formal_leader", (m,)).astype(bool),
                      listeners=dataset(f"{group}/listeners", (m,)).astype(np.float64)), m

    picks, k = people("picks")
    rules = strings("comparison/rule", len(RULES) + 1) if "comparison/rule" in f else None
    if rules is None:
        raise ResultsError(f"{path}: missing dataset /comparison/rule")
    rec = Recommendation(path=path, attrs=attrs, picks=picks, gain=estimates("picks/gain", k),
                         value=estimates("picks/value", k),
                         required=dataset("picks/required", (k,)).astype(bool), rules=rules,
                         comparison_value=estimates("comparison/value", len(rules)),
                         comparison_difference=estimates("comparison/difference", len(rules)))
    if "curve" in f:
        counts = dataset("curve/count").astype(np.int64)
        c = len(counts)
        crules = [_text(v) for v in dataset("curve/rule")]
        value = {r: estimates(f"curve/{r}/value", c) for r in crules}
        curve = Curve(counts=counts, rules=crules, value=value)
        if "reaches_target" in f["curve"]:
            reaches = dataset("curve/reaches_target", (len(crules),)).astype(int)
            curve.reaches = {r: (int(n) if n >= 0 else None) for r, n in zip(crules, reaches)}
            curve.at_target = {r: estimates(f"curve/{r}/at_target", c) for r in crules}
            g = f["curve"].attrs
            if "target_level" not in g or "target_week" not in g:
                raise ResultsError(f"{path}: /curve/reaches_target without the attributes target_level, target_week")
            curve.target_level, curve.target_week = float(_plain(g["target_level"])), int(_plain(g["target_week"]))
        rec.curve = curve
    if "key_people" in f:
        rec.key_people, m = people("key_people")
        rec.loss = estimates("key_people/loss", m)
    if "credited" in f:
        rec.credited, m = people("credited")
        rec.credit = estimates("credited/credit", m)
        rec.champion_share = dataset("credited/champion_share", (m,)).astype(np.float64)
    return rec


# --- words and numbers ----------------------------------------------------------------------------------------


def objective_words(rec, short=False):
    """The objective in MODEL.md 7's words, internalized first."""
    h = rec.horizon
    words = {"internalized": f"internalized (A) share at week {h}",
             "adopted": f"adopted (A + C) share at week {h}",
             "t50": f"weeks to 50% internalized (A), smaller is better{'' if short else f' (not reached: {h})'}",
             "area": f"mean internalized (A) share over weeks 1-{h}"}
    return words[rec.objective]


def differs(estimate):
    """True when a difference's 95% interval excludes 0."""
    return bool(estimate[1] > 0 or estimate[2] < 0)


def _num(rec, x, signed=False):
    digits = 1 if rec.objective == "t50" else 3
    x = round(float(x), digits) + 0.0  # a value that rounds to zero prints as 0, never -0
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def format_value(rec, estimate):
    """A stored objective value in the unit shown: '0.812 [0.790, 0.834]' or '31.2 [29.8, 32.6] weeks'."""
    m, lo, hi = rec.shown(estimate)
    text = f"{_num(rec, m)} [{_num(rec, lo)}, {_num(rec, hi)}]"
    return text + " weeks" if rec.objective == "t50" else text


def format_difference(rec, estimate):
    """A gain or difference as stored (larger is better; t50: weeks sooner)."""
    m, lo, hi = estimate
    text = f"{_num(rec, m, True)} [{_num(rec, lo, True)}, {_num(rec, hi, True)}]"
    return text + " weeks sooner" if rec.objective == "t50" else text


def verdict(estimate, what="the rule"):
    if not differs(estimate):
        return "no difference (the interval covers 0)"
    return f"recommended better than {what}" if estimate[0] > 0 else f"recommended worse than {what}"


def _reach(curve, rule):
    n = curve.reaches[rule]
    return str(n) if n is not None else f"not within {curve.counts[0]}-{curve.counts[-1]}"


def summary(rec):
    """A short text summary: the picks, the fresh comparison, the counts for the target, the key people."""
    a = rec.attrs
    lines = [f"{a.get('experiment', '?')}, scenario {rec.scenario}: {rec.count} change agent"
             f"{'s' if rec.count != 1 else ''}, objective {objective_words(rec)}; chosen on {rec.trials} trials, "
             f"checked on {rec.test_trials} fresh trials."]
    lines.append("Picks (gain: on the choosing trials, optimistic):")
    width = max([len(x) for x in rec.picks.label] + [6])
    for i in range(rec.count):
        leader = "formal leader" if rec.picks.formal_leader[i] else "not a formal leader"
        lines.append(f"  {i + 1:>2}. {rec.picks.label[i]:<{width}}  department {rec.picks.department[i]:<8} "
                     f"{leader:<19} gain {format_difference(rec, rec.gain[i])}"
                     f"{'  (required)' if rec.required[i] else ''}")
    lines.append(f"{rec.leaders} of {rec.count} are formal leaders.")
    lines.append(f"Fresh trials: recommended {format_value(rec, rec.comparison_value[0])}")
    for j in range(1, len(rec.rules)):
        d = rec.comparison_difference[j]
        lines.append(f"  {rec.rules[j]:<12} {format_value(rec, rec.comparison_value[j])}; recommended minus "
                     f"{rec.rules[j]} {format_difference(rec, d)}: {verdict(d, rec.rules[j])}")
    c = rec.curve
    if c is not None and c.has_target:
        lines.append(f"Change agents needed for {c.target_level:.0%} internalized (A) at week {c.target_week} "
                     f"(mean, fresh trials, counts {', '.join(str(n) for n in c.counts)}):")
        lines.append("  " + "; ".join(f"{r} {_reach(c, r)}" for r in c.rules))
    if rec.key_people is not None and len(rec.key_people):
        lines.append("Key people (objective with them minus without them, fresh trials; > 0: they are missed):")
        for i in range(len(rec.key_people)):
            lines.append(f"  {rec.key_people.describe(i)}: {format_difference(rec, rec.loss[i])}")
    if rec.credited is not None and len(rec.credited):
        lines.append("Most credited by their peers (adoptions per fresh trial):")
        for i in range(len(rec.credited)):
            m, lo, hi = rec.credit[i]
            lines.append(f"  {rec.credited.describe(i)}: {m:.1f} [{lo:.1f}, {hi:.1f}], a change agent in "
                         f"{rec.champion_share[i]:.0%} of the trials")
    return "\n".join(lines) + "\n"


# --- the figure -----------------------------------------------------------------------------------------------


def _comparison_panel(ax, rec):
    n = len(rec.rules)
    y = np.arange(n)[::-1]
    for j, rule in enumerate(rec.rules):
        m, lo, hi = rec.shown(rec.comparison_value[j])
        best = j == 0
        color = RULE_COLORS.get(rule, "0.4")
        ax.errorbar([m], [y[j]], xerr=[[m - lo], [hi - m]], fmt="o", color=color, ms=13 if best else 9,
                    elinewidth=4 if best else 2.5, capsize=6, mec="black" if best else color, mew=1.5)
        if best:
            ax.axhspan(y[j] - 0.45, y[j] + 0.45, color=RECOMMENDED_COLOR, alpha=0.10, lw=0)
            ax.axvline(m, color=RECOMMENDED_COLOR, lw=1.2, ls=":", alpha=0.8)
            note = "recommended minus rule (paired)"
        else:
            d = rec.comparison_difference[j]
            note = format_difference(rec, d).replace(" weeks sooner", " wk sooner")
            if d[1] == d[2] == 0:
                note = "0: identical in every trial"  # paired on common random numbers: most likely the same set
            else:
                note += "" if differs(d) else "  (covers 0)"
        ax.annotate(note, xy=(1.02, y[j]), xycoords=("axes fraction", "data"), va="center", fontsize=13,
                    fontweight="bold" if j and differs(rec.comparison_difference[j]) else "normal",
                    color="0.35" if j == 0 else "black", annotation_clip=False)
    ax.set_yticks(y, [f"recommended ({rec.count})" if r == "recommended" else r for r in rec.rules])
    for tick, rule in zip(ax.get_yticklabels(), rec.rules):
        if rule == "recommended":
            tick.set_fontweight("bold")
            tick.set_color(RECOMMENDED_COLOR)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(objective_words(rec, short=True))
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(f"(a) The recommended {rec.count} against the five rules\n{rec.test_trials} fresh trials, "
                 f"mean and 95% CI of the mean", loc="left")


def _curve_lines(ax, curve, series, reach=False):
    """One line with a band per rule, greedy in front; with reach, a ring where each rule first reaches the
    target. Returns the legend handles, greedy first (with reach, each label says the count)."""
    handles = []
    x = curve.counts
    for rule in list(curve.rules[1:]) + list(curve.rules[:1]):
        e = series[rule]
        color = RULE_COLORS.get(rule, "0.4")
        greedy = rule == "greedy"
        ax.fill_between(x, e[:, 1], e[:, 2], color=color, alpha=0.18 if greedy else 0.10, lw=0)
        ax.plot(x, e[:, 0], color=color, lw=4 if greedy else 2.5, marker="o", ms=6 if greedy else 4,
                zorder=3 if greedy else 2)
        label = "greedy (recommended, nested)" if greedy else rule
        if reach:
            n = curve.reaches[rule]
            label += f": {n}" if n is not None else f": not by {x[-1]}"
            if n is not None:
                i = int(np.flatnonzero(x == n)[0])
                ax.plot([n], [e[i, 0]], "o", ms=17, mfc="none", mec=color, mew=3, zorder=4)
        handles.append(Line2D([], [], color=color, lw=4 if greedy else 2.5, label=label))
    return handles[::-1]


def _target_line(ax, curve):
    ax.axhline(curve.target_level, color="black", ls="--", lw=1.8)
    return Line2D([], [], color="black", ls="--", lw=1.8,
                  label=f"target {curve.target_level:.0%} at week {curve.target_week}")


def _curve_panels(axes, rec):
    """(b): the objective per count; with a target, its line on the same axes when the objective is the
    internalized share at the target week, else a second panel (b') of that share. One legend, to the right."""
    c = rec.curve
    same = c.has_target and rec.objective == "internalized" and rec.horizon == c.target_week
    ax = axes[0]
    handles = _curve_lines(ax, c, c.value, reach=same)
    if same:
        handles.append(_target_line(ax, c))
    ax.set_ylabel(objective_words(rec, short=True) if rec.objective == "t50" else
                  objective_words(rec).split(" at week")[0].split(" over weeks")[0])
    # Beside (b') each title line must fit its own panel's width, or it runs into the next title.
    ax.set_title("(b) How many change agents\n" + ("fresh trials: mean,\nband = 95% CI of the mean" if len(axes) > 1
                                                    else "fresh trials: mean, band = 95% CI of the mean"), loc="left")
    if len(axes) > 1:
        t = axes[1]
        handles = _curve_lines(t, c, c.at_target, reach=True)
        handles.append(_target_line(t, c))
        t.set_ylabel(f"internalized (A) share at week {c.target_week}")
        t.set_title(f"(b') The target:\ninternalized (A) share\nat week {c.target_week}", loc="left")
    handles.append(Patch(color="0.5", alpha=0.25, lw=0, label="band: 95% CI of the mean\n(mean \u00b1 1.96 SE)"))
    title = "smallest count reaching\nthe target (ring)" if c.has_target else None
    axes[-1].legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=13, frameon=False,
                    title=title, title_fontsize=13, alignment="left")
    for a in axes:
        a.set_xlabel("number of change agents")
        a.set_xticks(c.counts)
        a.grid(True, alpha=0.3)
        if rec.objective != "t50" or a is not ax:
            a.set_ylim(bottom=0)


def _picks_panel(ax, rec, letter):
    k = rec.count
    y = np.arange(k)[::-1]
    for i in range(k):
        m, lo, hi = rec.gain[i]
        color = LEADER_COLORS[bool(rec.picks.formal_leader[i])]
        ax.barh(y[i], m, color=color, height=0.7)
        ax.errorbar([m], [y[i]], xerr=[[m - lo], [hi - m]], fmt="none", ecolor="black", elinewidth=2, capsize=5)
        ax.annotate(format_difference(rec, rec.gain[i]).replace(" weeks sooner", " wk sooner"),
                    xy=(max(hi, 0), y[i]), xytext=(8, 0), textcoords="offset points", va="center", fontsize=13)
    labels = [f"{i + 1}. {rec.picks.label[i]}, dept {rec.picks.department[i]}" + (" (required)" if rec.required[i]
              else "") for i in range(k)]
    ax.set_yticks(y, labels, fontsize=14 if k <= 12 else 12)
    ax.set_ylim(-0.6, k - 0.4)
    ax.axvline(0, color="black", lw=1)
    lo = min(0.0, float(rec.gain[:, 1].min())) if k else 0.0
    hi = max(0.0, float(rec.gain[:, 2].max())) if k else 1.0
    ax.set_xlim(lo - 0.05 * (hi - lo or 1), hi + 0.35 * (hi - lo or 1))
    unit = "weeks sooner" if rec.objective == "t50" else objective_words(rec, short=True).split(" at week")[0]
    ax.set_xlabel(f"marginal gain, {unit}")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=LEADER_COLORS[True], label="formal leader"),
                       Patch(color=LEADER_COLORS[False], label="not a formal leader")],
              loc="lower right", fontsize=13)
    ax.set_title(f"({letter}) The picks, in order: {rec.leaders} of {k} are formal leaders\n"
                 f"gain of each pick on the {rec.trials} choosing trials (optimistic: selection picks the luckiest)",
                 loc="left")


def figure(rec):
    """The figure: (a) comparison, (b) curve (and b' for the target) when the file has one, (c) the picks."""
    c = rec.curve
    second = c is not None and c.has_target and not (rec.objective == "internalized" and rec.horizon == c.target_week)
    ncols = 1 + (c is not None) + second
    k = max(1, rec.count)
    top_h, low_h = 7.0, 1.8 + (0.42 if k <= 6 else 0.3) * k
    fig = plots._figure(figsize=(5.9 * ncols + 6 if ncols > 1 else 13, top_h + low_h + 1.4),
                        layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[top_h, low_h])
    top = grid[0].subgridspec(1, ncols, width_ratios=[1.15] + [1] * (ncols - 1))
    _comparison_panel(fig.add_subplot(top[0, 0]), rec)
    if c is not None:
        _curve_panels([fig.add_subplot(top[0, j]) for j in range(1, ncols)], rec)
    _picks_panel(fig.add_subplot(grid[1]), rec, "c" if c is not None else "b")
    a = rec.attrs
    import textwrap
    title = f"{a.get('experiment', 'Groundswell')}: whom to ask to champion the change (scenario {rec.scenario})"
    width = int(fig.get_figwidth() * 72 / (0.6 * plots.STYLE["figure.titlesize"]))  # characters that fit the figure
    fig.suptitle(textwrap.fill(title, max(30, width)), fontsize=plots.STYLE["figure.titlesize"])
    return fig


def command(args):
    """`python3 -m analysis recommend`: print the summary; with -o, write the figure."""
    rec = load_recommendation(args.results)
    print(summary(rec), end="")
    if args.output:
        plots.save(figure(rec), args.output)
        print(f"wrote {args.output}")
