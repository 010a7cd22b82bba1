"""Damaged files: every dataset of small real files mutated in turn (dropped, shortened, retyped, reshaped), and
every root attribute dropped. Each loader must refuse with ResultsError ("damaged or incomplete ... file") or, for
an optional dataset dropped, load; never another exception, never a silently inconsistent object."""

import re
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from analysis.calibration import load_calibration
from analysis.results import ResultsError, load
from analysis.sweep import load_sweep, read_curve

from conftest import engine_binary
from test_calibration import write_calibration
from test_sweep import GRID

#: Datasets the package never reads: mutating them cannot be noticed, nor matter. The coordinates
#: (week, trial, department, agent, department_name: docs/output.md) are labels for netCDF readers.
UNREAD = re.compile(r"(points/seed|points/saltelli_\w+|parameters/.*/labels|curves/\w+/trials"
                    r"|/(week|trial|department|agent|department_name)"
                    r"|curves/(mean_\w+|active_\w+)(/\w+)?|trace/(?!epsilon|acceptance_rate)\w+|draws/\w+)$")


def datasets(path):
    names = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    return names


def mutate(src, dst, name, how):
    """Copies src to dst and damages dataset `name` there; False if `how` does not apply to it."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        data = f[name][()]
        attrs = dict(f[name].attrs)
        if how == "shorten":
            if data.ndim == 0 or data.shape[0] < 2:
                return False
            data = data[: data.shape[0] // 2]
        elif how == "retype":
            if data.dtype.kind not in "fiu":
                return False
            data = np.array([b"x"] * max(1, data.size), dtype="S1").reshape(data.shape or (1,))
        elif how == "reshape":
            data = data.reshape(-1) if data.ndim > 1 else data.reshape((1,) + data.shape)
        del f[name]
        if how != "drop":
            f.create_dataset(name, data=data)
            for k, v in attrs.items():
                f[name].attrs[k] = v
    return True


def read_sweep_fully(path):
    s = load_sweep(path)
    for scenario in s.scenarios:
        for curve in ("N", "C", "A", "R"):
            read_curve(s, scenario, curve, "mean")
            read_curve(s, scenario, curve, "quantiles")
    return s


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}")
    tmp = tmp_path_factory.mktemp("damaged")
    (tmp / "r.toml").write_text("[experiment]\nseed = 3\ntrials = 4\nsteps = 6\n[organization]\nsize = 40\n"
                                "[[scenario]]\nname = \"a\"\nrecord = { credit = true }\n")
    subprocess.run([str(binary), "run", str(tmp / "r.toml"), "-o", str(tmp / "r.h5"), "-q"], check=True, timeout=60)
    (tmp / "s.toml").write_text(GRID)
    subprocess.run([str(binary), "sweep", str(tmp / "s.toml"), "-o", str(tmp / "s.h5"), "-q", "--threads", "2"],
                   check=True, timeout=120)
    write_calibration(tmp / "c.h5", holdout=True, draws=50)
    return {"results": (tmp / "r.h5", load), "sweep": (tmp / "s.h5", read_sweep_fully),
            "calibration": (tmp / "c.h5", load_calibration)}


@pytest.mark.parametrize("kind", ["results", "sweep", "calibration"])
@pytest.mark.parametrize("how", ["drop", "shorten", "retype", "reshape"])
def test_every_dataset_mutated_is_refused_or_harmless(real_files, tmp_path, kind, how):
    src, reader = real_files[kind]
    reader(src)  # the intact file loads
    checked = 0
    for name in datasets(src):
        dst = tmp_path / f"{kind}-{how}.h5"
        if not mutate(src, dst, name, how):
            continue
        checked += 1
        try:
            reader(dst)
        except ResultsError as e:
            assert "damaged or incomplete" in str(e) or "not a" in str(e), (name, str(e))
            continue
        assert how == "drop" or UNREAD.search(name), f"{kind}: {how} {name} went unnoticed"
    assert checked > 0


@pytest.mark.parametrize("kind", ["results", "sweep", "calibration"])
def test_every_root_attribute_dropped(real_files, tmp_path, kind):
    src, reader = real_files[kind]
    with h5py.File(src, "r") as f:
        names = list(f.attrs)
    for name in names:
        dst = tmp_path / f"{kind}-attr.h5"
        shutil.copy(src, dst)
        with h5py.File(dst, "r+") as f:
            del f.attrs[name]
        try:
            reader(dst)
        except ResultsError as e:
            assert "damaged or incomplete" in str(e) or "not a" in str(e), (name, str(e))


@pytest.mark.parametrize("kind", ["results", "sweep"])
def test_truncated_file(real_files, tmp_path, kind):
    src, reader = real_files[kind]
    data = src.read_bytes()
    for keep in (len(data) // 2, len(data) - 100, 600):
        dst = tmp_path / f"{kind}-cut.h5"
        dst.write_bytes(data[:keep])
        with pytest.raises(ResultsError):
            reader(dst)
