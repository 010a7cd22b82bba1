"""Tests of the analysis package (python3 -m analysis): figures, paired comparisons, report, bad input."""

import base64
import csv
import math
import subprocess
import sys
from html.parser import HTMLParser

import h5py
import numpy as np
import pytest

from analysis import load, plots, report, stats
from analysis.__main__ import main
from analysis.results import ResultsError

from conftest import REPO


def run_cli(*args):
    """Run python3 -m analysis in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


# --- loading --------------------------------------------------------------------------------------------------


def test_engine_files_load_with_their_scenarios(engine_files):
    res = load(engine_files["sdt"])
    assert res.names == ["baseline", "top_down", "distributed"]
    assert res.trials == 20 and res.steps == 30
    s = res.scenario("top_down")
    assert s.curves["A"].shape == (20, 31)
    assert s.department_adopted.shape == (20, 31, s.departments)
    total = s.curves["N"] + s.curves["C"] + s.curves["A"] + s.curves["R"]
    assert np.allclose(total, 1, atol=1e-5)  # docs/output.md: N + C + A + R = 1
    assert s.has_sdt_states
    assert not load(engine_files["bass"]).scenario("fast").has_sdt_states


# --- plot -----------------------------------------------------------------------------------------------------

MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_plot_writes_each_format(engine_files, tmp_path, ext):
    out = tmp_path / f"curves.{ext}"
    assert main(["plot", str(engine_files["sdt"]), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(MAGIC[ext])


def test_curves_figure_has_every_series(engine_files):
    res = load(engine_files["sdt"])
    fig = plots.curves_figure(res)
    adoption, resistance = fig.axes[:2]
    solid = {l.get_label(): l for l in adoption.get_lines() if l.get_linestyle() == "-"}
    assert set(solid) == set(res.names)  # internalized A, one line per scenario
    dashed = [l for l in adoption.get_lines() if l.get_linestyle() == "--"]
    assert dashed, "compliance under the mandate should be drawn dashed"
    assert all(l.get_color() == plots.scenario_color(res, "top_down") for l in dashed[:1])
    assert len([l for l in resistance.get_lines() if l.get_linestyle() == ":"]) == len(res.names)
    for ax in (adoption, resistance):
        assert ax.get_xlabel() == "week" and ax.get_ylabel() == "share of staff"
        assert len(ax.collections) >= len(res.names)  # the 5-95% bands
    legend = [t.get_text() for t in resistance.get_legend().get_texts()]
    assert set(res.names) <= set(legend) and "complying (C)" in legend
    # the median line is the median over trials
    a = solid["distributed"].get_ydata()
    assert np.allclose(a, np.median(res.scenario("distributed").curves["A"], axis=0))


def test_scenario_colours_are_the_same_in_every_figure(engine_files):
    res = load(engine_files["sdt"])
    full = plots.curves_figure(res)
    subset = plots.curves_figure(res, "distributed,baseline")
    colour = {l.get_label(): l.get_color() for l in full.axes[0].get_lines() if not l.get_label().startswith("_")}
    for line in subset.axes[0].get_lines():
        if not line.get_label().startswith("_"):
            assert line.get_color() == colour[line.get_label()]
    heat = plots.departments_figure(res, "distributed")
    assert heat.axes[0].title.get_color() == colour["distributed"]


def test_plot_svg_names_the_chosen_scenarios(engine_files, tmp_path):
    out = tmp_path / "curves.svg"
    assert main(["plot", str(engine_files["sdt"]), "-o", str(out), "--scenarios", "top_down,distributed"]) == 0
    svg = out.read_text()
    assert "top_down" in svg and "distributed" in svg and "baseline" not in svg


def test_plot_classic_rule_has_no_compliance_panel(engine_files):
    fig = plots.curves_figure(load(engine_files["bass"]))
    assert len(fig.axes) == 1
    assert not [l for l in fig.axes[0].get_lines() if l.get_linestyle() in ("--", ":")]


def test_plot_rejects_unknown_format_and_scenario(engine_files, tmp_path, capsys):
    assert main(["plot", str(engine_files["sdt"]), "-o", str(tmp_path / "x.gif")]) == 2
    assert main(["plot", str(engine_files["sdt"]), "-o", str(tmp_path / "x.png"), "--scenarios", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown figure format" in err and "no scenario 'nope'" in err


# --- compare --------------------------------------------------------------------------------------------------


def paired_file(make_results, diff, trials=200, noise=0.05, seed=5):
    """A file where 'better' exceeds 'base' by diff in final_adopted, plus noise, trial by trial."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.2, 0.6, trials)
    better = base + diff + rng.normal(0, noise, trials)
    t50 = np.where(np.arange(trials) % 4 == 0, np.nan, 20.0)  # a quarter never reach 50% (censored)
    return make_results({"base": {"final_adopted": base, "t50": t50},
                         "better": {"final_adopted": better, "t50": t50 - 3}}, name=f"paired{diff}.h5")


def test_bootstrap_interval_covers_a_known_difference(make_results):
    res = load(paired_file(make_results, 0.2))
    rows = {r.metric: r for r in stats.compare(res, "base", n_boot=2000, seed=1)}
    d = rows["final_adopted"]
    assert d.n == 200
    assert d.ci_low < 0.2 < d.ci_high
    assert d.ci_high - d.ci_low < 0.03  # about 4 standard errors of 0.05 / sqrt(200)
    assert d.p_wilcoxon < 1e-6 and d.p_ttest < 1e-6
    t50 = rows["t50"]
    # every pair counts (RMST): the quarter censored in both differ by 0, the rest by -3
    assert (t50.n, t50.reached_scenario, t50.reached_baseline) == (200, 150, 150)
    assert t50.mean_diff == pytest.approx(-2.25) and math.isnan(t50.p_ttest)


def test_bootstrap_interval_covers_zero_without_a_difference(make_results):
    res = load(paired_file(make_results, 0.0))
    rows = stats.compare(res, "base", n_boot=2000, seed=1)
    assert [r.metric for r in rows][:2] == ["final_internalized", "final_adopted"]  # internalized leads
    d = rows[1]
    assert d.ci_low < 0 < d.ci_high
    assert d.p_ttest > 0.01


def test_bootstrap_is_reproducible_with_its_seed():
    x = np.random.default_rng(0).normal(size=50)
    assert stats.bootstrap_mean_ci(x, 500, seed=3) == stats.bootstrap_mean_ci(x, 500, seed=3)
    assert stats.bootstrap_mean_ci(x, 500, seed=3) != stats.bootstrap_mean_ci(x, 500, seed=4)


def test_identical_scenarios_give_no_difference(make_results):
    same = np.linspace(0.1, 0.9, 30)
    res = load(make_results({"a": {"final_adopted": same}, "b": {"final_adopted": same}}))
    d = stats.compare(res, "a")[0]
    assert d.mean_diff == 0 and d.ci_low == 0 == d.ci_high and d.p_wilcoxon == 1.0


def test_compare_prints_a_table_and_writes_csv(engine_files, tmp_path, capsys):
    out = tmp_path / "cmp.csv"
    assert main(["compare", str(engine_files["sdt"]), "--baseline", "top_down", "--csv", str(out),
                 "--bootstrap", "300", "--seed", "7"]) == 0
    text = capsys.readouterr().out
    assert "Wilcoxon p" in text and "distributed" in text and "final_internalized" in text
    assert "restricted mean time to 50%" in text and "Kaplan-Meier" in text and "not used" in text
    rows = list(csv.DictReader(out.open()))
    absent = stats.absent_metrics(load(engine_files["sdt"]))  # t50_internalized in a format-1 file
    assert absent == ([] if load(engine_files["sdt"]).format_version >= 2 else ["t50_internalized"])
    assert ("Not in this file: t50_internalized" in text) == bool(absent)
    assert len(rows) == 2 * (len(stats.COMPARED) - len(absent))  # two scenarios against the baseline
    assert {r["scenario"] for r in rows} == {"baseline", "distributed"}
    assert all(r["baseline"] == "top_down" for r in rows)


def test_compare_defaults_to_the_first_scenario_without_top_down(engine_files, capsys):
    assert main(["compare", str(engine_files["bass"]), "--bootstrap", "100"]) == 0
    assert "baseline 'slow'" in capsys.readouterr().out


# --- departments ----------------------------------------------------------------------------------------------


def test_departments_heatmap(engine_files, tmp_path):
    res = load(engine_files["sdt"])
    out = tmp_path / "dept.png"
    assert main(["departments", str(engine_files["sdt"]), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(MAGIC["png"])
    fig = plots.departments_figure(res, "top_down,distributed")
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 2
    s = res.scenario("top_down")
    assert images[0].get_array().shape == (s.departments, res.steps + 1)
    assert images[0].get_clim() == (0, 1)
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_departments_trial_median_is_a_real_trial(engine_files, tmp_path):
    s = load(engine_files["sdt"]).scenario("distributed")
    m = plots.department_matrix(s, trial_median=True)
    assert any(np.array_equal(m, s.department_adopted[k].T) for k in range(20))
    out = tmp_path / "dept.svg"
    assert main(["departments", str(engine_files["sdt"]), "-o", str(out), "--trial-median"]) == 0


# --- report ---------------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects tags, attributes and text, and checks that tags are balanced."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text, self.stack, self.errors = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def parse_page(path):
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert not page.errors and not page.stack, (page.errors, page.stack)
    return page


def check_self_contained(page):
    """Figures are inline SVG whose words are text (not paths or pixels); nothing is fetched from elsewhere."""
    figures = [a for tag, a in page.attrs if tag == "div" and a.get("class") == "figure"]
    assert len(figures) >= 2
    assert all(a.get("role") == "img" and a.get("aria-label") for a in figures)
    assert page.tags.count("svg") == len(figures)
    assert "text" in page.tags, "figure text kept as <text>"
    assert "img" not in page.tags and "script" not in page.tags and "link" not in page.tags
    for tag, a in page.attrs:
        for key in ("src", "href", "action", "xlink:href"):
            assert not a.get(key, "").startswith(("http://", "https://", "//")), (tag, a)


def test_report_is_self_contained_html(engine_files, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", str(engine_files["sdt"]), "-o", str(out), "--bootstrap", "300"]) == 0
    html_text = out.read_text()
    assert "http://" not in html_text and "https://" not in html_text
    page = parse_page(out)
    check_self_contained(page)
    text = " ".join(page.text)
    for name in ("baseline", "top_down", "distributed"):
        assert name in text
    assert "Mandate from the top <fast> & loud" in text  # shown as written ...
    assert "<fast>" not in html_text  # ... but escaped
    assert "Compared with top_down" in text and "reached" in text
    for value in ("small", "20", "30", "0.1.0"):
        assert value in text


def test_report_on_classic_rules_and_one_trial(engine_files, tmp_path):
    for key in ("bass", "one_trial"):
        out = tmp_path / f"{key}.html"
        assert main(["report", str(engine_files[key]), "-o", str(out), "--bootstrap", "100"]) == 0
        page = parse_page(out)
        check_self_contained(page)
        assert all(name in " ".join(page.text) for name in load(engine_files[key]).names)
    assert "no compliance or resistance" in (tmp_path / "bass.html").read_text()


def test_reading_names_the_winner_and_the_margin(make_results):
    rng = np.random.default_rng(2)
    base = rng.uniform(0.2, 0.3, 50)
    res = load(make_results({"top_down": {"final_adopted": base},
                             "distributed": {"final_adopted": base + 0.7}, "baseline": {"final_adopted": base / 2}}))
    first = "".join(f if isinstance(f, str) else f[1] for f in report.reading(res, "top_down", 500)[0])
    assert first.startswith("distributed") and "70 points more than top_down" in first


def test_report_escapes_text_from_the_file(make_results, tmp_path):
    path = make_results({"a": {"final_adopted": np.full(5, 0.5), "description": "<script>alert(1)</script>"},
                         "b": {"final_adopted": np.full(5, 0.6)}})
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out), "--bootstrap", "100"]) == 0
    text = out.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# --- bad input ------------------------------------------------------------------------------------------------


def bad_files(tmp_path):
    """Files that are not usable results, with a fragment of the expected message."""
    text = tmp_path / "notes.txt"
    text.write_text("not a results file\n")
    no_format = tmp_path / "no_format.h5"
    with h5py.File(no_format, "w") as f:
        f["x"] = [1, 2, 3]
    return [(tmp_path / "missing.h5", "no such file"), (text, "not an HDF5 file"),
            (no_format, "not a Groundswell results file")]


def test_bad_files_exit_with_status_2_and_one_line(tmp_path):
    for path, fragment in bad_files(tmp_path):
        r = run_cli("compare", path)
        assert r.returncode == 2, (path, r.stderr)
        assert fragment in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["plot", "compare", "departments", "report"])
def test_every_command_rejects_bad_files(tmp_path, capsys, command):
    out = ["-o", str(tmp_path / ("out.html" if command == "report" else "out.png"))] if command != "compare" else []
    for path, fragment in bad_files(tmp_path):
        assert main([command, str(path), *out]) == 2
        assert fragment in capsys.readouterr().err


def test_missing_or_misshapen_datasets_are_named(make_results):
    ok = {"a": {"final_adopted": np.full(4, 0.5)}}
    path = make_results(ok, name="no_t50.h5")
    with h5py.File(path, "a") as f:
        del f["scenarios/a/metrics/t50"]
    with pytest.raises(ResultsError, match="missing dataset /scenarios/a/metrics/t50"):
        load(path)
    path = make_results(ok, name="short.h5")
    with h5py.File(path, "a") as f:
        del f["scenarios/a/curves/A"]
        f["scenarios/a/curves/A"] = np.zeros((4, 3), dtype=np.float32)
    with pytest.raises(ResultsError, match=r"curves/A has shape \(4, 3\), expected \(4, 11\)"):
        load(path)
    path = make_results(ok, name="no_group.h5")
    with h5py.File(path, "a") as f:
        f.attrs["scenarios"] = "a,ghost"
    with pytest.raises(ResultsError, match="missing group /scenarios/ghost"):
        load(path)
