"""A self-contained HTML report: provenance, figures, tables and a plain-language reading."""

import hashlib
import html
import math

import numpy as np

from . import attribution, plots, stats, survival
from .results import ResultsError

ROOT_FIELDS = (("experiment", "experiment"), ("seed", "seed"), ("trials", "trials"), ("steps", "steps (weeks)"),
               ("groundswell_version", "engine version"), ("git_commit", "engine commit"),
               ("created", "created (UTC)"), ("scenario_file", "scenario file"),
               ("overrides", "--set on the command line"))

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; font-size: 17px; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { font-size: 1.4em; margin-top: 1.8em; border-bottom: 2px solid #ddd; }
.wide { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
td.text, th.text { text-align: left; }
tr.first td { border-top: 2px solid #888; }
.figure svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; margin: 0; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: middle; }
.reading p { font-size: 1.1em; }
.note { color: #555; font-size: 0.92em; }
"""


def default_baseline(results):
    """`top_down` if the file has it, else its first scenario."""
    return "top_down" if "top_down" in results.names else results.names[0]


def _pct(x):
    """A share as a percentage; one decimal below 1% so that small shares do not read as zero."""
    if math.isnan(x):
        return "n/a"
    return f"{100 * x:.1f}%" if 0 < abs(x) < 0.01 else f"{100 * x:.0f}%"


def interval_decimals(low, high, scale=100, most=3):
    """Decimals that make an interval's two ends differ once printed (times `scale`: 100 for percentages):
    one digit for the first decimal place the width reaches, more until the ends differ, at most `most`.
    0.976 to 0.984 -> 1 ("97.6% to 98.4%"); 0.90 to 0.98 -> 0; NaN, or a width below the last decimal `most`
    allows (one value, up to floating-point rounding) -> 0."""
    lo, hi = scale * low, scale * high
    width = abs(hi - lo)
    if not (math.isfinite(width) and width >= 10.0 ** -most):  # NaN, or an interval of one value (to rounding)
        return 0
    d = min(most, max(0, -math.floor(math.log10(width))))
    while d < most and f"{lo:.{d}f}" == f"{hi:.{d}f}":
        d += 1
    return d


def _pct_at(x, d):
    return "n/a" if math.isnan(x) else f"{100 * x:.{d}f}%"


def pct_interval(mean, low, high):
    """(mean, low, high) as percentages with one number of decimals, chosen from the interval's width
    (interval_decimals) and never fewer than _pct gives the mean."""
    d = interval_decimals(low, high)
    if 0 < abs(mean) < 0.01:
        d = max(d, 1)
    return _pct_at(mean, d), _pct_at(low, d), _pct_at(high, d)


def _pts(x, low=math.nan, high=math.nan):
    """A difference in percentage points, with the decimals of its interval (low, high) when given."""
    d = interval_decimals(low, high)
    text = f"{100 * x:.{d}f}"
    return f"{text} point" + ("" if text.lstrip("-") in ("1", "1." + "0" * d) else "s")


def _ci_pts(low, high):
    if math.isnan(low):
        return "too few trials for a confidence interval"
    d = interval_decimals(low, high)
    return f"95% CI {100 * low:+.{d}f} to {100 * high:+.{d}f} points"


def _course(curve, T):
    """How a median curve went: a peak that fell away, or a rise to a plateau."""
    peak = float(curve.max())
    end = float(curve[-1])
    if end < 0.5 * peak:
        return f"peaked at week {int(np.argmax(curve))} at {_pct(peak)} and then fell to {_pct(end)} by week {T}"
    w90 = int(np.argmax(curve >= 0.9 * peak))
    return f"rose to about {_pct(peak)} by week {w90} and stood at {_pct(end)} at week {T}"


def _half(scenario, metric):
    """The Kaplan-Meier median of a time to 50% (survival.Median: median, 95% CI, reached, trials; NaN = not
    reached by T), or None when the file lacks the metric. Censored trials count as later than T, never as a
    number and never left out."""
    t = scenario.metrics.get(metric)
    if t is None:
        return None
    return survival.km_median(survival.km_of(t, scenario.censored_at))


def reading(results, baseline, n_boot=2000, seed=0):
    """Plain-language sentences about the results, each a list of fragments: str, or ("b", name) for a name.

    Internalized (A) leads: scenarios are ranked by their mean internalized share at the last week.
    """
    T = results.steps
    base = results.scenario(baseline)
    fi = {s.name: s.metrics["final_internalized"] for s in results.scenarios}
    fa = {s.name: s.metrics["final_adopted"] for s in results.scenarios}
    ranked = sorted(results.scenarios, key=lambda s: -fi[s.name].mean())
    win = ranked[0]
    lo, hi = stats.bootstrap_mean_ci(fi[win.name], n_boot, seed)
    out = []

    n = results.trials
    trials = f"{n} trial{'s' if n > 1 else ''}"
    mean, lo_text, hi_text = pct_interval(fi[win.name].mean(), lo, hi) if n > 1 else (_pct(fi[win.name].mean()),) * 3
    spread = f", 95% CI {lo_text} to {hi_text}" if n > 1 else ""
    s = [("b", win.name), f" ({win.description})" if win.description else "",
         f" had {mean} of the staff internalized (A) by week {T} (mean of {trials}{spread})"]
    if win.name != base.name:
        d = stats.paired_difference(win, base, "final_internalized", n_boot, seed)
        s += [f", {_pts(d.mean_diff, d.ci_low, d.ci_high)} more than ", ("b", base.name), f" ({_ci_pts(d.ci_low, d.ci_high)})"]
    s += [f"; adopted (A + C): {_pct(fa[win.name].mean())}"]
    out.append(s + ["."])
    if len(ranked) > 1 and ranked[1].name != base.name:
        run = ranked[1]
        d = stats.paired_difference(win, run, "final_internalized", n_boot, seed)
        clear = d.ci_low > 0
        out.append(["The runner-up, ", ("b", run.name), f", had {_pct(fi[run.name].mean())} internalized (A); "
                    f"the lead of {_pts(d.mean_diff, d.ci_low, d.ci_high)} ({_ci_pts(d.ci_low, d.ci_high)}) is "
                    + ("clear." if clear else f"within the noise of {trials}.")])
    halves = [(word, _half(win, m)) for word, m in (("internalized (A)", "t50_internalized"),
                                                    ("adopted (A + C)", "t50"))]
    said = [f"{word} by week {h.median:.0f} (Kaplan-Meier median, 95% CI {survival.format_ci(h)}; "
            f"{h.reached} of {h.trials} trials reached it)"
            for word, h in halves if h is not None and not math.isnan(h.median)]
    never = [word for word, h in halves if h is not None and math.isnan(h.median)]
    if said:
        out.append(["Under ", ("b", win.name), ", half the staff had " + " and ".join(said) +
                    (f"; the median of {' or '.join(never)} was not reached by week {T}" if never else "") +
                    f". Trials that did not reach 50% by week {T} count as later than week {T} (censored)."])
    else:
        out.append(["Even under ", ("b", win.name), f", the median time to 50% {' or '.join(never)} was not "
                    f"reached by week {T}: fewer than half the trials got there."])

    if win.name != base.name and "t50_internalized" in win.metrics and "t50_internalized" in base.metrics:
        d = stats.paired_difference(win, base, "t50_internalized", n_boot, seed)
        if not math.isnan(d.ci_low):
            out.append([f"Restricted mean time to 50% internalized (A) over the {T} weeks (not reached = {T}): "
                        f"{d.mean_scenario:.1f} weeks under ", ("b", win.name), f" against {d.mean_baseline:.1f} "
                        "under ", ("b", base.name), f", {abs(d.mean_diff):.1f} weeks "
                        + ("sooner" if d.mean_diff < 0 else "later")
                        + f" (paired bootstrap 95% CI {d.ci_low:+.1f} to {d.ci_high:+.1f} weeks)."])

    for sc in results.scenarios:  # where the internalized adoptions came from
        if sc.attribution is None:
            continue
        try:
            sm = attribution.summarize(results, sc)
        except ResultsError:
            continue
        if sm.entered_total <= 0:
            continue
        top = max(attribution.CAUSES, key=sm.share_of_entries)
        text = (f", {_pct(sm.share_of_entries(top))} of the entries into internalized (A) were caused by "
                f"{attribution.CAUSE_PHRASES[top]}")
        if sm.has_credit:
            text += (f"; of the peer credit, champions got {_pct(sm.credit_mean['champions'])} and formal leaders "
                     f"{_pct(sm.credit_mean['formal_leaders'])}")
        out.append(["Under ", ("b", sc.name), text + "."])

    for sc in results.scenarios:  # adoption that is mostly compliance
        fi_mean = fi[sc.name].mean()
        if fa[sc.name].mean() - fi_mean > 0.1:
            out.append([("b", sc.name), f" looks better on paper than it is: {_pct(fa[sc.name].mean())} adopted "
                        f"(A + C) by week {T}, but only {_pct(fi_mean)} internalized (A); the rest is complying (C)."])

    if not any(sc.tracks_sdt_states for sc in results.scenarios):
        rules = sorted({sc.rule for sc in results.scenarios if sc.rule})
        many = len(rules) > 1
        out.append([f"The rule{'s' if many else ''} {', '.join(rules) or 'used'} {'have' if many else 'has'} "
                    "no compliance or resistance states, so only adoption is compared."])
        return out
    if not any(sc.has_sdt_states for sc in results.scenarios):
        out.append(["Nobody complied or resisted in any trial."])
        return out

    for sc in results.scenarios:  # compliance: median curve
        c = np.median(sc.curves["C"], axis=0)
        if c.max() >= 0.02:
            lapsed = c[-1] < 0.5 * c.max()
            out.append(["Complying (C) under ", ("b", sc.name), " " + _course(c, T) +
                        (": it lapsed." if lapsed else ": it lasted.")])

    r_med = {sc.name: np.median(sc.curves["R"], axis=0) for sc in results.scenarios}
    worst = max(results.scenarios, key=lambda sc: r_med[sc.name].max())
    start = float(r_med[worst.name][0])
    out.append(["Resisting (R) was highest under ", ("b", worst.name), ": it " + _course(r_med[worst.name], T) +
                (f" (from {_pct(start)} at week 0)." if start > 0 else ".")])
    least = min(results.scenarios, key=lambda sc: r_med[sc.name][-1])
    if least.name != worst.name:
        out.append([("b", least.name), f" ended with the least resisting (R): {_pct(r_med[least.name][-1])} "
                    f"at week {T}."])
    return out


def _render_sentence(fragments):
    return "".join(f"<strong>{html.escape(f[1])}</strong>" if isinstance(f, tuple) else html.escape(f)
                   for f in fragments)


def _img(fig, alt):
    """A figure inline as SVG (text kept as text), labelled for screen readers."""
    # Ids are prefixed by a digest of the label, so that the figures of a page differ and a report is the
    # same file each time it is made.
    svg = plots.svg_element(fig, "f" + hashlib.sha1(alt.encode("utf-8")).hexdigest()[:8])
    return f'<div class="figure" role="img" aria-label="{html.escape(alt)}">{svg}</div>'


def _table(header, rows, text_cols=1, first_flags=None):
    """An HTML table (no header row when header is None); cells are escaped unless Raw; the first text_cols
    columns are left-aligned; first_flags marks rows that start a group."""
    e = html.escape
    cls = lambda i: ' class="text"' if i < text_cols else ""  # noqa: E731
    lines = ['<div class="wide"><table>']
    if header:
        lines.append("<tr>" + "".join(f"<th{cls(i)}>{e(str(h))}</th>" for i, h in enumerate(header)) + "</tr>")
    for k, row in enumerate(rows):
        tr = '<tr class="first">' if first_flags and first_flags[k] else "<tr>"
        lines.append(tr + "".join(f"<td{cls(i)}>{c if isinstance(c, Raw) else e(str(c))}</td>"
                                  for i, c in enumerate(row)) + "</tr>")
    lines.append("</table></div>")
    return "\n".join(lines)


class Raw(str):
    """HTML that is already safe (built here from escaped parts)."""


def _half_cell(scenario, metric):
    h = _half(scenario, metric)
    if h is None:
        return "not in this file"
    return f"{survival.format_median(h, '')} ({h.reached}/{h.trials})"


def _summary_header(steps):
    return ("scenario", "description", f"internalized (A) at week {steps} (mean, 95% CI)",
            f"adopted (A + C) at week {steps} (mean, 95% CI)",
            "week of 50% internalized (A) (Kaplan-Meier median [95% CI], reached/trials)",
            "week of 50% adopted (A + C) (Kaplan-Meier median [95% CI], reached/trials)",
            "peak complying (C) (median)", "peak resisting (R) (median)")


def _summary_rows(results, n_boot, seed):
    rows = []
    for s in results.scenarios:
        color = plots.scenario_color(results, s.name)
        if not isinstance(color, str):
            from matplotlib.colors import to_hex
            color = to_hex(color)
        name = Raw(f'<span class="swatch" style="background:{color}"></span>{html.escape(s.name)}')
        cells = []
        for m in ("final_internalized", "final_adopted"):
            v = s.metrics[m]
            lo, hi = stats.bootstrap_mean_ci(v, n_boot, seed)
            mean, lo_text, hi_text = pct_interval(v.mean(), lo, hi)
            cells.append(f"{mean} [{lo_text}, {hi_text}]")
        rows.append((name, s.description, *cells, _half_cell(s, "t50_internalized"), _half_cell(s, "t50"),
                     _pct(np.median(s.metrics["peak_compliance"])), _pct(np.median(s.metrics["peak_resistance"]))))
    return rows


def _attribution_section(results):
    """The attribution figure and table of the scenarios that have one, and a note naming those without."""
    if results.format_version < 2:
        return [f"<p>Not in this file: it was written before attribution existed (format_version "
                f"{results.format_version}); re-run the experiment with a newer groundswell to see where the "
                "internalized adoptions came from.</p>"]
    have = [s.name for s in results.scenarios if s.attribution is not None]
    lacking = [s for s in results.scenarios if s.attribution is None]
    parts = []
    if have:
        try:
            sums = attribution.summaries(results, have)
        except ResultsError as err:
            return [f"<p>No attribution: {html.escape(str(err))}</p>"]
        header = attribution.table_header(results.steps)
        parts += [_img(attribution.figure(results, have),
                       "entries into internalized (A) by cause, and peer credit by role"),
                  _table(header, attribution.table_rows(sums), text_cols=1),
                  '<p class="note">Shares of staff: mean over trials of the entries into internalized (A) by week '
                  f"{results.steps}, by cause, divided by the organization's size (in parentheses: share of all "
                  "entries into A). An agent who left A and came back counts each time, so the entries can exceed "
                  "the internalized share at the end. Peer credit: each role's share of a run's credit for the "
                  "peer-caused entries into A, mean over the trials with peer credit, 95% CI = mean &plusmn; 1.96 "
                  "standard errors over those trials (clipped to 0-100%).</p>"]
    if lacking:
        why = ("run with record.attribution = false" if all(attribution.not_recorded(s) for s in lacking)
               else "no attribution group in the file")
        parts.append(f"<p>No attribution for: {html.escape(', '.join(s.name for s in lacking))} ({why}).</p>")
    return parts


def build(results, baseline=None, n_boot=2000, seed=0):
    """The report as an HTML string."""
    e = html.escape
    baseline = baseline or default_baseline(results)
    a = results.attrs
    title = f"Groundswell report: {a.get('experiment', '')}"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]

    parts.append("<h2>Experiment</h2>")
    rows = [(label, Raw("<br>".join(e("--set " + t) for t in str(a[key]).splitlines())) if key == "overrides"
             else a.get(key, "")) for key, label in ROOT_FIELDS if key != "overrides" or a.get(key)]
    parts.append(_table(None, rows, text_cols=2))

    parts.append('<h2>Reading</h2>\n<div class="reading">')
    parts += [f"<p>{_render_sentence(s)}</p>" for s in reading(results, baseline, n_boot, seed)]
    parts.append('<p class="note">Words: internalized = A, complying = C, adopted = A + C (every visible uptake, '
                 "compliance included), resisting = R. Final shares: mean over trials, with a percentile bootstrap "
                 "95% CI; differences are paired trial by trial (common random numbers). Weeks and shares of "
                 "complying and resisting are read from the median curve over trials. Weeks to 50%: Kaplan-Meier "
                 "medians and restricted mean times (RMST) over the whole run, a trial that did not reach 50% "
                 "being censored at the last week, never left out.</p>")
    parts.append("</div>")

    parts.append("<h2>Internalized, complying and resisting over time</h2>")
    parts.append(_img(plots.curves_figure(results), "internalized (A), complying (C) and resisting (R) per scenario"))

    parts.append("<h2>Outcomes per scenario</h2>")
    parts.append(_table(_summary_header(results.steps), _summary_rows(results, n_boot, seed), text_cols=2))
    parts.append(f'<p class="note">Weeks of 50%: {e(stats.median_note(results.steps))} Reached/trials: trials '
                 f"that reached 50% by week {results.steps}; the others are censored, not left out.</p>")

    parts.append("<h2>Time to 50%: Kaplan-Meier</h2>")
    parts.append(_img(plots.km_figure(results), "Kaplan-Meier curves of the time to 50% internalized (A) and "
                      "adopted (A + C) per scenario, median marked"))
    parts.append(_table(stats.MEDIAN_HEADER, stats.median_table_rows(results), text_cols=2))
    parts.append('<p class="note">Share of trials not yet at 50% against the week. '
                 f"{e(stats.median_note(results.steps))} "
                 f"RMST: restricted mean time to 50% over the {results.steps} weeks, the mean of min(t, "
                 f"{results.steps}) with not reached = {results.steps}.</p>")

    parts.append("<h2>Where the internalized adoptions came from</h2>")
    parts += _attribution_section(results)

    parts.append(f"<h2>Compared with {e(baseline)}</h2>")
    rows = stats.compare(results, baseline, n_boot=n_boot, seed=seed)
    if rows:
        firsts = [i == 0 or rows[i - 1].scenario != r.scenario for i, r in enumerate(rows)]
        parts.append(_table(stats.TABLE_HEADER, stats.table_rows(rows), text_cols=stats.TEXT_COLUMNS,
                            first_flags=firsts))
        absent = stats.absent_note(stats.absent_metrics(results))
        parts.append(f'<p class="note">Differences are scenario minus {e(baseline)}, trial by trial (trials are '
                     f"paired by common random numbers). Pairs: trials used of trials. {e(stats.censoring_note())} "
                     "95% CI: percentile bootstrap of the mean difference "
                     f"({n_boot} resamples of trials, seed {seed}). Shares are fractions of staff."
                     + (f" {e(absent)}" if absent else "") + "</p>")
    else:
        parts.append("<p>Nothing to compare: the file has a single scenario.</p>")

    for share in ("internalized", "adopted"):
        if share == "internalized" and plots.default_share(results.scenarios) != "internalized":
            continue  # a format-1 file has only the adopted share per department
        word = "Internalized (A)" if share == "internalized" else "Adopted (A + C)"
        parts.append(f"<h2>{word} by department</h2>")
        parts.append(_img(plots.departments_figure(results, share=share), f"{share} share {word.split(' ', 1)[1]} "
                          "per department and week"))

    parts.append("<h2>Scenarios</h2>")
    parts.append(_table(("scenario", "rule", "description", "parameters"),
                        [(s.name, s.rule, s.description, Raw(f"<pre>{e(s.parameters)}</pre>"))
                         for s in results.scenarios], text_cols=4))
    if a.get("scenario_text"):
        summary = ("Scenario file, before the --set changes above (each scenario's parameters hold the values run)"
                   if a.get("overrides") else "Scenario file as run")
        parts.append(f"<details><summary>{e(summary)}</summary>"
                     f"<pre>{e(str(a['scenario_text']))}</pre></details>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def write(results, path, baseline=None, n_boot=2000, seed=0):
    """Write the report to path."""
    text = build(results, baseline, n_boot, seed)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        raise ResultsError(f"{path}: cannot write the report ({err.strerror or err})") from None
