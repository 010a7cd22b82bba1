"""A self-contained HTML report: provenance, figures, tables and a plain-language reading."""

import base64
import html
import math

import numpy as np

from . import plots, stats
from .results import ResultsError

ROOT_FIELDS = (("experiment", "experiment"), ("seed", "seed"), ("trials", "trials"), ("steps", "steps (weeks)"),
               ("groundswell_version", "engine version"), ("git_commit", "engine commit"),
               ("created", "created (UTC)"), ("scenario_file", "scenario file"))

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; font-size: 17px; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { font-size: 1.4em; margin-top: 1.8em; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; }
td.text, th.text { text-align: left; }
tr.first td { border-top: 2px solid #888; }
img { max-width: 100%; height: auto; }
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


def _pts(x):
    return f"{100 * x:.0f} point" + ("" if round(100 * abs(x)) == 1 else "s")


def _ci_pts(low, high):
    if math.isnan(low):
        return "too few trials for a confidence interval"
    return f"95% CI {100 * low:+.0f} to {100 * high:+.0f} points"


def _course(curve, T):
    """How a median curve went: a peak that fell away, or a rise to a plateau."""
    peak = float(curve.max())
    end = float(curve[-1])
    if end < 0.5 * peak:
        return f"peaked at week {int(np.argmax(curve))} at {_pct(peak)} and then fell to {_pct(end)} by week {T}"
    w90 = int(np.argmax(curve >= 0.9 * peak))
    return f"rose to about {_pct(peak)} by week {w90} and stood at {_pct(end)} at week {T}"


def reading(results, baseline, n_boot=2000, seed=0):
    """Plain-language sentences about the results, each a list of fragments: str, or ("b", name) for a name."""
    T = results.steps
    base = results.scenario(baseline)
    fa = {s.name: s.metrics["final_adopted"] for s in results.scenarios}
    ranked = sorted(results.scenarios, key=lambda s: -fa[s.name].mean())
    win = ranked[0]
    lo, hi = stats.bootstrap_mean_ci(fa[win.name], n_boot, seed)
    out = []

    n = results.trials
    trials = f"{n} trial{'s' if n > 1 else ''}"
    spread = f", 95% CI {_pct(lo)} to {_pct(hi)}" if n > 1 else ""
    s = [("b", win.name), f" ({win.description})" if win.description else "",
         f" reached {_pct(fa[win.name].mean())} adoption by week {T} (mean of {trials}{spread})"]
    if win.name != base.name:
        d = stats.paired_difference(win, base, "final_adopted", n_boot, seed)
        s += [f", {_pts(d.mean_diff)} more than ", ("b", base.name), f" ({_ci_pts(d.ci_low, d.ci_high)})"]
    out.append(s + ["."])
    if len(ranked) > 1 and ranked[1].name != base.name:
        run = ranked[1]
        d = stats.paired_difference(win, run, "final_adopted", n_boot, seed)
        clear = d.ci_low > 0
        out.append(["The runner-up, ", ("b", run.name), f", reached {_pct(fa[run.name].mean())}; "
                    f"the lead of {_pts(d.mean_diff)} ({_ci_pts(d.ci_low, d.ci_high)}) is "
                    + ("clear." if clear else f"within the noise of {trials}.")])
    t50 = win.metrics["t50"]
    reached = t50[t50 >= 0]
    if reached.size:
        out.append(["Under ", ("b", win.name), f", half the staff had adopted by week {np.median(reached):.0f} "
                    f"(median) in {reached.size} of {t50.size} trials."])
    else:
        out.append(["Even under ", ("b", win.name), ", adoption reached half the staff in no trial."])

    for sc in results.scenarios:  # adoption that is mostly compliance
        fi = sc.metrics["final_internalized"].mean()
        if fa[sc.name].mean() - fi > 0.1:
            out.append([("b", sc.name), f" looks better on paper than it is: {_pct(fa[sc.name].mean())} adopted by "
                        f"week {T}, but only {_pct(fi)} internalized; the rest is compliance."])

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
            out.append(["Compliance under ", ("b", sc.name), " " + _course(c, T) +
                        (": it lapsed." if lapsed else ": it lasted.")])

    r_med = {sc.name: np.median(sc.curves["R"], axis=0) for sc in results.scenarios}
    worst = max(results.scenarios, key=lambda sc: r_med[sc.name].max())
    start = float(r_med[worst.name][0])
    out.append(["Resistance was highest under ", ("b", worst.name), ": it " + _course(r_med[worst.name], T) +
                (f" (from {_pct(start)} at week 0)." if start > 0 else ".")])
    least = min(results.scenarios, key=lambda sc: r_med[sc.name][-1])
    if least.name != worst.name:
        out.append([("b", least.name), f" ended with the least resistance: {_pct(r_med[least.name][-1])} "
                    f"at week {T}."])
    return out


def _render_sentence(fragments):
    return "".join(f"<strong>{html.escape(f[1])}</strong>" if isinstance(f, tuple) else html.escape(f)
                   for f in fragments)


def _img(fig, alt):
    data = base64.b64encode(plots.png_bytes(fig)).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _table(header, rows, text_cols=1, first_flags=None):
    """An HTML table (no header row when header is None); cells are escaped unless Raw; the first text_cols
    columns are left-aligned; first_flags marks rows that start a group."""
    e = html.escape
    cls = lambda i: ' class="text"' if i < text_cols else ""  # noqa: E731
    lines = ["<table>"]
    if header:
        lines.append("<tr>" + "".join(f"<th{cls(i)}>{e(str(h))}</th>" for i, h in enumerate(header)) + "</tr>")
    for k, row in enumerate(rows):
        tr = '<tr class="first">' if first_flags and first_flags[k] else "<tr>"
        lines.append(tr + "".join(f"<td{cls(i)}>{c if isinstance(c, Raw) else e(str(c))}</td>"
                                  for i, c in enumerate(row)) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


class Raw(str):
    """HTML that is already safe (built here from escaped parts)."""


def _summary_rows(results, n_boot, seed):
    rows = []
    for s in results.scenarios:
        color = plots.scenario_color(results, s.name)
        if not isinstance(color, str):
            from matplotlib.colors import to_hex
            color = to_hex(color)
        name = Raw(f'<span class="swatch" style="background:{color}"></span>{html.escape(s.name)}')
        fa = s.metrics["final_adopted"]
        lo, hi = stats.bootstrap_mean_ci(fa, n_boot, seed)
        t50 = s.metrics["t50"]
        reached = t50[t50 >= 0]
        half = f"{np.median(reached):.0f} ({reached.size}/{t50.size})" if reached.size else f"never (0/{t50.size})"
        rows.append((name, s.description, f"{_pct(fa.mean())} [{_pct(lo)}, {_pct(hi)}]",
                     _pct(s.metrics["final_internalized"].mean()), half,
                     _pct(np.median(s.metrics["peak_compliance"])), _pct(np.median(s.metrics["peak_resistance"]))))
    return rows


def build(results, baseline=None, n_boot=2000, seed=0):
    """The report as an HTML string."""
    e = html.escape
    baseline = baseline or default_baseline(results)
    a = results.attrs
    title = f"Groundswell report: {a.get('experiment', '')}"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]

    parts.append("<h2>Experiment</h2>")
    parts.append(_table(None, [(label, a.get(key, "")) for key, label in ROOT_FIELDS], text_cols=2))

    parts.append('<h2>Reading</h2>\n<div class="reading">')
    parts += [f"<p>{_render_sentence(s)}</p>" for s in reading(results, baseline, n_boot, seed)]
    parts.append('<p class="note">Final adoption: mean over trials, with a percentile bootstrap 95% CI; '
                 "differences are paired trial by trial (common random numbers). Weeks and shares of "
                 "compliance and resistance are read from the median curve over trials.</p>")
    parts.append("</div>")

    parts.append("<h2>Adoption over time</h2>")
    parts.append(_img(plots.curves_figure(results), "adoption curves per scenario"))

    parts.append("<h2>Outcomes per scenario</h2>")
    parts.append(_table(("scenario", "description", f"adopted at week {results.steps} (mean, 95% CI)",
                         "internalized (mean)", "week of 50% adoption (median, trials)",
                         "peak compliance (median)", "peak resistance (median)"),
                        _summary_rows(results, n_boot, seed), text_cols=2))

    parts.append(f"<h2>Compared with {e(baseline)}</h2>")
    rows = stats.compare(results, baseline, n_boot=n_boot, seed=seed)
    if rows:
        firsts = [i == 0 or rows[i - 1].scenario != r.scenario for i, r in enumerate(rows)]
        parts.append(_table(stats.TABLE_HEADER, stats.table_rows(rows), text_cols=2, first_flags=firsts))
        parts.append(f'<p class="note">Differences are scenario minus {e(baseline)}, trial by trial (trials are '
                     "paired by common random numbers). Pairs: trials used of trials; t50 (first week with "
                     "adoption of at least 50%) uses only pairs where both scenarios reached 50%, so it compares "
                     "a selected subset when few did. 95% CI: percentile bootstrap of the mean difference "
                     f"({n_boot} resamples of trials, seed {seed}). Shares are fractions of staff.</p>")
    else:
        parts.append("<p>Nothing to compare: the file has a single scenario.</p>")

    parts.append("<h2>Adoption by department</h2>")
    parts.append(_img(plots.departments_figure(results), "adoption per department and week"))

    parts.append("<h2>Scenarios</h2>")
    parts.append(_table(("scenario", "rule", "description", "parameters"),
                        [(s.name, s.rule, s.description, Raw(f"<pre>{e(s.parameters)}</pre>"))
                         for s in results.scenarios], text_cols=4))
    if a.get("scenario_text"):
        parts.append("<details><summary>Scenario file as run</summary>"
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
