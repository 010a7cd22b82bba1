"""Tests of analysis.calibration (python3 -m analysis calibration): a synthetic calibration file written with
h5py, and a small one written by the engine."""

import subprocess

import h5py
import numpy as np
import pytest

from analysis.calibration import load_calibration, model_choice, summary
from analysis.results import ResultsError

from conftest import engine_binary
from test_analysis import MAGIC, run_cli


def write_calibration(path, holdout=False, draws=1000, shift=0.0, seed=0):
    """A calibration file following docs/calibration.md, with a Gaussian posterior around (0.1, 0.5)."""
    rng = np.random.default_rng(seed)
    n, steps = 200, 10
    samples = np.column_stack([rng.lognormal(np.log(0.1), 0.1, n), rng.normal(0.5, 0.05, n)])
    t = np.arange(steps + 1)
    observed = 1 - np.exp(-0.2 * t)
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "groundswell-calibration", "format_version": 1, "experiment": "synthetic",
                        "rule": "bass", "method": "smc", "distance": "curve", "seed": np.uint64(1),
                        "steps": np.uint64(steps)})
        f["parameters/name"] = np.array([b"bass.p", b"bass.q"])
        f["parameters/prior"] = np.array([b"log_uniform", b"uniform"])
        f["parameters/lower"] = [0.001, 0.0]
        f["parameters/upper"] = [0.5, 2.0]
        f["posterior/samples"] = samples
        f["posterior/weights"] = np.full(n, 1 / n)
        f["posterior/distances"] = rng.uniform(0, 0.05, n)
        f["posterior/median"] = np.median(samples, axis=0)
        f["posterior/lower90"] = np.quantile(samples, 0.05, axis=0)
        f["posterior/upper90"] = np.quantile(samples, 0.95, axis=0)
        f["trace/epsilon"] = [np.inf, 0.2, 0.1]
        f["trace/acceptance_rate"] = [1.0, 0.3, 0.1]
        f["draws/samples"] = rng.uniform(0, 1, (draws, 2))
        f["draws/distances"] = rng.uniform(0, 1, draws) + shift
        f["observed/curve"] = observed
        curves = np.clip(observed[None, :] + rng.normal(0, 0.03, (50, steps + 1)), 0, 1).astype(np.float32)
        f["predictive/curves"] = curves
        f["predictive"].attrs.update({"fit": 0.01, "in_sample_error": 0.01, "out_of_sample_error": 0.05,
                                      "naive_out_of_sample_error": 0.06})
        if holdout:
            f["observed/holdout_curve"] = observed * 0.9
            f["predictive/holdout_curves"] = curves
    return path


def test_summary_and_figure(tmp_path):
    path = write_calibration(tmp_path / "cal.h5", holdout=True)
    cal = load_calibration(path)
    assert cal.names == ["bass.p", "bass.q"]
    text = summary(cal)
    assert "bass.q" in text and "out-of-sample 0.0500" in text
    out = tmp_path / "cal.png"
    r = run_cli("calibration", path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "90% interval" in r.stdout and out.read_bytes().startswith(MAGIC["png"])


def test_model_choice_prefers_the_model_with_smaller_distances(tmp_path):
    good = load_calibration(write_calibration(tmp_path / "good.h5", seed=1))
    bad = load_calibration(write_calibration(tmp_path / "bad.h5", shift=0.05, seed=2))
    eps, rows = model_choice([good, bad], 0.05)
    assert rows[0][3] > rows[1][3] and abs(rows[0][3] + rows[1][3] - 1) < 1e-12
    # Uniform distances on [0, 1] and [0.05, 1.05]: at tolerance eps the rates are eps and eps - 0.05.
    assert rows[0][1] / 1000 == pytest.approx(eps, abs=0.03)
    # two models: SE of p1 = r1/(r1+r2) by the delta method, from binomial errors of r1 and r2
    r1, r2 = rows[0][1] / rows[0][2], rows[1][1] / rows[1][2]
    se = np.sqrt((r2 ** 2 * r1 * (1 - r1) / rows[0][2] + r1 ** 2 * r2 * (1 - r2) / rows[1][2])) / (r1 + r2) ** 2
    assert rows[0][4] == pytest.approx(se, rel=1e-9) and rows[1][4] == pytest.approx(se, rel=1e-9)
    r = run_cli("calibration", good.path, "--compare", bad.path, "--quantile", "0.05")
    assert r.returncode == 0 and "P(model | data)" in r.stdout


def test_model_choice_refuses_different_data(tmp_path):
    a = load_calibration(write_calibration(tmp_path / "a.h5", seed=1))
    path_b = write_calibration(tmp_path / "b.h5", seed=2)
    with h5py.File(path_b, "r+") as f:
        f["observed/curve"][3] += 0.01
    b = load_calibration(path_b)
    with pytest.raises(ResultsError, match="observed curve differs"):
        model_choice([a, b], 0.05)


def test_not_a_calibration_file(tmp_path, make_results):
    path = make_results({"a": {"final_adopted": [0.5, 0.6]}})
    with pytest.raises(ResultsError, match="not a Groundswell calibration file"):
        load_calibration(path)
    r = run_cli("calibration", path)
    assert r.returncode == 2 and "calibration file" in r.stderr


CALIBRATION = """\
rule = "bass"
[experiment]
seed = 4
steps = 8
[organization]
generator = "erdos_renyi"
size = 60
mean_degree = 4
departments = 2
[observed]
file = "obs.txt"
id = "id"
time = "t"
never = [99]
[[parameter]]
key = "bass.p"
prior = "log_uniform"
min = 0.01
max = 0.5
[[parameter]]
key = "bass.q"
min = 0
max = 1
[abc]
particles = 30
generations = 3
trials = 2
predictive = 20
[holdout]
departments = [1]
"""


def test_engine_calibration_file(tmp_path):
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}")
    (tmp_path / "obs.txt").write_text("id t\n" + "".join(f"{i} {1 + i % 8 if i % 4 else 99}\n" for i in range(60)))
    (tmp_path / "cal.toml").write_text(CALIBRATION)
    out = tmp_path / "cal.h5"
    subprocess.run([str(binary), "calibrate", str(tmp_path / "cal.toml"), "-o", str(out), "-q", "--threads", "2"],
                   check=True, timeout=60)
    cal = load_calibration(out)
    assert cal.samples.shape == (30, 2) and cal.predictive.shape == (20, 9)
    assert cal.observed_holdout is not None and len(cal.epsilon) == 3
    assert np.all(cal.lower90 <= cal.median) and np.all(cal.median <= cal.upper90)
    fig = tmp_path / "cal.svg"
    r = run_cli("calibration", out, "-o", fig)
    assert r.returncode == 0, r.stderr
    assert fig.stat().st_size > 1000


def test_observed_hazard_by_hand():
    """Ten people: 2 adopt at step 1, 4 at step 2 (of the 8 left: 0.5), none at step 3, then the last 4 (all of
    those left: 1.0); after that nobody is at risk."""
    from analysis.calibration import observed_hazard
    h = observed_hazard([0.0, 0.2, 0.6, 0.6, 1.0, 1.0])
    np.testing.assert_allclose(h[:4], [0.2, 0.5, 0.0, 1.0])
    assert np.isnan(h[4])
