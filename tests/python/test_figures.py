"""Figures fit for a paper (issue 18): every axes labelled, the band convention stated, SVG text kept as
text, calendar months on the calibration band, and report intervals printed with digits that differ."""

import math

import pytest

from analysis import plots
from analysis.calibration import figure as calibration_figure, load_calibration, month_name
from analysis.report import interval_decimals, pct_interval
from analysis.results import load

from test_calibration import write_calibration


def _labelled(fig):
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    assert axes
    for ax in axes:
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), ax.get_title()


@pytest.mark.parametrize("low, high, decimals, text", [
    (0.976, 0.984, 1, ("98.0%", "97.6%", "98.4%")),
    (0.90, 0.98, 0, ("94%", "90%", "98%")),
    (0.9801, 0.9805, 2, ("98.03%", "98.01%", "98.05%")),
    (0.41, 0.43, 0, ("42%", "41%", "43%")),
])
def test_interval_digits_follow_the_width(low, high, decimals, text):
    assert interval_decimals(low, high) == decimals
    assert pct_interval((low + high) / 2, low, high) == text


def test_interval_digits_make_the_ends_differ_and_have_a_cap():
    d = interval_decimals(0.97949, 0.97951)  # width 0.002 points: 3 decimals, and the ends differ at 3
    assert d == 3 and f"{97.949:.{d}f}" != f"{97.951:.{d}f}"
    assert interval_decimals(0.5, 0.5) == 0 and interval_decimals(math.nan, math.nan) == 0
    assert interval_decimals(0.5, 0.5 + 1e-12) == 0  # one value up to rounding: no false digits
    assert interval_decimals(0.5, 0.50002) == 3  # the cap


def test_svg_text_stays_text(make_results, tmp_path):
    res = load(make_results({"a": {"final_adopted": [0.5, 0.6]}, "b": {"final_adopted": [0.4, 0.7]}}))
    out = tmp_path / "curves.svg"
    plots.save(plots.curves_figure(res), out)
    import matplotlib
    assert matplotlib.rcParams["svg.fonttype"] == "none"
    svg = out.read_text()
    assert "<text" in svg and "how the change spread" in svg


def test_curves_and_departments_figures_state_their_band(make_results):
    res = load(make_results({"a": {"final_adopted": [0.5, 0.6]}}))
    fig = plots.curves_figure(res)
    _labelled(fig)
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert plots.BAND_LABEL in legend and "5th" in plots.BAND_LABEL and "95th" in plots.BAND_LABEL
    assert all(ax.get_ylabel() for ax in plots.departments_figure(res).axes if ax.get_label() != "<colorbar>")


def test_calibration_figure_is_labelled_with_prior_and_calendar(tmp_path):
    assert month_name((1953, 11), 1) == "Nov 1953" and month_name((1953, 11), 3) == "Jan 1954"
    assert month_name((1953, 11), 0) == "Oct 1953"
    cal = load_calibration(write_calibration(tmp_path / "cal.h5", holdout=True))
    fig = calibration_figure(cal)
    _labelled(fig)
    legend = " ".join(t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts())
    for words in ("prior", "posterior median", "90% interval", "band: 5th\u201395th percentile", "observed"):
        assert words in legend
    assert fig._suptitle is not None and "synthetic" in fig._suptitle.get_text()
    assert fig.axes[-1].get_xlabel() == "step"  # no calendar for synthetic data
    cal.attrs["calibration_text"] = 'file = "data:medical-innovation-ckm/nodes.txt"'
    fig = calibration_figure(cal)
    assert "Nov 1953" in fig.axes[-1].get_xlabel()
    assert [t.get_text() for t in fig.axes[-1].get_xticklabels()][0] == "Oct 1953"
