"""Progress of the long commands as a user sees it on a terminal (issue 18): `run` and `sweep` rewrite one line
with done/total, the time elapsed and an estimate of the time left; `calibrate` numbers its generations "k of G"
and estimates the time left within one. The engine's stderr is a pseudo-terminal here, as in a user's shell."""

import os
import pty
import re
import select
import subprocess
import time

import pytest

from conftest import engine_binary

SMALL = """\
rule = "sdt"
[experiment]
name = "progress"
seed = 3
trials = 24
steps = 20
[organization]
size = 300
[[scenario]]
name = "top_down"
mandate = { issuers = "top" }
"""

SWEEP = SMALL + """\
[sweep]
design = "grid"
trials = 4
[[sweep.parameter]]
name = "mandate.half_life"
values = [4.0, 8.0, 13.0]
"""

LINE = re.compile(r"\r  (\d+)/(\d+) (trials|points)  (\d+ s|\d+ min \d\d s) elapsed  ~(\d+ s|\d+ min \d\d s|\?) left")


def on_terminal(args, cwd, timeout=120):
    """Runs the engine with stderr on a pseudo-terminal (stdin and stdout on pipes); returns (status, stderr)."""
    binary = engine_binary()
    if not binary.exists():
        pytest.skip(f"engine binary not found at {binary}; build it or set GROUNDSWELL_BINARY")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(binary.resolve()), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=follower)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process has ended
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(leader)
    proc.stdout.read()
    status = proc.wait(timeout=10)
    return status, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def check_progress(err, unit, total):
    lines = [(int(m[1]), int(m[2]), m[3]) for m in LINE.finditer(err)]
    assert lines, f"no progress line in: {err!r}"
    assert all(t == total and u == unit for _, t, u in lines)
    done = [d for d, _, _ in lines]
    assert done == sorted(done) and done[-1] == total
    # The last line ends the rewriting with a newline, so the next message starts on its own line.
    last = list(LINE.finditer(err))[-1]
    rest = err[last.end():]
    assert rest.startswith("\x1b[K"), "the line clears what a longer earlier line left"
    assert rest[len("\x1b[K"):].startswith("\n")


def test_run_shows_trials_done_and_time_left(tmp_path):
    (tmp_path / "s.toml").write_text(SMALL)
    status, err = on_terminal(["run", "s.toml", "-o", "out.h5", "--threads", "1"], tmp_path)
    assert status == 0, err
    check_progress(err, "trials", 24)


def test_quiet_run_shows_no_progress(tmp_path):
    (tmp_path / "s.toml").write_text(SMALL)
    status, err = on_terminal(["run", "s.toml", "-o", "out.h5", "-q"], tmp_path)
    assert status == 0, err
    assert not LINE.search(err)


def test_sweep_shows_points_done_and_time_left(tmp_path):
    (tmp_path / "w.toml").write_text(SWEEP)
    status, err = on_terminal(["sweep", "w.toml", "-o", "out.h5", "--threads", "1"], tmp_path)
    assert status == 0, err
    check_progress(err, "points", 3)


def test_calibrate_numbers_generations_of_the_total_with_time_left(tmp_path):
    # Forty people, one manager, a ring of informal ties.
    (tmp_path / "nodes.csv").write_text("id,department,manager,level\np0,X,,0\n" +
                                        "".join(f"p{i},X,p0,1\n" for i in range(1, 40)))
    (tmp_path / "edges.csv").write_text("source,target,weight,type\n" +
                                        "".join(f"p{i},p{(i + 1) % 40},1,informal\n" for i in range(40)))
    (tmp_path / "obs.csv").write_text("id,time\n" + "".join(f"p{i},{1 + i // 4}\n" for i in range(40)))
    (tmp_path / "c.toml").write_text("""\
rule = "bass"
[experiment]
seed = 7
steps = 12
[organization]
generator = "file"
nodes = "nodes.csv"
edges = "edges.csv"
[observed]
file = "obs.csv"
id = "id"
time = "time"
[[parameter]]
key = "bass.p"
prior = "uniform"
min = 0.01
max = 0.5
[abc]
particles = 40
generations = 3
trials = 1
predictive = 4
""")
    status, err = on_terminal(["calibrate", "c.toml", "-o", "out.h5", "--threads", "1"], tmp_path)
    assert status == 0, err
    generations = [int(g) for g, total in re.findall(r"generation (\d+) of (\d+)", err) if total == "2"]
    assert generations and generations[0] == 0 and generations[-1] == 2, err
    assert generations == sorted(generations)
    assert re.search(r"generation [12] of 2: \d+/40 accepted, .* elapsed, ~.* left in this generation", err), err
    # The header comes first, not at the end.
    assert err.lstrip().startswith("calibrating"), err
