"""Tests of analysis.recommend (python3 -m analysis recommend): synthetic recommendation files written with h5py
to docs/recommend.md, with values checked by hand, and a small one written by `groundswell recommend`."""

import subprocess

import h5py
import numpy as np
import pytest

from analysis.recommend import RULES, differs, figure, load_recommendation, summary
from analysis.results import ResultsError

from conftest import engine_binary
from test_analysis import MAGIC, run_cli

#: Hand-made values: two picks (a formal leader, then someone who is not), five rules on fresh trials, a curve
#: over 0..2 change agents and the target 50% at week 52.
COMPARISON = {  # rule: (value, difference = recommended minus rule)
    "recommended": ([0.80, 0.76, 0.84], [0, 0, 0]),
    "random": ([0.50, 0.44, 0.56], [0.30, 0.20, 0.40]),  # better: the interval excludes 0
    "formal": ([0.78, 0.74, 0.82], [0.02, -0.01, 0.05]),  # no difference: covers 0
    "central": ([0.85, 0.82, 0.88], [-0.05, -0.08, -0.02]),  # worse
    "bridging": ([0.79, 0.75, 0.83], [0.01, 0.00, 0.02]),  # low end exactly 0: covers 0
    "distributed": ([0.70, 0.65, 0.75], [0.10, 0.06, 0.14]),
}
CURVE_RULES = ("greedy",) + RULES
REACHES = (1, -1, 2, 2, 2, 2)  # greedy reaches the target with 1, random not within 0..2


def _people(g, labels, departments, level, leader, listeners):
    g["agent"] = np.arange(len(labels), dtype=np.uint32) + 3
    g["label"] = np.array(labels, dtype=object)
    g["department"] = np.array(departments, dtype=object)
    g["level"] = np.array(level, dtype=np.int32)
    g["formal_leader"] = np.array(leader, dtype=np.int32)
    g["listeners"] = np.array(listeners, dtype=np.float64)


def write_recommendation(path, objective="internalized", horizon=52, curve=True, target=True, key_people=True,
                         target_week=52):
    """A recommendation file following docs/recommend.md (strings variable-length, as the engine writes them)."""
    sign = -1.0 if objective == "t50" else 1.0
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "groundswell-recommend", "format_version": np.int64(1), "experiment": "synthetic",
                        "scenario": "distributed", "objective": objective, "horizon": np.int64(horizon),
                        "count": np.int64(2), "seed": np.uint64(7), "trials": np.uint64(100),
                        "test_trials": np.uint64(80), "evaluations": np.uint64(30), "candidates": np.uint64(21),
                        "lazy": np.int32(1), "scenario_file": "synthetic.toml", "scenario_text": "# synthetic\n"})
        p = f.create_group("picks")
        _people(p, ["v21", "v2"], ["sales", "R&D"], [1, 2], [1, 0], [15.0, 18.0])
        p["gain"] = np.array([[0.50, 0.44, 0.56], [0.10, 0.05, 0.15]])
        p["value"] = sign * np.array([[0.55, 0.50, 0.60], [0.65, 0.60, 0.70]])
        p["required"] = np.zeros(2, dtype=np.int32)
        c = f.create_group("comparison")
        c["rule"] = np.array(list(COMPARISON), dtype=object)
        values = np.array([v for v, _ in COMPARISON.values()])
        if objective == "t50":  # stored as scores: minus the weeks [mean, low, high] -> [-mean, -high, -low]
            values = -values[:, [0, 2, 1]]
        c["value"] = values
        c["difference"] = np.array([d for _, d in COMPARISON.values()], dtype=np.float64)
        if curve:
            g = f.create_group("curve")
            g["count"] = np.array([0, 1, 2], dtype=np.uint32)
            g["rule"] = np.array(CURVE_RULES, dtype=object)
            for i, r in enumerate(CURVE_RULES):
                reach = REACHES[i] if REACHES[i] >= 0 else 99
                means = np.array([0.05, 0.6 if reach <= 1 else 0.3, 0.8 if reach <= 2 else 0.4])
                g[f"{r}/value"] = np.column_stack([means, means - 0.03, means + 0.03])
                if target:
                    g[f"{r}/at_target"] = np.column_stack([means, means - 0.03, means + 0.03])
            if target:
                g["reaches_target"] = np.array(REACHES, dtype=np.int32)
                g.attrs["target_level"] = 0.5
                g.attrs["target_week"] = np.int64(target_week)
        if key_people:
            k = f.create_group("key_people")
            _people(k, ["v7", "v14"], ["sales", "ops"], [0, 1], [1, 1], [12.0, 9.0])
            k["loss"] = np.array([[0.12, 0.05, 0.19], [0.01, -0.02, 0.04]])
            k = f.create_group("credited")
            _people(k, ["v2"], ["R&D"], [2], [0], [18.0])
            k["credit"] = np.array([[4.1, 3.8, 4.4]])
            k["champion_share"] = np.array([1.0])
    return path


def test_load_reads_every_group(tmp_path):
    rec = load_recommendation(write_recommendation(tmp_path / "rec.h5"))
    assert rec.objective == "internalized" and rec.horizon == 52 and rec.scenario == "distributed"
    assert rec.count == 2 and rec.trials == 100 and rec.test_trials == 80
    assert rec.picks.label == ["v21", "v2"] and rec.picks.department == ["sales", "R&D"]
    assert list(rec.picks.formal_leader) == [True, False] and rec.leaders == 1
    assert rec.rules == list(COMPARISON)
    assert rec.curve.rules == list(CURVE_RULES) and list(rec.curve.counts) == [0, 1, 2]
    assert rec.curve.reaches == {"greedy": 1, "random": None, "formal": 2, "central": 2, "bridging": 2,
                                 "distributed": 2}
    assert (rec.curve.target_level, rec.curve.target_week) == (0.5, 52)
    assert rec.key_people.label == ["v7", "v14"] and rec.credited.label == ["v2"]
    assert rec.champion_share[0] == 1.0


def test_a_difference_is_one_only_when_its_interval_excludes_zero():
    assert differs([0.3, 0.2, 0.4]) and differs([-0.05, -0.08, -0.02])
    assert not differs([0.02, -0.01, 0.05]) and not differs([0.01, 0.0, 0.02])


def test_summary_says_which_differences_are_differences(tmp_path):
    text = summary(load_recommendation(write_recommendation(tmp_path / "rec.h5")))
    assert "objective internalized (A) share at week 52" in text
    assert "1. v21" in text and "department sales" in text and "gain +0.500 [+0.440, +0.560]" in text
    assert "1 of 2 are formal leaders." in text
    assert "recommended 0.800 [0.760, 0.840]" in text
    assert "recommended minus random +0.300 [+0.200, +0.400]: recommended better than random" in text
    assert "recommended minus formal +0.020 [-0.010, +0.050]: no difference (the interval covers 0)" in text
    assert "recommended minus central -0.050 [-0.080, -0.020]: recommended worse than central" in text
    assert "recommended minus bridging +0.010 [+0.000, +0.020]: no difference" in text
    assert "Change agents needed for 50% internalized (A) at week 52" in text
    assert "greedy 1; random not within 0-2; formal 2" in text
    assert "v7 (department sales, formal leader): +0.120 [+0.050, +0.190]" in text
    assert "v2 (department R&D, not a formal leader): 4.1 [3.8, 4.4], a change agent in 100% of the trials" in text


def test_t50_is_shown_in_weeks_smaller_better(tmp_path):
    rec = load_recommendation(write_recommendation(tmp_path / "t50.h5", objective="t50"))
    # stored as minus the weeks; shown in weeks with the interval ends swapped back
    assert np.allclose(rec.comparison_value[0], [-0.80, -0.84, -0.76])
    assert np.allclose(rec.shown(rec.comparison_value[0]), [0.80, 0.76, 0.84])
    text = summary(rec)
    assert "weeks to 50% internalized (A), smaller is better" in text
    assert "recommended 0.8 [0.8, 0.8] weeks" in text
    assert "recommended minus random +0.3 [+0.2, +0.4] weeks sooner" in text
    fig = figure(rec)
    a = fig.axes[0]
    assert "smaller is better" in a.get_xlabel()
    xs = [x for line in a.get_lines() for x in np.atleast_1d(line.get_xdata())]
    assert any(np.isclose(x, 0.80) for x in xs) and not any(np.isclose(x, -0.80) for x in xs)


def test_figure_has_the_panels_target_and_rings(tmp_path):
    rec = load_recommendation(write_recommendation(tmp_path / "rec.h5"))
    fig = figure(rec)
    comparison, curve, picks = fig.axes[:3]
    assert len(fig.axes) == 3
    assert comparison.get_xlabel() == "internalized (A) share at week 52"
    labels = [t.get_text() for t in comparison.get_yticklabels()]
    assert labels == ["recommended (2)", "random", "formal", "central", "bridging", "distributed"]
    legend = [t.get_text() for t in curve.get_legend().get_texts()]
    assert legend[0] == "greedy (recommended, nested): 1" and "random: not by 2" in legend
    assert "target 50% at week 52" in legend
    assert any(np.allclose(line.get_ydata(), 0.5) for line in curve.get_lines())  # the target line
    rings = [line for line in curve.get_lines() if line.get_markerfacecolor() == "none"]
    assert sorted(float(line.get_xdata()[0]) for line in rings) == [1, 2, 2, 2, 2]  # random never gets there
    assert "1 of 2 are formal leaders" in picks.get_title(loc="left")
    assert [t.get_text() for t in picks.get_yticklabels()] == ["1. v21, dept sales", "2. v2, dept R&D"]
    assert [p.get_width() for p in picks.patches] == [0.50, 0.10]


def test_target_of_another_measure_gets_its_own_panel(tmp_path):
    rec = load_recommendation(write_recommendation(tmp_path / "a.h5", objective="adopted", horizon=104))
    fig = figure(rec)
    assert len(fig.axes) == 4
    assert "internalized (A) share at week 52" in fig.axes[2].get_ylabel()
    assert fig.axes[1].get_legend() is None  # one legend, beside the target panel
    assert fig.axes[2].get_legend().get_texts()[0].get_text() == "greedy (recommended, nested): 1"


def test_without_curve_or_key_people(tmp_path):
    rec = load_recommendation(write_recommendation(tmp_path / "r.h5", curve=False, key_people=False))
    assert rec.curve is None and rec.key_people is None and rec.credited is None
    assert "Key people" not in summary(rec)
    assert len(figure(rec).axes) == 2
    rec = load_recommendation(write_recommendation(tmp_path / "c.h5", target=False))
    assert rec.curve.reaches is None and "needed for" not in summary(rec)
    assert len(figure(rec).axes) == 3


def test_cli_prints_the_summary_and_writes_the_figure(tmp_path):
    path = write_recommendation(tmp_path / "rec.h5")
    out = tmp_path / "rec.png"
    r = run_cli("recommend", path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "1 of 2 are formal leaders." in r.stdout and f"wrote {out}" in r.stdout
    assert out.read_bytes().startswith(MAGIC["png"])


def test_not_a_recommendation_file(tmp_path, make_results):
    results = make_results({"a": {"final_adopted": [0.5, 0.6]}})
    with pytest.raises(ResultsError, match="not a Groundswell recommendation file.*a results file"):
        load_recommendation(results)
    r = run_cli("recommend", results)
    assert r.returncode == 2 and "recommendation file" in r.stderr and r.stderr.count("\n") == 1
    text = tmp_path / "x.h5"
    text.write_text("hello")
    with pytest.raises(ResultsError, match="not an HDF5 file"):
        load_recommendation(text)
    with pytest.raises(ResultsError, match="no such file"):
        load_recommendation(tmp_path / "missing.h5")
    damaged = write_recommendation(tmp_path / "damaged.h5")
    with h5py.File(damaged, "a") as f:
        del f["comparison/value"]
    with pytest.raises(ResultsError, match="missing dataset /comparison/value"):
        load_recommendation(damaged)
    with h5py.File(damaged, "a") as f:
        f.attrs["objective"] = "speed"
    with pytest.raises(ResultsError, match="unknown objective 'speed'"):
        load_recommendation(damaged)


TINY = """\
rule = "sdt"
[experiment]
name = "tiny-recommend"
seed = 5
trials = 8
steps = 16
[organization]
size = 40
[[scenario]]
name = "baseline"
[[scenario]]
name = "distributed"
champions = { count = 2, selection = "distributed", coalition = true }
"""


@pytest.mark.engine
def test_engine_recommendation_file(tmp_path):
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}; build it or set GROUNDSWELL_BINARY")
    (tmp_path / "tiny.toml").write_text(TINY)
    out = tmp_path / "tiny.h5"
    subprocess.run([str(binary), "recommend", str(tmp_path / "tiny.toml"), "--count", "2", "--curve", "0:3:1",
                    "--target", "0.2@16", "--key-people", "2", "--threads", "2", "-q", "-o", str(out)],
                   check=True, timeout=120)
    rec = load_recommendation(out)
    assert rec.scenario == "distributed" and rec.objective == "internalized" and rec.horizon == 16
    assert rec.count == 2 and rec.trials == 8 and rec.test_trials == 8
    assert rec.rules == ["recommended", *RULES] and rec.curve.rules == ["greedy", *RULES]
    assert np.all(np.isnan(rec.comparison_difference[0]))  # row 0 (recommended minus itself): NaN, docs/recommend.md
    # a paired difference's mean is the difference of the means
    assert np.allclose(rec.comparison_value[0, 0] - rec.comparison_value[1:, 0], rec.comparison_difference[1:, 0])
    assert list(rec.curve.counts) == [0, 1, 2, 3]
    nobody = {r: rec.curve.value[r][0, 0] for r in rec.curve.rules}  # no change agent: every rule the same
    assert len(set(nobody.values())) == 1
    # the greedy set of the count asked for is the recommended set, on the same fresh trials
    assert np.isclose(rec.curve.value["greedy"][2, 0], rec.comparison_value[0, 0])
    assert len(rec.key_people) == 2 and len(rec.credited) == 2
    assert f"{int(rec.picks.formal_leader.sum())} of 2 are formal leaders." in summary(rec)
    fig = tmp_path / "tiny.png"
    r = run_cli("recommend", out, "-o", fig)
    assert r.returncode == 0, r.stderr
    assert fig.read_bytes().startswith(MAGIC["png"])
