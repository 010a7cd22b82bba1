"""Fixtures for the analysis tests: small results files from the engine, and synthetic ones built with h5py."""

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # import the analysis package from any working directory
    sys.path.insert(0, str(REPO))

SDT_SCENARIOS = """\
rule = "sdt"
[experiment]
name = "small"
description = "Three strategies in a 300-person organization"
seed = 11
trials = 20
steps = 30
[organization]
size = 300
[[scenario]]
name = "baseline"
description = "No strategy"
[[scenario]]
name = "top_down"
description = "Mandate from the top <fast> & loud"
mandate = { issuers = "top", half_life = 8 }
[[scenario]]
name = "distributed"
description = "Ten informal leaders who know each other"
champions = { count = 10, selection = "distributed", coalition = true }
"""

BASS_SCENARIOS = """\
rule = "bass"
[experiment]
name = "bass"
seed = 3
trials = 20
steps = 30
[organization]
generator = "complete"
size = 300
[bass]
p = 0.01
q = 0.3
[[scenario]]
name = "slow"
[[scenario]]
name = "fast"
bass = { q = 0.6 }
"""


def engine_binary():
    """The engine: $GROUNDSWELL_BINARY, else build/sim/groundswell in this repository."""
    return Path(os.environ.get("GROUNDSWELL_BINARY", REPO / "build" / "sim" / "groundswell"))


@pytest.fixture(scope="session")
def engine_files(tmp_path_factory):
    """Small results files written by the engine: {"sdt": path, "bass": path, "one_trial": path}."""
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}; build it or set GROUNDSWELL_BINARY")
    tmp = tmp_path_factory.mktemp("engine")
    files = {}
    runs = (("sdt", SDT_SCENARIOS, 20), ("bass", BASS_SCENARIOS, 20), ("one_trial", SDT_SCENARIOS, 1))
    for key, text, trials in runs:
        toml = tmp / f"{key}.toml"
        toml.write_text(text)
        out = tmp / f"{key}.h5"
        subprocess.run([str(binary), "run", str(toml), "-o", str(out), "--trials", str(trials), "--force", "-q"],
                       check=True, timeout=60)
        files[key] = out
    return files


def write_results(path, scenarios, steps=10, departments=3, seed=1):
    """Write a synthetic results file following docs/output.md.

    scenarios: {name: {"final_adopted": array, ...}} with any of the per-trial metrics (others get defaults);
    every scenario needs the same number of trials. Curves are smooth ramps to the final shares.
    """
    names = list(scenarios)
    trials = len(next(iter(scenarios.values()))["final_adopted"])
    with h5py.File(path, "w") as f:
        for key, value in {"format": "groundswell-results", "format_version": 1, "groundswell_version": "test",
                           "git_commit": "abc123", "experiment": "synthetic", "scenario_file": "synthetic.toml",
                           "scenario_text": "# synthetic <file>\n", "created": "2026-01-01T00:00:00Z",
                           "seed": np.uint64(seed), "trials": np.uint64(trials), "steps": np.int64(steps),
                           "threads": np.uint32(1), "scenarios": ",".join(names)}.items():
            f.attrs[key] = value
        ramp = np.linspace(0, 1, steps + 1)
        for i, name in enumerate(names):
            given = scenarios[name]
            final = np.asarray(given["final_adopted"], dtype=np.float32)
            g = f.create_group(f"scenarios/{name}")
            g.attrs.update({"rule": "sdt", "description": given.get("description", f"scenario {name}"),
                            "index": i, "departments": departments, "parameters": f"name = {name}\n"})
            A = (final[:, None] * ramp[None, :]).astype(np.float32)
            C = np.asarray(given.get("C", np.zeros_like(A)), dtype=np.float32)
            R = np.asarray(given.get("R", np.zeros_like(A)), dtype=np.float32)
            curves = {"N": 1 - A - C - R, "C": C, "A": A, "R": R}
            for k in ("mean_autonomy", "mean_competence", "mean_relatedness", "mean_pressure"):
                curves[k] = np.full_like(A, 0.5)
            for k, v in curves.items():
                g.create_dataset(f"curves/{k}", data=v)
            g.create_dataset("curves/department_adopted",
                             data=np.repeat((A + C)[:, :, None], departments, axis=2).astype(np.float32))
            t50 = np.asarray(given.get("t50", np.full(trials, -1)), dtype=np.int32)
            metrics = {"final_adopted": final, "final_internalized": given.get("final_internalized", final),
                       "t50": t50, "peak_compliance": C.max(axis=1), "peak_resistance": R.max(axis=1),
                       "departments_reached": np.zeros(trials, dtype=np.int32)}
            for k, v in metrics.items():
                dtype = np.int32 if k in ("t50", "departments_reached") else np.float32
                g.create_dataset(f"metrics/{k}", data=np.asarray(v, dtype=dtype))
    return path


@pytest.fixture
def make_results(tmp_path):
    """Build a synthetic results file in tmp_path: make_results(scenarios, name="x.h5", **kw) -> path."""
    def make(scenarios, name="synthetic.h5", **kw):
        return write_results(tmp_path / name, scenarios, **kw)
    return make
