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


CAUSES = ("seeded", "issuer", "formalized", "internalized", "peer", "spontaneous")
ROLES = ("formal_leaders", "champions", "others")


def default_attribution(A, size):
    """Attribution consistent with the curve A: each step's rise of A (in agents) split 60% peer, 20%
    spontaneous, 20% internalized from compliance; the peer part credited 50/30/20 to formal leaders,
    champions and others."""
    rise = np.diff(A, axis=1, prepend=A[:, :1]) * size
    zero = np.zeros_like(A)
    entries = {c: zero for c in CAUSES}
    entries.update(peer=0.6 * rise, spontaneous=0.2 * rise, internalized=0.2 * rise, seeded=A[:, :1] * size + zero)
    entries["seeded"][:, 1:] = 0
    credit = {"formal_leaders": 0.5 * entries["peer"], "champions": 0.3 * entries["peer"],
              "others": 0.2 * entries["peer"]}
    return {"entries": entries, "entries_complying": zero, "credit": credit}


def write_results(path, scenarios, steps=10, departments=3, seed=1, format_version=2, size=30):
    """Write a synthetic results file following docs/output.md (format_version 2, or the older layout 1).

    scenarios: {name: {"final_adopted": array, ...}} with any of the per-trial metrics (others get defaults);
    every scenario needs the same number of trials. Curves are smooth ramps to the final shares. Times to 50%
    ("t50", "t50_internalized") are given with NaN for not reached (written as -1 in format 1; format 1 has
    no t50_internalized). "attribution": a dict like default_attribution's (the default), or None for no
    attribution group; "department_size" overrides the equal split of `size` agents (None: no dataset).
    """
    names = list(scenarios)
    trials = len(next(iter(scenarios.values()))["final_adopted"])
    v2 = format_version >= 2
    with h5py.File(path, "w") as f:
        for key, value in {"format": "groundswell-results", "format_version": format_version,
                           "groundswell_version": "test",
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
            dsize = given.get("department_size", np.full(departments, size // departments) +
                              (np.arange(departments) < size % departments))
            if dsize is not None:
                g.create_dataset("department_size", data=np.asarray(dsize, dtype=np.int32))
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
            metrics = {"final_adopted": final, "final_internalized": given.get("final_internalized", final),
                       "peak_compliance": C.max(axis=1), "peak_resistance": R.max(axis=1),
                       "departments_reached": np.zeros(trials, dtype=np.int32)}
            times = {"t50": np.asarray(given.get("t50", np.full(trials, np.nan)), dtype=np.float64)}
            if v2:
                g.create_dataset("curves/department_internalized",
                                 data=np.repeat(A[:, :, None], departments, axis=2).astype(np.float32))
                g.create_dataset("curves/active_champions",
                                 data=np.asarray(given.get("active_champions", np.zeros(A.shape)), dtype=np.int32))
                metrics["departments_internalized"] = np.zeros(trials, dtype=np.int32)
                times["t50_internalized"] = np.asarray(given.get("t50_internalized", times["t50"]), dtype=np.float64)
            for k, v in metrics.items():
                dtype = np.int32 if k.startswith("departments_") else np.float32
                g.create_dataset(f"metrics/{k}", data=np.asarray(v, dtype=dtype))
            for k, t in times.items():
                data = t.astype(np.float32) if v2 else np.where(np.isnan(t), -1, t).astype(np.int32)
                ds = g.create_dataset(f"metrics/{k}", data=data)
                if v2:
                    ds.attrs["censored_at"] = np.int64(steps)
            attribution = given.get("attribution", "default") if v2 else None
            if isinstance(attribution, str):
                attribution = default_attribution(A.astype(np.float64), int(np.sum(dsize)) if dsize is not None
                                                  else size)
            if attribution is not None:
                at = g.create_group("attribution")
                for c, v in attribution["entries"].items():
                    at.create_dataset(f"entries/{c}", data=np.asarray(v, dtype=np.float32))
                at.create_dataset("entries_complying", data=np.asarray(attribution["entries_complying"],
                                                                       dtype=np.float32))
                for r, v in attribution["credit"].items():
                    at.create_dataset(f"credit/{r}", data=np.asarray(v, dtype=np.float32))
                if "by_agent" in attribution:
                    at.create_dataset("credit/by_agent", data=np.asarray(attribution["by_agent"], dtype=np.float32))
                    at.create_dataset("credit/agent_role", data=np.asarray(attribution["agent_role"], dtype=np.int8))
    return path


@pytest.fixture
def make_results(tmp_path):
    """Build a synthetic results file in tmp_path: make_results(scenarios, name="x.h5", **kw) -> path."""
    def make(scenarios, name="synthetic.h5", **kw):
        return write_results(tmp_path / name, scenarios, **kw)
    return make


def pytest_collection_modifyitems(config, items):
    """Mark every test that runs the engine (through engine_files) `engine`: `-m "not engine"` (or `-k "not
    engine"`) runs only the tests on synthetic files, e.g. while the binary is stale. Tests marked `slow` are
    skipped unless the -m expression names them (`-m slow`), as the C++ tests hide theirs behind [.slow]."""
    run_slow = "slow" in (config.getoption("markexpr", "") or "")
    for item in items:
        if "engine_files" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow statistical test: run with -m slow"))
