"""The Python module groundswell (issue 20, docs/python.md): every function, bad input, interruption, and the
same bits as `groundswell run`.

The module is found in $GROUNDSWELL_PYTHON_DIR (scripts/test sets it to build/python), else beside the engine
binary's build directory; the tests are skipped, saying so, only if it was not built.
"""
import math
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import REPO, SDT_SCENARIOS, engine_binary


def module_dir():
    given = os.environ.get("GROUNDSWELL_PYTHON_DIR")
    if given:
        return Path(given).resolve()
    return engine_binary().resolve().parent.parent / "python"


MODULE_DIR = module_dir()
if not (MODULE_DIR / "groundswell" / "__init__.py").is_file():
    pytest.skip(f"the Python module was not built (no {MODULE_DIR}/groundswell; build with pybind11-dev installed, "
                "or set GROUNDSWELL_PYTHON_DIR)", allow_module_level=True)
if str(MODULE_DIR) not in sys.path:
    sys.path.insert(0, str(MODULE_DIR))
import groundswell as gs  # noqa: E402

# Bass scenarios on a file organization need none; this small sdt file runs in well under a second.
SMALL = {
    "rule": "sdt",
    "experiment": {"name": "small", "seed": 11, "trials": 6, "steps": 20},
    "organization": {"size": 200},
    "scenario": [
        {"name": "baseline", "description": "No strategy"},
        {"name": "top_down", "mandate": {"issuers": "top", "half_life": 8}},
        {"name": "distributed", "champions": {"count": 6, "selection": "distributed", "coalition": True}},
    ],
}


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("module") / "small.toml"
    path.write_text(SDT_SCENARIOS)
    return path


def bits(a):
    """An array's bytes, so that NaN == NaN and -0 != 0: exact comparison."""
    a = np.asarray(a)
    if a.dtype == object:  # strings
        return a.shape, a.tolist()
    a = np.ascontiguousarray(a)
    return a.dtype.str, a.shape, a.tobytes()


def datasets(h5, group):
    out = {}
    h5[group].visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def run_cli(scenario_file, out, *args):
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}")
    subprocess.run([str(binary), "run", str(scenario_file), "-o", str(out), "-q", "--force", *args], check=True,
                   timeout=120)


# --- same bits as the command -------------------------------------------------------------------------------------

def test_same_bits_as_groundswell_run(small_file, tmp_path):
    """gs.run and `groundswell run` with the same seed: every array of every scenario identical, bit for bit
    (and with different thread counts, which never change a result)."""
    cli = tmp_path / "cli.h5"
    run_cli(small_file, cli, "--trials", "12", "--seed", "5", "--threads", "2")
    results = gs.run(gs.Experiment.from_file(small_file), trials=12, seed=5, threads=1)
    with h5py.File(cli, "r") as f:
        assert list(results) == f.attrs["scenarios"].split(",")
        for name in results:
            expected = datasets(f, f"scenarios/{name}")
            s = results[name]
            compared = 0
            for path, array in s.arrays.items():
                assert bits(array) == bits(expected[path]), (name, path)
                compared += 1
            assert compared >= 25
            assert bits(s.departments["size"]) == bits(expected["department_size"])
            assert s.departments["name"] == [x.decode() for x in expected["department_name"]]
            # nothing of the file is missing in memory (the coordinates aside)
            missing = set(expected) - set(s.arrays) - {"department_size", "department_name", "department"}
            assert {m for m in missing if not m.endswith(("/trial", "/week", "/department", "/agent"))} == set()


def test_save_writes_the_file_of_groundswell_run(small_file, tmp_path):
    """results.save() writes the same results file: every dataset and every attribute equal, but the time of
    writing and the thread count."""
    cli, mine = tmp_path / "cli.h5", tmp_path / "module.h5"
    run_cli(small_file, cli, "--trials", "7", "--seed", "3", "--threads", "2")
    gs.run(small_file, trials=7, seed=3, threads=2).save(mine)
    with h5py.File(cli, "r") as a, h5py.File(mine, "r") as b:
        names_a, names_b = [], []
        a.visit(names_a.append)
        b.visit(names_b.append)
        assert names_a == names_b
        for name in names_a:
            if isinstance(a[name], h5py.Dataset):
                assert a[name].dtype == b[name].dtype and bits(a[name][()]) == bits(b[name][()]), name
                assert a[name].chunks == b[name].chunks and a[name].compression == b[name].compression, name
            assert set(a[name].attrs) == set(b[name].attrs), name
            for k in a[name].attrs:
                if k != "DIMENSION_LIST" and k != "REFERENCE_LIST":
                    assert str(a[name].attrs[k]) == str(b[name].attrs[k]), (name, k)
        for k in a.attrs:
            if k not in ("created",):
                assert str(a.attrs[k]) == str(b.attrs[k]), k


def test_save_refuses_an_existing_file_without_force(small_file, tmp_path):
    r = gs.run(small_file, trials=2)
    out = tmp_path / "r.h5"
    r.save(out)
    with pytest.raises(gs.InputError, match="exists"):
        r.save(out)
    r.save(out, force=True)
    with pytest.raises(gs.InputError):
        r.save(small_file, force=True)  # never an input of the run
    with pytest.raises(gs.InputError):
        r.save(tmp_path / "no" / "such" / "dir.h5")


# --- experiments ---------------------------------------------------------------------------------------------------

def test_from_dict_is_the_scenario_file(small_file):
    """A dict laid out as the file gives the same experiment and the same bits; its TOML text is kept."""
    x = gs.Experiment.from_dict(SMALL)
    assert x.name == "small" and x.trials == 6 and x.steps == 20 and x.seed == 11
    assert x.scenarios == ["baseline", "top_down", "distributed"]
    assert "[[scenario]]" in x.source_text
    again = gs.Experiment.from_dict(dict(SMALL))
    assert again.parameters("distributed") == x.parameters("distributed")
    r1 = gs.run(x, threads=1)
    text_file = Path(small_file).parent / "from_dict.toml"
    text_file.write_text(x.source_text)
    r2 = gs.run(gs.Experiment.from_file(text_file), threads=2)
    for name in x.scenarios:
        for path, a in r1[name].arrays.items():
            assert bits(a) == bits(r2[name].arrays[path]), path


def with_experiment(table):
    return {"experiment": SMALL["experiment"], **table}


def test_from_dict_errors_are_the_files():
    with pytest.raises(gs.InputError, match=r"missing section \[experiment\]"):
        gs.Experiment.from_dict({"organization": {"size": 100}})
    with pytest.raises(gs.InputError, match=r"unknown key 'organization.sise'; did you mean 'organization.size'"):
        gs.Experiment.from_dict(with_experiment({"organization": {"sise": 100}}))
    with pytest.raises(gs.InputError, match=r"Experiment.from_dict.*key 'champions.count'.*must be an integer"):
        gs.Experiment.from_dict(with_experiment({"champions": {"count": "many"}}))
    with pytest.raises(gs.InputError, match=r"key 'organization.cross_department' = 2 is out of range: allowed \[0, 1\]"):
        gs.Experiment.from_dict(with_experiment({"organization": {"cross_department": 2.0}}))
    with pytest.raises(gs.InputError, match=r"every \[\[scenario\]\] needs a name"):
        gs.Experiment.from_dict(with_experiment({"scenario": [{"description": "x"}]}))
    with pytest.raises(gs.InputError, match=r"key 'organization.size' has a value of type NoneType"):
        gs.Experiment.from_dict(with_experiment({"organization": {"size": None}}))
    with pytest.raises(gs.InputError, match="not a string"):
        gs.Experiment.from_dict({1: 2})
    with pytest.raises(TypeError):
        gs.Experiment.from_dict([("rule", "sdt")])
    # numpy numbers are numbers
    x = gs.Experiment.from_dict(with_experiment({"organization": {"size": np.int64(150),
                                                                   "cross_department": np.float32(0.25)}}))
    assert x.parameters("default")["organization.size"] == "150"


def test_from_file_errors(tmp_path):
    with pytest.raises(gs.InputError, match="no-such.toml"):
        gs.Experiment.from_file(tmp_path / "no-such.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment]\nname = 'x'\nseed = 1\ntrials = 2\nsteps = 3\n[organization]\nsize = -3\n")
    with pytest.raises(gs.InputError, match=r"bad.toml:7:\d+: key 'organization.size' = -3 is out of range"):
        gs.Experiment.from_file(bad)


def test_with_overrides(small_file):
    x = gs.Experiment.from_file(small_file)
    y = x.with_overrides({"distributed.champions.count": 4, "distributed.champions.coalition": False,
                          "top_down.mandate.half_life": math.inf})
    assert y is not x and x.parameters("distributed")["champions.count"] == "10"
    assert y.parameters("distributed")["champions.count"] == "4"
    assert y.parameters("distributed")["champions.coalition"] == "false"
    assert y.parameters("top_down")["mandate.half_life"] == "inf"
    assert "distributed.champions.count=4" in y.overrides.splitlines()
    assert x.with_overrides({"champions.count": 3}).parameters("baseline")["champions.count"] == "3"  # every scenario
    r_x, r_y = gs.run(x, trials=3, threads=1), gs.run(y, trials=3, threads=1)
    assert bits(r_x["baseline"].curves["A"]) == bits(r_y["baseline"].curves["A"])  # no champions there: unchanged
    assert bits(r_x["distributed"].curves["A"]) != bits(r_y["distributed"].curves["A"])
    with pytest.raises(gs.InputError, match=r"with_overrides champions.cont=4: .*did you mean 'champions.count'"):
        x.with_overrides({"champions.cont": 4})
    with pytest.raises(gs.InputError, match=r"champions.count.*out of range"):
        x.with_overrides({"champions.count": -1})
    with pytest.raises(gs.InputError, match="single value"):
        x.with_overrides({"champions.count": [1, 2]})
    z = x.with_overrides({"top_down.mandate.issuers": "leaders"})
    assert z.parameters("top_down")["mandate.issuers"] == "leaders"
    with pytest.raises(gs.InputError, match="description"):
        x.with_overrides({"description": "not a key a run changes"})


# --- runs ------------------------------------------------------------------------------------------------------------

def test_run_results_shapes_and_summary(small_file):
    r = gs.run(small_file, trials=5, seed=2, threads=2)
    assert r.trials == 5 and r.steps == 30 and r.seed == 2 and r.threads == 2 and len(r) == 3
    s = r["distributed"]
    assert s.rule == "sdt" and s.curves["A"].shape == (5, 31) and s.curves["A"].dtype == np.float32
    assert set(s.curves) >= {"A", "C", "N", "R", "mean_autonomy", "mean_pressure", "active_champions"}
    assert s.metrics["final_internalized"].shape == (5,)
    assert np.array_equal(s.metrics["final_internalized"], s.curves["A"][:, -1])
    d = s.departments
    assert d["internalized"].shape == (5, 31, len(d["name"])) and d["size"].sum() == 300
    assert set(s.attribution) >= {"entries/peer", "entries/seeded", "credit/champions", "entries_complying"}
    np.testing.assert_allclose(s.curves["N"] + s.curves["C"] + s.curves["A"] + s.curves["R"], 1, atol=1e-5)
    assert "distributed" in r.summary() and "internalized" in r.summary()
    assert "groundswell.Results" in repr(r)
    with pytest.raises(KeyError):
        r["nope"]


def test_run_scenarios_subset_same_bits(small_file):
    full = gs.run(small_file, trials=4, threads=1)
    one = gs.run(small_file, trials=4, threads=2, scenarios="distributed")
    assert list(one) == ["distributed"]
    assert bits(one["distributed"].curves["A"]) == bits(full["distributed"].curves["A"])
    with pytest.raises(gs.InputError, match="no such scenario"):
        gs.run(small_file, scenarios=["nope"])


def test_run_bad_arguments(small_file):
    with pytest.raises(gs.InputError, match=r"trials = 0 is out of range"):
        gs.run(small_file, trials=0)
    with pytest.raises(gs.InputError, match=r"threads = 0 is out of range"):
        gs.run(small_file, threads=0)
    with pytest.raises(gs.InputError, match="seed"):
        gs.run(small_file, seed=-1)
    with pytest.raises(TypeError):
        gs.run(small_file, trials=2.5)
    with pytest.raises(TypeError):
        gs.run(42)


def test_run_record_credit_per_agent():
    x = gs.Experiment.from_dict(SMALL).with_overrides({"record.credit": True})
    s = gs.run(x, trials=2)["distributed"]
    assert s.attribution["credit/by_agent"].shape == (2, 200)
    assert s.attribution["credit/agent_role"].dtype == np.int8


def test_progress_and_its_errors(small_file):
    seen = []
    gs.run(small_file, trials=3, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3, 3)

    def boom(done, total):
        raise RuntimeError("from the callback")
    big = gs.Experiment.from_dict(SMALL).with_overrides({"organization.size": 3000})
    with pytest.raises(RuntimeError, match="from the callback"):
        gs.run(big, trials=400, threads=1, progress=boom)


def test_the_gil_is_released_while_the_engine_runs():
    """Another Python thread keeps running while gs.run works. The run is made long enough to tell (trials doubled
    until it takes 0.3 s): a fixed size was once too quick on an idle machine to measure anything."""
    big = gs.Experiment.from_dict(SMALL).with_overrides({"organization.size": 2000})
    trials = 40
    while True:
        ticks = []
        done = threading.Event()

        def count():
            while not done.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.005)
        t = threading.Thread(target=count)
        t.start()
        start = time.perf_counter()
        gs.run(big, trials=trials, threads=1)
        elapsed = time.perf_counter() - start
        done.set()
        t.join()
        if elapsed > 0.3 or trials >= 40 * 64:
            break
        trials *= 2
    during = [x for x in ticks if start <= x <= start + elapsed]
    assert elapsed > 0.3, (trials, elapsed)
    assert len(during) > 0.3 * elapsed / 0.005, (len(during), elapsed)


INTERRUPT = textwrap.dedent("""
    import signal, sys, time
    # Python leaves Ctrl-C ignored when it started ignored (a job started in
    # the background by a shell without job control): restore what an
    # interactive interpreter has, so the test never waits on a lost signal.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, sys.argv[1])
    import groundswell as gs
    x = gs.Experiment.from_file(sys.argv[2])
    print("running", flush=True)
    start = time.perf_counter()
    try:
        gs.run(x, trials=100000, threads=1)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        gs.run(x, trials=2, scenarios="baseline")  # the module still works after it
        print("still works", flush=True)
        sys.exit(0)
    print("finished", flush=True)
""")


def test_ctrl_c_interrupts_promptly(tmp_path):
    """SIGINT (Ctrl-C, Jupyter's interrupt) during a long run raises KeyboardInterrupt within a second, and the
    interpreter goes on."""
    script = tmp_path / "interrupt.py"
    script.write_text(INTERRUPT)
    p = subprocess.Popen([sys.executable, str(script), str(MODULE_DIR), str(REPO / "scenarios" / "leadership.toml")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "running"
        time.sleep(1.5)
        sent = time.perf_counter()
        p.send_signal(signal.SIGINT)
        line = p.stdout.readline().strip()
        took = time.perf_counter() - sent
        assert line == "interrupted", p.stderr.read()
        assert took < 1.0, took
        assert p.stdout.readline().strip() == "still works"
        assert p.wait(timeout=60) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


# --- xarray ----------------------------------------------------------------------------------------------------------

def test_to_xarray(small_file):
    xr = pytest.importorskip("xarray")
    r = gs.run(small_file, trials=3)
    one = r.to_xarray("top_down")
    assert isinstance(one, xr.Dataset)
    assert one["curves_A"].dims == ("trial", "week") and one["curves_A"].attrs["units"] == "1"
    assert one["curves_department_adopted"].dims == ("trial", "week", "department")
    assert np.array_equal(one["curves_A"].values, r["top_down"].curves["A"])
    allx = r.to_xarray()
    assert list(allx["scenario"].values) == r.scenarios
    assert allx["metrics_final_adopted"].dims == ("scenario", "trial")
    assert np.array_equal(allx["curves_A"].sel(scenario="distributed").values, r["distributed"].curves["A"])


# --- organizations ---------------------------------------------------------------------------------------------------

def test_generate_is_the_runs_organization():
    a = gs.generate({"generator": "watts_strogatz", "size": 120, "neighbours": 6, "departments": 3}, seed=4)
    b = gs.generate({"generator": "watts_strogatz", "size": 120, "neighbours": 6, "departments": 3}, seed=4)
    c = gs.generate({"generator": "watts_strogatz", "size": 120, "neighbours": 6, "departments": 3}, seed=4, trial=1)
    assert a.size == 120 and a.departments == 3 and len(a.offsets) == 121
    assert bits(a.sources) == bits(b.sources) and bits(a.sources) != bits(c.sources)
    h = gs.generate(gs.Experiment.from_dict(SMALL), seed=11)
    assert h.size == 200 and h.level.max() > 0 and h.is_formal_leader.sum() > 0
    with pytest.raises(gs.InputError, match="organization.size"):
        gs.generate({"size": 0})
    with pytest.raises(ValueError):
        h.manager[0] = 3  # a read-only view


def test_networkx_round_trip():
    nx = pytest.importorskip("networkx")
    org = gs.generate({"size": 150}, seed=9)
    g = org.to_networkx()
    assert g.number_of_nodes() == 150
    assert all(g.nodes[n]["level"] == (0 if g.nodes[n]["manager"] is None else g.nodes[g.nodes[n]["manager"]]["level"] + 1)
               for n in g)
    back = gs.Organization.from_networkx(g)
    assert back.size == org.size and back.departments == org.departments
    assert np.array_equal(back.manager, org.manager) and np.array_equal(back.level, org.level)
    assert np.array_equal(back.department, org.department)
    def ties(o):
        listeners = np.repeat(np.arange(o.size), np.diff(o.offsets.astype(np.int64)))
        return sorted(zip(listeners.tolist(), o.sources.tolist(), o.weights.tolist()))
    assert ties(back) == ties(org)
    # an undirected karate club: ties both ways, one department, no hierarchy
    k = gs.Organization.from_networkx(nx.karate_club_graph(), department="club")
    assert k.size == 34 and k.departments == 2 and len(k.sources) == 2 * 78


def test_networkx_errors():
    nx = pytest.importorskip("networkx")
    g = nx.DiGraph()
    g.add_node("a", manager="b")
    g.add_node("b", manager="a")
    g.add_edge("a", "b")
    with pytest.raises(gs.InputError, match="cycle"):
        gs.Organization.from_networkx(g)
    h = nx.DiGraph()
    h.add_edge("a", "b", weight=-1)
    with pytest.raises(gs.InputError, match="weight"):
        gs.Organization.from_networkx(h)
    with pytest.raises(ValueError):
        gs.Organization.from_networkx(h, direction="sideways")


def test_from_tables_and_save(tmp_path):
    nodes = {"id": ["boss", "x", "y"], "department": ["d", "d", "e"], "manager": ["", "boss", "boss"],
             "level": [0, 1, 1]}
    edges = [{"source": "x", "target": "boss", "weight": 1.0, "type": "formal"},
             {"source": "y", "target": "x", "weight": 0.5, "type": "informal"}]
    o = gs.Organization.from_tables(nodes, edges)
    assert o.size == 3 and o.ids == ["boss", "x", "y"] and o.department_names == ["d", "e"]
    assert list(o.manager) == [-1, 0, 0] and list(o.formal) == [1, 0]
    o.save(tmp_path / "org")
    again = gs.Organization.from_tables(tmp_path / "org" / "nodes.csv", tmp_path / "org" / "edges.csv")
    assert again.ids == o.ids and np.array_equal(again.weights, o.weights)
    with pytest.raises(gs.InputError, match="exist"):
        o.save(tmp_path / "org")
    o.save(tmp_path / "org", force=True)
    pd = pytest.importorskip("pandas")
    assert gs.Organization.from_tables(pd.DataFrame(nodes), pd.DataFrame(edges)).size == 3
    with pytest.raises(gs.InputError, match="level 3"):
        gs.Organization.from_tables(dict(nodes, level=[0, 3, 1]), edges)
    with pytest.raises(gs.InputError, match="not an id"):
        gs.Organization.from_tables(nodes, [dict(edges[0], target="nobody")])
    assert "agents" in o.describe()


def test_run_on_an_organization_object(tmp_path):
    """run(..., organization=org) is the run on that organization's tables as a scenario file would read them."""
    org = gs.generate({"generator": "erdos_renyi", "size": 150, "mean_degree": 6, "departments": 3}, seed=2)
    x = gs.Experiment.from_dict(SMALL).with_overrides({"champions.count": 5})
    on_object = gs.run(x, organization=org, threads=1)
    org.save(tmp_path / "tables")
    text = x.source_text.replace("size = 200", "generator = \"file\"\nnodes = \"tables/nodes.csv\"\n"
                                 "edges = \"tables/edges.csv\"")
    (tmp_path / "x.toml").write_text(text)
    cli = tmp_path / "cli.h5"
    run_cli(tmp_path / "x.toml", cli, "--threads", "2", "--set", "champions.count=5")
    with h5py.File(cli, "r") as f:
        for name in on_object:
            expected = datasets(f, f"scenarios/{name}")
            for path, a in on_object[name].arrays.items():
                assert bits(a) == bits(expected[path]), (name, path)
    y = x.with_organization(org)
    assert y.parameters("baseline")["organization.generator"] == "file"
    assert "organization.size" not in y.parameters("baseline")
    with pytest.raises(TypeError):
        x.with_organization("not an organization")


# --- documentation ---------------------------------------------------------------------------------------------------

def test_docstrings_and_stubs():
    for f in (gs.run, gs.generate, gs.Experiment.from_file, gs.Experiment.from_dict, gs.Experiment.with_overrides,
              gs.Results.save, gs.Results.to_xarray, gs.Organization.from_networkx, gs.Organization.to_networkx,
              gs.Organization.from_tables):
        assert f.__doc__ and len(f.__doc__) > 40, f
    assert "same bits" in gs.run.__doc__
    stub = MODULE_DIR / "groundswell" / "__init__.pyi"
    assert stub.is_file() and "def run(" in stub.read_text()
    assert (MODULE_DIR / "groundswell" / "py.typed").is_file()
    assert issubclass(gs.InputError, ValueError)
    assert gs.__version__


# --- recommend and calibrate -----------------------------------------------------------------------------------------

KRACKHARDT_RECOMMEND = REPO / "scenarios" / "real" / "krackhardt_recommend.toml"


def data_available():
    return Path(gs.data_directory(), "krackhardt-hightech", "HighTech.paj").is_file()


def test_data_directory_found_beside_the_package():
    if not data_available():
        pytest.skip(f"the data sets are not in {gs.data_directory()}")
    assert Path(gs.data_directory()).name == "raw"


def report_lines(text):
    """A report without its timing line "(0.7 s)" or "wrote ..." lines, which differ between runs."""
    return [line for line in text.splitlines() if not line.startswith(("(", "wrote "))]


def test_recommend_is_the_command(tmp_path):
    if not data_available():
        pytest.skip(f"the data sets are not in {gs.data_directory()}")
    binary = engine_binary()
    cli = subprocess.run([str(binary), "recommend", str(KRACKHARDT_RECOMMEND), "--count", "2", "--trials", "12",
                          "--test-trials", "12", "--key-people", "2", "--curve", "0:4:2", "--target", "0.5@52",
                          "--exclude", "v2", "-o", str(tmp_path / "cli.h5")],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    seen = []
    r = gs.recommend(KRACKHARDT_RECOMMEND, 2, trials=12, test_trials=12, key_people=2, curve=(0, 4, 2),
                     target=(0.5, 52), exclude=["v2"], threads=1, progress=seen.append)
    assert report_lines(r.report()) == report_lines(cli)
    assert [p["label"] for p in r.picks][:2] and "v2" not in [p["label"] for p in r.picks]
    assert {x["rule"] for x in r.rules} == {"random", "formal", "central", "bridging", "distributed"}
    assert r.recommended["n"] == 12 and r.recommended["low"] <= r.recommended["mean"] <= r.recommended["high"]
    assert r.curve and r.key_people and seen
    r.save(tmp_path / "py.h5")
    with h5py.File(tmp_path / "cli.h5", "r") as a, h5py.File(tmp_path / "py.h5", "r") as b:
        names = []
        a.visit(names.append)
        for name in names:
            if isinstance(a[name], h5py.Dataset):
                assert bits(a[name][()]) == bits(b[name][()]), name


def test_recommend_bad_input():
    x = gs.Experiment.from_dict(SMALL)
    with pytest.raises(gs.InputError, match="count"):
        gs.recommend(x, 0)
    with pytest.raises(gs.InputError, match="objective"):
        gs.recommend(x, 2, objective="happiness", trials=2)
    with pytest.raises(gs.InputError, match="--exclude"):
        gs.recommend(x, 2, exclude=["nobody"], trials=2)
    with pytest.raises(gs.InputError, match="--target needs --curve"):
        gs.recommend(x, 2, target=(0.5, 10), trials=2)
    with pytest.raises(gs.InputError, match="no scenario|scenario"):
        gs.recommend(x, 2, scenario="nope", trials=2)
    with pytest.raises(TypeError):
        gs.recommend(x, "two")


@pytest.fixture
def small_calibration(tmp_path):
    text = (REPO / "scenarios" / "real" / "medical_innovation_bass.toml").read_text()
    for key, value in (("particles", 40), ("generations", 2), ("predictive", 10)):
        text, n = __import__("re").subn(rf"(?m)^{key} = \d+", f"{key} = {value}", text)
        assert n == 1
    path = tmp_path / "calibration.toml"
    path.write_text(text)
    return path


def test_calibrate_is_the_command(small_calibration, tmp_path):
    if not Path(gs.data_directory(), "medical-innovation-ckm").is_dir():
        pytest.skip(f"the data sets are not in {gs.data_directory()}")
    cli = subprocess.run([str(engine_binary()), "calibrate", str(small_calibration), "--threads", "2", "-o",
                          str(tmp_path / "cli.h5")], check=True, capture_output=True, text=True, timeout=120).stdout
    seen = []
    c = gs.calibrate(small_calibration, threads=1, progress=seen.append)
    assert report_lines(c.report()) == report_lines(cli)
    assert seen[0].startswith("calibrating") and any("generation" in line for line in seen)  # the lines, in order
    assert c.parameters == ["bass.p", "bass.q"] and c.posterior.shape == (40, 2)
    assert c.predictive_curves.shape == (10, 18) and abs(c.weights.sum() - 1) < 1e-9
    assert all(lo <= m <= hi for m, lo, hi in zip(c.median, c.lower, c.upper))
    c.save(tmp_path / "py.h5")
    with h5py.File(tmp_path / "cli.h5", "r") as a, h5py.File(tmp_path / "py.h5", "r") as b:
        names = []
        a.visit(names.append)
        for name in names:
            if isinstance(a[name], h5py.Dataset) and "seconds" not in name:
                assert bits(a[name][()]) == bits(b[name][()]), name
    with pytest.raises(gs.InputError, match="calibrate overrides bass.p=0.1: bass.p is a free parameter"):
        gs.calibrate(small_calibration, overrides={"bass.p": 0.1})
    with pytest.raises(gs.InputError, match="no-such"):
        gs.calibrate(tmp_path / "no-such.toml")


MEDICAL_INNOVATION = REPO / "scenarios" / "real" / "medical_innovation_bass.toml"


def medical_innovation_available():
    return Path(gs.data_directory(), "medical-innovation-ckm").is_dir()


def test_observed_record_of_medical_innovation():
    if not medical_innovation_available():
        pytest.skip(f"the data sets are not in {gs.data_directory()}")
    r = gs.observed_record(MEDICAL_INNOVATION)
    assert len(r) == 246 and r.organization.size == 246 and len(r.ids) == 246
    assert r.time.dtype == np.int32 and r.role.dtype == np.uint8 and r.steps == 17
    assert (r.fit, r.never, r.missing, r.dropped, r.holdout) == (125, 16, 121, 0, 0)
    assert (r.role == 1).sum() == 125 and (r.role == 0).sum() == 121
    assert (r.time == -1).sum() == 121 and (r.time == 18).sum() == 16
    assert ((r.time >= 1) == (r.role == 1)).all() and r.time.max() == 18
    assert r.unrecorded == "simulate" and r.experiment.name == "medical_innovation_bass"
    assert r.ids == r.organization.ids

    d = gs.observed_record(MEDICAL_INNOVATION, overrides={"observed.unrecorded": "drop"})
    assert len(d) == 125 and d.organization.size == 125 and (d.fit, d.never, d.dropped) == (125, 16, 121)
    assert d.unrecorded == "drop" and (d.time >= 1).all() and (d.role == 1).all()
    keep = r.time >= 0
    assert d.ids == [i for i, k in zip(r.ids, keep) if k] and (d.time == r.time[keep]).all()
    assert d.organization.department_names == r.organization.department_names
    assert len(d.organization.sources) < len(r.organization.sources)

    with pytest.raises(gs.InputError, match='observed.unrecorded must be "simulate"'):
        gs.observed_record(MEDICAL_INNOVATION, overrides={"observed.unrecorded": "delete"})
    with pytest.raises(gs.InputError, match="observed_record overrides bass.p=0.1: bass.p is a free parameter"):
        gs.observed_record(MEDICAL_INNOVATION, overrides={"bass.p": 0.1})


def test_observed_record_errors(tmp_path):
    with pytest.raises(gs.InputError, match="no-such"):
        gs.observed_record(tmp_path / "no-such.toml")
    bad = tmp_path / "cal.toml"
    bad.write_text(textwrap.dedent("""
        rule = "bass"
        [experiment]
        seed = 1
        steps = 5
        [organization]
        size = 20
        [observed]
        file = "obs.txt"
        id = "id"
        time = "month"
        [[parameter]]
        key = "bass.q"
        min = 0
        max = 1
        """))
    (tmp_path / "obs.txt").write_text("id month\n0 1\n1 9\n")
    with pytest.raises(gs.InputError, match="obs.txt:3: adoption time 9 is not a step 1..5"):
        gs.observed_record(bad)


def test_adoption_times_of_a_calibration_file():
    if not medical_innovation_available():
        pytest.skip(f"the data sets are not in {gs.data_directory()}")
    r = gs.observed_record(MEDICAL_INNOVATION)
    t = gs.adoption_times(MEDICAL_INNOVATION, trials=3, overrides={"bass.p": 0.05, "bass.q": 0.4}, threads=1)
    assert t.shape == (3, 246) and t.dtype == np.int32 and t.min() >= 0 and t.max() <= r.steps + 1
    again = gs.adoption_times(MEDICAL_INNOVATION, trials=3, overrides={"bass.p": 0.05, "bass.q": 0.4}, threads=2)
    assert bits(t) == bits(again)
    d = gs.adoption_times(MEDICAL_INNOVATION, trials=2, overrides={"observed.unrecorded": "drop"})
    assert d.shape == (2, 125)
    # The file's Experiment on its (file) organization simulates the same trials.
    x = r.experiment.with_overrides({"bass.p": 0.05, "bass.q": 0.4})
    assert bits(gs.adoption_times(x, trials=3)) == bits(t)


BASS = {"rule": "bass", "experiment": {"name": "bass", "seed": 3, "trials": 1, "steps": 6},
        "organization": {"size": 400}, "bass": {"p": 0.03, "q": 0.5}}


def test_adoption_times_thread_invariance_and_seed_dependence():
    x = gs.Experiment.from_dict(BASS)
    one = gs.adoption_times(x, trials=8, threads=1)
    assert one.shape == (8, 400) and one.dtype == np.int32
    assert bits(one) == bits(gs.adoption_times(x, trials=8, threads=3))
    assert bits(one[:3]) == bits(gs.adoption_times(x, trials=3, threads=2))  # trial k does not depend on trials
    assert bits(one) == bits(gs.adoption_times(x, trials=8, seed=3))  # the experiment's seed by default
    other = gs.adoption_times(x, trials=8, seed=4)
    assert bits(one) != bits(other)
    assert 0 <= one.min() and one.max() <= 7 and (one == 7).any()
    # Overrides change the scenario as with_overrides does.
    assert bits(gs.adoption_times(x, trials=2, overrides={"bass.q": 0.0})) == \
        bits(gs.adoption_times(x.with_overrides({"bass.q": 0.0}), trials=2))
    with pytest.raises(gs.InputError, match="seed"):
        gs.adoption_times(x, seed=-1)
    with pytest.raises(gs.InputError, match="trials"):
        gs.adoption_times(x, trials=0)
    two = gs.Experiment.from_dict({**BASS, "scenario": [{"name": "a"}, {"name": "b", "bass": {"q": 0.0}}]})
    with pytest.raises(gs.InputError, match="name one with scenario="):
        gs.adoption_times(two)
    b = gs.adoption_times(two, scenario="b", trials=2)
    assert b.shape == (2, 400) and bits(b) != bits(gs.adoption_times(two, scenario="a", trials=2))
    with pytest.raises(KeyError):
        gs.adoption_times(two, scenario="c")


def test_adoption_times_bass_without_contagion_is_the_closed_form():
    # q = 0: every agent not adopted at the start adopts in step 1 with probability 1 - exp(-p) (MODEL.md 6).
    p = 0.05
    x = gs.Experiment.from_dict({**BASS, "organization": {"size": 20000}, "bass": {"p": p, "q": 0.0}})
    t = gs.adoption_times(x, trials=2)
    at_risk = t[t > 0]
    share = (at_risk == 1).mean()
    expected = 1 - math.exp(-p)
    se = math.sqrt(expected * (1 - expected) / at_risk.size)
    assert abs(share - expected) < 4 * se, (share, expected, se)


def small_sweep(tmp_path):
    text = (REPO / "scenarios" / "sweeps" / "grid.toml").read_text()
    for pattern, value in ((r"(?m)^trials = 40", "trials = 3"), (r"(?m)^steps = 104.*$", "steps = 20"),
                           (r"(?m)^values = \[0, 5, 10, 20, 40, 80\]", "values = [0, 5]"),
                           (r"(?m)^values = \[4, 8, 13, 26, 52, inf\].*$", "values = [4, inf]")):
        text, n = __import__("re").subn(pattern, value, text)
        assert n == 1, pattern
    path = tmp_path / "grid.toml"
    path.write_text(text)
    return path


def test_sweep_is_the_command(tmp_path):
    grid = small_sweep(tmp_path)
    subprocess.run([str(engine_binary()), "sweep", str(grid), "-o", str(tmp_path / "cli.h5"), "-q", "--threads", "2",
                    "--set", "organization.size=150"], check=True, timeout=300)
    seen = []
    s = gs.sweep(grid, tmp_path / "py.h5", {"organization.size": 150}, threads=1, progress=lambda d, t: seen.append(d))
    assert s.points == 4 and s.computed == 4 and s.parameters == ["champions.count", "mandate.half_life"]
    assert s.values.shape == (4, 2) and np.isinf(s.values[1, 1]) and seen[-1] == 4
    with h5py.File(tmp_path / "cli.h5", "r") as a, h5py.File(tmp_path / "py.h5", "r") as b:
        names = []
        a.visit(names.append)
        compared = 0
        for name in names:
            if isinstance(a[name], h5py.Dataset):
                assert bits(a[name][()]) == bits(b[name][()]), name
                compared += 1
        assert compared > 20
    with pytest.raises(gs.InputError):
        gs.sweep(grid, tmp_path / "py.h5")  # exists: force or resume
    again = gs.sweep(grid, tmp_path / "py.h5", {"organization.size": 150}, resume=True)
    assert again.already_complete
    with pytest.raises(gs.InputError, match="sweep overrides champions.count=3: sweep parameter champions.count"):
        gs.sweep(grid, tmp_path / "other.h5", {"champions.count": 3})
    with pytest.raises(gs.InputError, match="resume"):
        gs.sweep(grid, tmp_path / "py.h5", force=True, resume=True)


def _structural_equivalence(offsets, sources, weights, power):
    """An independent numpy implementation of docs/model.md, "Exposure" (Burt 1987; netdiffuseR struct_equiv)."""
    n = len(offsets) - 1
    z = np.full((n, n), -1, dtype=np.int64)
    for i in range(n):  # breadth-first from i along "i listens to j"
        z[i, i] = 0
        frontier = [i]
        while frontier:
            nxt = []
            for u in frontier:
                for e in range(int(offsets[u]), int(offsets[u + 1])):
                    v = int(sources[e])
                    if weights[e] > 0 and z[i, v] < 0:
                        z[i, v] = z[i, u] + 1
                        nxt.append(v)
            frontier = nxt
    z[z < 0] = z.max() + 1
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                k = np.array([k for k in range(n) if k not in (i, j)], dtype=np.int64)
                s = (z[i, j] - z[j, i]) ** 2 + np.sum((z[i, k] - z[j, k]) ** 2 + (z[k, i] - z[k, j]) ** 2)
                d[i, j] = np.sqrt(float(s))
    rows = []
    for i in range(n):
        others = [k for k in range(n) if k != i]
        dmax = max(d[i, k] for k in others)
        g = np.array([(dmax - d[i, k]) if power == 1.0 else (dmax - d[i, k]) ** power for k in others])
        total = np.cumsum(g)[-1] if len(g) else 0.0  # a sequential sum, as the engine's
        w = (g / total).astype(np.float32) if total > 0 else np.zeros(len(g), np.float32)
        rows.append([(k, x) for k, x in zip(others, w) if x > 0])
    return rows


def test_exposure_network_cohesion_and_structural_equivalence():
    org = gs.generate({"size": 40, "advisors": 3}, seed=21)
    same = org.exposure_network()
    assert set(same) == {"offsets", "sources", "weights"}
    assert np.array_equal(same["offsets"], org.offsets) and np.array_equal(same["sources"], org.sources)
    assert np.array_equal(same["weights"], org.weights)
    for power in (1.0, 2.5):
        se = org.exposure_network("structural_equivalence", power)
        assert se["offsets"].dtype == np.uint64 and se["sources"].dtype == np.uint32
        assert se["weights"].dtype == np.float32 and len(se["offsets"]) == org.size + 1
        expected = _structural_equivalence(org.offsets, org.sources, org.weights, power)
        for i in range(org.size):
            lo, hi = int(se["offsets"][i]), int(se["offsets"][i + 1])
            got = list(zip(se["sources"][lo:hi].tolist(), se["weights"][lo:hi].tolist()))
            assert got == [(k, float(w)) for k, w in expected[i]], i  # the same bits
            if hi > lo:
                assert abs(float(np.sum(se["weights"][lo:hi], dtype=np.float64)) - 1) < 1e-5
    with pytest.raises(gs.InputError, match="cohesion"):
        org.exposure_network("equivalence")
    with pytest.raises(gs.InputError, match="> 0"):
        org.exposure_network("structural_equivalence", 0)
