"""Censored times to 50% (analysis/survival.py, issue 18): Kaplan-Meier, its median and CI, RMST and its paired
bootstrap, each against a case worked by hand; and a case where "only the pairs where both reached" points the
other way, so that going back to it fails."""

import math

import numpy as np
import pytest

from analysis import load, plots, stats, survival
from analysis.__main__ import main

NAN = np.nan

# [unit] Six times, two censored (+): 3, 5, 5+, 7, 9+, 11. A trial censored at t is still at risk at t.
#   t    n  d   S(t)                         Greenwood sum d/(n(n-d))        SE = S sqrt(sum)
#   3    6  1   5/6          = 0.8333        1/30                = 0.03333   0.8333 * 0.18257 = 0.15215
#   5    5  1   5/6 * 4/5    = 0.6667        1/30 + 1/20 = 1/12  = 0.08333   0.6667 * 0.28868 = 0.19245
#   7    3  1   4/6 * 2/3    = 0.4444        1/12 + 1/6  = 1/4               0.4444 * 0.5     = 0.22222
#   11   1  1   0                            (n = d: S = 0, SE 0)
# Median: first t with S <= 0.5: 7. 95% CI (Brookmeyer-Crowley, plain band S +- 1.96 SE):
#   lower band S - 1.96 SE: 0.535 at 3, 0.290 at 5 <= 0.5 -> low 5;
#   upper band S + 1.96 SE: 0.88 at 7, 0 at 11 <= 0.5 -> high 11.
# RMST over [0, 11] = area under S = 3 * 1 + 2 * 5/6 + 2 * 4/6 + 4 * 4/9 = 7.7778.
HAND_T = [3, 5, 5, 7, 9, 11]
HAND_EVENT = [True, True, False, True, False, True]


def test_kaplan_meier_by_hand():
    km = survival.kaplan_meier(HAND_T, HAND_EVENT)
    assert km.time.tolist() == [3, 5, 7, 11]
    assert km.at_risk.tolist() == [6, 5, 3, 1] and km.events.tolist() == [1, 1, 1, 1]
    assert km.survival == pytest.approx([5 / 6, 4 / 6, 4 / 9, 0])
    assert km.se == pytest.approx([0.152145, 0.192450, 0.222222, 0], abs=1e-6)
    assert km.at(4.9) == pytest.approx(5 / 6) and km.at(2) == 1 and km.at(9) == pytest.approx(4 / 9)
    m = survival.km_median(km)
    assert (m.median, m.low, m.high, m.reached, m.trials) == (7, 5, 11, 4, 6)
    assert survival.rmst_km(km, 11) == pytest.approx(3 + 2 * 5 / 6 + 2 * 4 / 6 + 4 * 4 / 9)


def test_median_not_reached_is_said_as_beyond_T():
    # 10 trials, 4 reached (weeks 2, 4, 6, 8), 6 not by T = 20: S stays at 0.6 > 0.5, no median
    m = survival.km_median(survival.km_of([2, 4, 6, 8] + [NAN] * 6, 20))
    assert math.isnan(m.median) and math.isnan(m.high) and m.low == 6  # S - 1.96 SE <= 0.5 from week 6
    assert survival.format_median(m) == "> 20 wk [6, > 20]"


def test_rmst_by_hand_and_equal_to_the_area_under_kaplan_meier():
    t = np.array([10, 20, NAN, 30, NAN])  # T = 52: (10 + 20 + 52 + 30 + 52) / 5 = 32.8
    assert survival.rmst(t, 52) == pytest.approx(32.8)
    assert survival.rmst_km(survival.km_of(t, 52), 52) == pytest.approx(32.8)
    # with one censoring time T, KM is the empirical distribution with censored > T: the area agrees
    rng = np.random.default_rng(4)
    t = np.where(rng.random(300) < 0.3, NAN, rng.integers(0, 53, 300).astype(float))
    assert survival.rmst_km(survival.km_of(t, 52), 52) == pytest.approx(survival.rmst(t, 52))


def test_paired_rmst_bootstrap_is_deterministic_with_its_seed():
    rng = np.random.default_rng(1)
    a = np.where(rng.random(200) < 0.2, NAN, rng.integers(10, 40, 200).astype(float))
    b = np.where(rng.random(200) < 0.4, NAN, rng.integers(15, 45, 200).astype(float))
    one = stats.paired_rmst_bootstrap(a, b, 52, 2000, seed=7)
    assert one == stats.paired_rmst_bootstrap(a, b, 52, 2000, seed=7)
    assert one != stats.paired_rmst_bootstrap(a, b, 52, 2000, seed=8)
    assert one[0] == pytest.approx(survival.rmst(a, 52) - survival.rmst(b, 52))
    assert one[1] < one[0] < one[2]


# [unit] The scenario reaches 50% fast in 2 of 10 trials and never in the other 8; the baseline reaches it at
# week 20 in all 10. Only the pairs where both reached: 10 - 20 = -10 weeks, "the scenario is faster". RMST over
# T = 52: (2 * 10 + 8 * 52) / 10 = 43.6 against 20, +23.6 weeks: the scenario is much slower.
FAST_RARE = [10, 10] + [NAN] * 8
STEADY = [20.0] * 10


def test_only_pairs_where_both_reached_reverses_the_sign(make_results):
    assert stats.reached_pairs_difference(FAST_RARE, STEADY) == pytest.approx(-10)
    path = make_results({"steady": {"final_adopted": [0.5] * 10, "t50_internalized": STEADY, "t50": STEADY},
                         "fast_rare": {"final_adopted": [0.5] * 10, "t50_internalized": FAST_RARE,
                                       "t50": FAST_RARE}},
                        name="reverse.h5", steps=52)
    rows = {r.metric: r for r in stats.compare(load(path), "steady", n_boot=2000, seed=0)}
    for metric in ("t50_internalized", "t50"):
        d = rows[metric]
        assert (d.n, d.reached_scenario, d.reached_baseline) == (10, 2, 10)
        assert d.mean_diff == pytest.approx(23.6)  # if this is -10, someone went back to the reached pairs
        assert d.ci_low > 0  # the paired bootstrap agrees: slower


def test_km_figure_marks_the_median(make_results, tmp_path):
    path = make_results({"steady": {"final_adopted": [0.5] * 10, "t50_internalized": STEADY, "t50": STEADY},
                         "fast_rare": {"final_adopted": [0.5] * 10, "t50_internalized": FAST_RARE,
                                       "t50": FAST_RARE}},
                        name="km.h5", steps=52)
    fig = plots.km_figure(load(path))
    left = fig.axes[0]
    assert left.get_title() == "internalized (A) at 50%" and fig.axes[1].get_title() == "adopted (A + C) at 50%"
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels == ["steady: median 20 wk [20, 20]", "fast_rare: median > 52 wk [> 52, > 52]"]
    dots = [line for line in left.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 1 and dots[0].get_xdata()[0] == 20  # only steady has a median
    out = tmp_path / "km.png"
    assert main(["compare", str(path), "--baseline", "steady", "--bootstrap", "100", "--km", str(out)]) == 0
    assert out.stat().st_size > 10000
