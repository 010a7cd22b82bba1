"""Times to 50% are right-censored (docs/output.md): NaN in format 2, -1 in format 1, never a number; and the
words of MODEL.md 7 (internalized first) in compare, report and figures."""

import h5py
import numpy as np
import pytest

from analysis import load, plots, report, stats
from analysis.__main__ import main
from analysis.results import ResultsError

NAN = np.nan
#: Trials 1 and 2 have a censored time in one scenario: only pairs 0 and 3 count.
BASE = {"final_adopted": [0.5, 0.6, 0.4, 0.5], "t50": [10, 20, NAN, 30], "t50_internalized": [12, NAN, NAN, 40]}
BETTER = {"final_adopted": [0.7, 0.8, 0.6, 0.7], "t50": [8, NAN, 5, 25], "t50_internalized": [9, 30, NAN, 33]}


def censored_file(make_results, version):
    return make_results({"base": dict(BASE), "better": dict(BETTER)}, name=f"censored{version}.h5",
                        format_version=version, steps=52)


@pytest.mark.parametrize("version", [1, 2])
def test_censored_times_are_read_as_nan(make_results, version):
    path = censored_file(make_results, version)
    with h5py.File(path) as f:  # format 1 really holds -1, format 2 NaN
        stored = f["scenarios/base/metrics/t50"][()]
        assert (stored[2] == -1) if version == 1 else np.isnan(stored[2])
    s = load(path).scenario("base")
    assert s.metrics["t50"].dtype == np.float64
    assert np.array_equal(np.isnan(s.metrics["t50"]), [False, False, True, False])
    assert s.censored_at == 52
    if version == 1:  # decision: a format-1 file's missing t50_internalized is absent, not "never reached"
        assert "t50_internalized" not in s.metrics and s.attribution is None and s.department_internalized is None
    else:
        assert np.array_equal(np.isnan(s.metrics["t50_internalized"]), [False, True, True, False])


@pytest.mark.parametrize("version", [1, 2])
def test_compare_uses_every_pair_with_censored_at_T(make_results, version):
    res = load(censored_file(make_results, version))
    rows = {r.metric: r for r in stats.compare(res, "base", n_boot=200)}
    t50 = rows["t50"]
    # RMST over T = 52, not reached = 52: base (10 + 20 + 52 + 30) / 4 = 28, better (8 + 52 + 5 + 25) / 4 = 22.5.
    # Counting -1 (or NaN as 0), or only the pairs where both reached (-3.5), would give other numbers.
    assert (t50.n, t50.trials, t50.reached_scenario, t50.reached_baseline) == (4, 4, 3, 3)
    assert t50.statistic == "RMST" and t50.horizon == 52
    assert t50.mean_scenario == pytest.approx(22.5) and t50.mean_baseline == pytest.approx(28)
    assert t50.mean_diff == pytest.approx(-5.5) and np.isnan(t50.p_ttest)
    if version == 2:
        ti = rows["t50_internalized"]  # (9 + 30 + 52 + 33) / 4 = 31 against (12 + 52 + 52 + 40) / 4 = 39
        assert (ti.n, ti.mean_scenario, ti.mean_baseline, ti.mean_diff) == (4, 31, 39, -8)
    else:
        assert "t50_internalized" not in rows and stats.absent_metrics(res) == ["t50_internalized"]


def test_compare_output_says_rmst_and_words_internalized_first(make_results, capsys):
    assert main(["compare", str(censored_file(make_results, 2)), "--baseline", "base", "--bootstrap", "100"]) == 0
    text = capsys.readouterr().out
    medians, diffs = text.split("Paired differences")
    lines = [line for line in diffs.splitlines() if line.startswith("better")]
    assert [line.split()[1] for line in lines] == list(stats.COMPARED)
    assert list(stats.COMPARED)[:3] == ["final_internalized", "final_adopted", "t50_internalized"]
    t50i = lines[2]
    assert "internalized (A): weeks to 50%, RMST" in t50i and " 4/4 " in t50i and "-8.0 wk" in t50i
    assert "3/2 of 4" in t50i and t50i.rstrip().endswith("not used")  # no t test for times
    assert "adopted (A + C), share at the end" in lines[1]
    assert "Every pair is used" in text and "no t test for times" in text and "Wilcoxon signed-rank" in text
    assert "Not in this file" not in text
    # Kaplan-Meier medians first, internalized before adopted: better's internalized median is week 30
    km = [line for line in medians.splitlines() if line.startswith("better")]
    assert "internalized (A)" in km[0] and "30 wk [9, > 52]" in km[0] and "3/4" in km[0]
    assert "adopted (A + C)" in km[1]
    assert "Brookmeyer-Crowley" in medians


def test_report_summary_and_reading_use_kaplan_meier_and_words(make_results, tmp_path):
    path = censored_file(make_results, 2)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out), "--bootstrap", "100"]) == 0
    text = out.read_text()
    assert "week of 50% internalized (A)" in text and "week of 50% adopted (A + C)" in text
    # base t50_internalized 12, 40, two censored at 52: S(12) = 3/4, S(40) = 1/2, so the median is 40 (not 26,
    # the median of the two that reached); 95% CI [12, > 52] (test_survival works such a case by hand)
    assert "<td>40 [12, &gt; 52] (2/4)</td>" in text
    assert "<td>30 [9, &gt; 52] (3/4)</td>" in text  # better: 9, 30, 33, one censored
    assert text.index("internalized (A) at week 52") < text.index("adopted (A + C) at week 52")
    assert "Internalized (A) by department" in text and "Adopted (A + C) by department" in text
    assert "Time to 50%: Kaplan-Meier" in text and "Brookmeyer-Crowley" in text
    sentences = ["".join(f if isinstance(f, str) else f[1] for f in s)
                 for s in report.reading(load(path), "base", 100)]
    assert sentences[0].startswith("better") and "internalized (A) by week 52" in sentences[0]
    assert any("half the staff had internalized (A) by week 30 (Kaplan-Meier median, 95% CI [9, > 52]; 3 of 4 "
               "trials reached it)" in s for s in sentences)
    assert any("Restricted mean time to 50% internalized (A)" in s and "31.0 weeks under better against 39.0"
               in s and "8.0 weeks sooner" in s for s in sentences)


def test_format_2_requires_its_new_datasets(make_results):
    path = make_results({"a": {"final_adopted": np.full(3, 0.5)}})
    with h5py.File(path, "a") as f:
        del f["scenarios/a/metrics/t50_internalized"]
    with pytest.raises(ResultsError, match="missing dataset /scenarios/a/metrics/t50_internalized"):
        load(path)


def test_format_2_curves_are_loaded(make_results):
    path = make_results({"a": {"final_adopted": np.full(3, 0.5), "active_champions": np.full((3, 11), 4)}})
    s = load(path).scenario("a")
    assert s.department_internalized.shape == (3, 11, 3)
    assert s.active_champions.dtype == np.int64 and s.active_champions[0, 0] == 4
    assert s.metrics["departments_internalized"].shape == (3,)
    assert load(path).format_version == 2 and s.size == 30


def test_departments_show_internalized_when_the_file_has_it(make_results, capsys, tmp_path):
    v2 = load(censored_file(make_results, 2))
    fig = plots.departments_figure(v2)
    assert fig._suptitle.get_text().startswith("Internalized (A) by department")
    assert fig.axes[-1].get_ylabel() == "internalized share (A)"  # the colour bar
    v1 = load(censored_file(make_results, 1))
    assert plots.departments_figure(v1)._suptitle.get_text().startswith("Adopted (A + C) by department")
    assert main(["departments", str(v1.path), "-o", str(tmp_path / "d.png"), "--share", "internalized"]) == 2
    assert "written before format_version 2" in capsys.readouterr().err
