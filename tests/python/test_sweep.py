"""Tests of analysis.sweep (python3 -m analysis sweep): reading sweep files, tables and figures, and Sobol
indices of the Ishigami function through the engine's own Saltelli sampler."""

import io
import subprocess

import h5py
import numpy as np
import pytest

from analysis.__main__ import main
from analysis.sweep import format_grid, grid_table, ishigami, load_sweep, sobol_indices, sweep_sobol
from analysis.results import ResultsError

from conftest import engine_binary
from test_analysis import MAGIC, run_cli

GRID = """\
rule = "sdt"
[experiment]
name = "grid"
seed = 5
trials = 6
steps = 20
[organization]
size = 200
[mandate]
issuers = "top"
[[scenario]]
name = "both"
champions = { count = 4, selection = "distributed" }
[[scenario]]
name = "mandate"
[sweep]
design = "grid"
[[sweep.parameter]]
name = "champions.count"
values = [0, 10]
[[sweep.parameter]]
name = "mandate.half_life"
values = [4, 13, inf]
[[sweep.parameter]]
name = "champions.selection"
values = ["random", "distributed"]
"""

SALTELLI = """\
rule = "sdt"
[experiment]
name = "sobol"
seed = 9
trials = 4
steps = 20
[organization]
size = 200
[[scenario]]
name = "champions"
champions = { count = 4, selection = "distributed" }
[sweep]
design = "saltelli"
samples = 6
[[sweep.parameter]]
name = "champions.count"
min = 0
max = 20
[[sweep.parameter]]
name = "sdt.beta_s"
min = 0.05
max = 0.4
"""

#: Known indices of the Ishigami function, a = 7, b = 0.1 (Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018).
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])

ISHIGAMI_DESIGN = """\
[experiment]
seed = 2027
[sweep]
design = "saltelli"
samples = 4096
[[sweep.parameter]]
name = "agents.initial_resisters"
min = 0.0
max = 1.0
[[sweep.parameter]]
name = "organization.cross_department"
min = 0.0
max = 1.0
[[sweep.parameter]]
name = "organization.rewire"
min = 0.0
max = 1.0
"""


def _binary():
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}; build it or set GROUNDSWELL_BINARY")
    return binary


@pytest.fixture(scope="module")
def sweep_files(tmp_path_factory):
    """Sweep files written by the engine: {"grid": path, "saltelli": path, "shard": path}."""
    binary = _binary()
    tmp = tmp_path_factory.mktemp("sweeps")
    files = {}
    for key, text, extra in (("grid", GRID, []), ("saltelli", SALTELLI, []), ("shard", SALTELLI, ["--shard", "1/3"])):
        toml = tmp / f"{key}.toml"
        toml.write_text(text)
        out = tmp / f"{key}.h5"
        subprocess.run([str(binary), "sweep", str(toml), "-o", str(out), "--force", "-q", "--threads", "2", *extra],
                       check=True, timeout=120)
        files[key] = out
    return files


def test_sobol_indices_of_the_ishigami_function_through_the_engine_sampler(tmp_path):
    """The C++ Saltelli design (groundswell sweep --list-points), the Ishigami function on it, the Python estimator:
    each index within 4 bootstrap standard errors of the closed form (plus its 4-digit rounding)."""
    toml = tmp_path / "ishigami.toml"
    toml.write_text(ISHIGAMI_DESIGN)
    out = subprocess.run([str(_binary()), "sweep", str(toml), "--list-points"], check=True, timeout=60,
                         capture_output=True, text=True).stdout
    table = np.loadtxt(io.StringIO(out), delimiter=",", skiprows=1)
    assert table.shape == (4096 * 5, 4)
    assert np.array_equal(table[:, 0], np.arange(4096 * 5))
    x = -np.pi + 2 * np.pi * table[:, 1:]  # the unit ranges mapped onto [-pi, pi]^3
    res = sobol_indices(ishigami(x), 3, n_boot=400, seed=1)
    for key, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        se = res[f"{key}_se"]
        assert np.all(se < 0.03), (key, se)  # N = 4096 pins the indices to a few hundredths
        assert np.all(np.abs(res[key] - truth) < 4 * se + 1e-4), (key, res[key], truth, se)
        assert np.all(res[f"{key}_low"] <= res[key]) and np.all(res[key] <= res[f"{key}_high"])


def test_sobol_estimator_recovers_an_additive_function():
    """f = x1 + 2 x2 on independent uniforms: S1 = ST = (1/5, 4/5) exactly in expectation."""
    rng = np.random.default_rng(3)
    n, d = 4000, 2
    A, B = rng.random((n, d)), rng.random((n, d))
    rows = []
    for j in range(n):
        rows.append(A[j])
        for i in range(d):
            ab = A[j].copy()
            ab[i] = B[j, i]
            rows.append(ab)
        rows.append(B[j])
    X = np.array(rows)
    res = sobol_indices(X[:, 0] + 2 * X[:, 1], d, n_boot=200)
    assert np.allclose(res["S1"], [0.2, 0.8], atol=0.05)
    assert np.allclose(res["ST"], [0.2, 0.8], atol=0.05)


def test_sweep_file_loads_with_its_table_of_points(sweep_files):
    s = load_sweep(sweep_files["grid"])
    assert s.design == "grid" and s.complete
    assert [p.name for p in s.parameters] == ["champions.count", "mandate.half_life", "champions.selection"]
    assert s.values.shape == (12, 3)
    assert s.scenarios == ["both", "mandate"]
    half_life = s.parameters[1]
    assert half_life.label(np.inf) == "inf"
    assert s.parameters[2].labels == ["random", "distributed"] and not s.parameters[2].numeric
    m = s.metric("both", "final_adopted", "mean")
    with h5py.File(sweep_files["grid"]) as f:
        trials = f["scenarios/both/metrics/final_adopted/trials"][()]
    assert np.allclose(m, trials.astype(np.float64).mean(axis=1))
    assert np.all(s.metric("both", "final_adopted", "q05") <= s.metric("both", "final_adopted", "q95"))


def test_grid_table_fixes_and_averages_parameters(sweep_files):
    s = load_sweep(sweep_files["grid"])
    z = s.metric("both", "final_adopted", "mean")
    xs, ys, Z = grid_table(s, z, "champions.count", "mandate.half_life", at={"champions.selection": "random"})
    assert list(xs) == [0, 10] and list(ys) == [4, 13, np.inf]
    rows = s.values[:, 2] == 0  # random is level 0
    assert Z[0, 0] == pytest.approx(z[rows & (s.values[:, 0] == 0) & (s.values[:, 1] == 4)][0])
    text = format_grid(s, xs, ys, Z, "champions.count", "mandate.half_life", "final_adopted", "mean")
    assert "inf" in text and "mandate.half_life \\ champions.count" in text


@pytest.mark.parametrize("kind", ["heatmap", "curves"])
def test_grid_figures(sweep_files, tmp_path, kind):
    out = tmp_path / f"grid_{kind}.png"
    assert main(["sweep", str(sweep_files["grid"]), "--kind", kind, "--at", "champions.selection=distributed",
                 "-o", str(out)]) == 0
    assert out.read_bytes().startswith(MAGIC["png"])


def test_cli_prints_sobol_indices_of_a_saltelli_sweep(sweep_files, tmp_path):
    out = tmp_path / "sobol.svg"
    r = run_cli("sweep", sweep_files["saltelli"], "--bootstrap", "50", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "first-order S1" in r.stdout and "champions.count" in r.stdout and "sdt.beta_s" in r.stdout
    assert out.read_bytes().startswith(MAGIC["svg"])
    table = sweep_sobol(load_sweep(sweep_files["saltelli"]), n_boot=20)
    assert table["S1"].shape == (2,)


def test_saltelli_sweep_with_x_draws_the_points(sweep_files, tmp_path):
    out = tmp_path / "scatter.png"
    r = run_cli("sweep", sweep_files["saltelli"], "--x", "sdt.beta_s", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(MAGIC["png"])


def test_a_shard_is_not_enough_for_sobol_indices(sweep_files):
    s = load_sweep(sweep_files["shard"])
    assert not s.complete and s.index.size == 8 and s.points_total == 24  # points 1, 4, ..., 22
    with pytest.raises(ResultsError, match="holds 8 of 24 points"):
        sweep_sobol(s)


def test_results_file_is_refused_with_a_hint(engine_files):
    r = run_cli("sweep", engine_files["sdt"])
    assert r.returncode == 2
    assert "not a Groundswell sweep file" in r.stderr and "groundswell run" in r.stderr


def test_unknown_parameter_and_metric_are_one_line_errors(sweep_files):
    r = run_cli("sweep", sweep_files["grid"], "--x", "sdt.nope")
    assert r.returncode == 2 and "no parameter 'sdt.nope'" in r.stderr
    r = run_cli("sweep", sweep_files["grid"], "--metric", "speed")
    assert r.returncode == 2 and "unknown metric" in r.stderr


def _labelled(fig):
    """Every axes of a figure but its colour bars has words on both axes."""
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    assert axes
    for ax in axes:
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())


def test_sweep_figures_name_parameters_in_words_with_units_and_show_intervals(sweep_files):
    """Issue 18: axes in words with units, internalized by default, trials per cell, 95% interval of the mean."""
    from analysis.sweep import (default_metric, grid_intervals, heatmap_figure, mean_interval, parameter_label,
                                response_figure)
    s = load_sweep(sweep_files["grid"])
    assert default_metric(s) == "final_internalized"
    assert parameter_label("mandate.half_life") == "mandate half-life (weeks)"
    assert parameter_label("champions.count") == "champions (agents)"
    assert parameter_label("some.new_key") == "some.new_key"
    heat = heatmap_figure(s, "both", "final_internalized", "mean", "champions.count", "mandate.half_life")
    _labelled(heat)
    ax = heat.axes[0]
    assert ax.get_xlabel() == "champions (agents)" and "internalized" in ax.get_title()
    per_cell = 6 * (s.index.size // (2 * 3))  # 6 trials a point; a cell pools the points of champions.selection
    assert f"{per_cell} trials per cell" in ax.get_title() and "95% interval of the mean" in ax.get_title()
    assert any("\u00b1" in t.get_text() for t in ax.texts)
    curves = response_figure(s, "both", "final_adopted", "champions.count", "mandate.half_life")
    _labelled(curves)
    ax = curves.axes[0]
    assert "adopted" in ax.get_ylabel() and "A + C" in ax.get_ylabel()
    assert any("95% CI of the mean" in t.get_text() for t in ax.get_legend().get_texts())
    # the half-width is the t interval of the mean over each cell's trials
    M, H, N = grid_intervals(s, "both", "final_internalized", "champions.count", "mandate.half_life")
    trials = s.summaries[("both", "final_internalized")]["trials"]
    j = s.parameter("champions.count")[0]
    k = s.parameter("mandate.half_life")[0]
    row = np.flatnonzero((s.values[:, j] == s.values[0, j]) & (s.values[:, k] == s.values[0, k]))
    m, h, n = mean_interval(trials[row].ravel())
    from scipy.stats import t
    v = trials[row].ravel().astype(float)
    assert n == per_cell == row.size * 6
    assert h == pytest.approx(t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)) and m == pytest.approx(v.mean())
    assert M[0, 0] == pytest.approx(m) and H[0, 0] == pytest.approx(h)
    assert np.nanmax(N) == per_cell and np.nanmin(N) == per_cell
    assert mean_interval([0.5])[2] == 1 and np.isnan(mean_interval([0.5])[1])


def test_sobol_figure_is_labelled(sweep_files):
    from analysis.sweep import sobol_figure
    s = load_sweep(sweep_files["saltelli"])
    table = sweep_sobol(s, None, "final_internalized", "mean", n_boot=50)
    fig = sobol_figure(s, table, None, "final_internalized")
    _labelled(fig)
    assert any("95% bootstrap interval" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
