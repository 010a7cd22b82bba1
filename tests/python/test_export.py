"""Issue 18: a results file that describes itself (units, descriptions, coordinates read by xarray) and its
export as tidy CSV tables (docs/output.md, "Reading it")."""

import csv
import subprocess
import sys

import h5py
import numpy as np
import pytest

from analysis.__main__ import main
from analysis.export import export_csv
from analysis.results import CURVES, ResultsError, load
from conftest import REPO


def test_xarray_opens_each_group_with_labelled_axes(engine_files):
    """The calls of docs/output.md, on a file the engine made, checked against h5py."""
    xr = pytest.importorskip("xarray")  # Debian python3-xarray, python3-h5netcdf (scripts/install-deps.sh)
    pytest.importorskip("h5netcdf")
    path = engine_files["sdt"]
    with h5py.File(path, "r") as f:
        g = f["scenarios/distributed"]
        A = g["curves/A"][()]
        dept = g["curves/department_adopted"][()]
        t50 = g["metrics/t50"][()]
        peer = g["attribution/entries/peer"][()]
        names = [n.decode() if isinstance(n, bytes) else n for n in g["department_name"][()]]
        trials, weeks = A.shape
        assert g["curves/A"].attrs["units"] == "1" and "internalized" in g["curves/A"].attrs["description"]

        def described(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert "units" in obj.attrs and "description" in obj.attrs, name
        f.visititems(described)
    with xr.open_dataset(path, group="scenarios/distributed/curves", engine="h5netcdf") as ds:
        assert ds["A"].dims == ("trial", "week")
        assert ds["department_adopted"].dims == ("trial", "week", "department")
        np.testing.assert_array_equal(ds["week"].values, np.arange(weeks))
        np.testing.assert_array_equal(ds["trial"].values, np.arange(trials))
        np.testing.assert_array_equal(ds["A"].values, A)
        np.testing.assert_array_equal(ds["department_adopted"].values, dept)
        np.testing.assert_array_equal(ds["A"].sel(trial=2, week=weeks - 1).values, A[2, -1])
        assert ds["A"].attrs["units"] == "1"
        assert ds["week"].attrs["units"] == "week"
    with xr.open_dataset(path, group="scenarios/distributed/metrics", engine="h5netcdf") as ds:
        assert ds["t50"].dims == ("trial",)
        np.testing.assert_array_equal(ds["t50"].values, t50)  # NaN where censored, in both
    with xr.open_dataset(path, group="scenarios/distributed/attribution/entries", engine="h5netcdf") as ds:
        np.testing.assert_array_equal(ds["peer"].values, peer)
    with xr.open_dataset(path, group="scenarios/distributed", engine="h5netcdf") as ds:
        assert list(ds["department_name"].values) == names == [str(d) for d in range(len(names))]
        np.testing.assert_array_equal(ds["department"].values, np.arange(len(names)))
        assert int(ds["department_size"].sum()) == 300
        with xr.open_dataset(path, group="scenarios/distributed/curves", engine="h5netcdf") as curves:
            # docs/output.md: the names as a coordinate of the curves, on the same department numbering.
            named = curves.assign_coords(department_name=ds["department_name"])
            by_name = named["department_adopted"].swap_dims(department="department_name")
            np.testing.assert_array_equal(by_name.sel(department_name=names[1]).values, dept[:, :, 1])


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_export_writes_tidy_tables_at_float32_precision(engine_files, tmp_path):
    path = engine_files["sdt"]
    res = load(path)
    assert main(["export", str(path), "--format", "csv", "-o", str(tmp_path / "out")]) == 0
    curves = read_csv(tmp_path / "out" / "curves.csv")
    metrics = read_csv(tmp_path / "out" / "metrics.csv")
    assert list(curves[0]) == ["scenario", "trial", "week", "state", "share"]
    assert list(metrics[0]) == ["scenario", "trial", "metric", "value"]
    s = res.scenarios[0]
    trials, weeks = s.curves["A"].shape
    assert len(curves) == len(res.scenarios) * trials * weeks * len(CURVES)
    with h5py.File(path, "r") as f:
        for row in curves[:: 97]:  # every value reads back as the file's float32 exactly, in at most 9 digits
            stored = f[f"scenarios/{row['scenario']}/curves/{row['state']}"][int(row["trial"]), int(row["week"])]
            assert np.float32(row["share"]) == stored
            assert len(row["share"].lstrip("0.").replace(".", "")) <= 9  # no float64 noise
        for row in metrics:
            stored = f[f"scenarios/{row['scenario']}/metrics/{row['metric']}"][int(row["trial"])]
            if np.isnan(stored):
                assert row["value"] == "NA"  # a censored time
            elif np.issubdtype(stored.dtype, np.integer):
                assert row["value"] == str(int(stored))
            else:
                assert np.float32(row["value"]) == np.float32(stored)
    assert any(r["value"] == "NA" for r in metrics)  # the file has censored times
    assert {r["metric"] for r in metrics} >= {"final_adopted", "t50", "t50_internalized", "departments_reached"}


def test_export_never_overwrites_without_force(engine_files, tmp_path, capsys):
    path = engine_files["bass"]
    (tmp_path / "metrics.csv").write_text("mine\n")
    with pytest.raises(ResultsError, match="--force"):
        export_csv(load(path), str(tmp_path))
    assert not (tmp_path / "curves.csv").exists()  # nothing written
    assert (tmp_path / "metrics.csv").read_text() == "mine\n"
    assert main(["export", str(path), "-o", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(path), "-o", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "metrics.csv").read_text().startswith("scenario,trial,metric,value\n")


def test_export_from_the_command_line(engine_files, tmp_path):
    out = subprocess.run([sys.executable, "-m", "analysis", "export", str(engine_files["one_trial"]), "--format",
                          "csv", "-o", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "curves.csv").is_file() and (tmp_path / "metrics.csv").is_file()
