"""Load and validate a Groundswell results file (layout: docs/output.md)."""

from dataclasses import dataclass, field
import os

import h5py
import numpy as np

FORMAT = "groundswell-results"

#: Curves the analysis reads, each [trials, steps + 1] (department_adopted has
#: a third axis, departments).
CURVES = ("N", "C", "A", "R")
#: Per-trial metrics the analysis reads, each [trials].
METRICS = ("final_adopted", "final_internalized", "t50", "peak_compliance", "peak_resistance")
#: Root attributes the analysis needs.
ROOT_ATTRS = ("format", "scenarios", "trials", "steps")


class ResultsError(Exception):
    """The file cannot be analysed; the message says why, in one line."""


@dataclass
class Scenario:
    """One scenario's curves and per-trial metrics, held in memory."""

    name: str
    rule: str
    description: str
    parameters: str
    departments: int
    curves: dict = field(repr=False)  # name -> float64 [trials, steps + 1]
    department_adopted: np.ndarray = field(repr=False)  # [trials, steps + 1, departments]
    metrics: dict = field(repr=False)  # name -> [trials]

    @property
    def has_sdt_states(self):
        """True when compliance or resistance ever occur (never under the classic rules)."""
        return bool(np.any(self.curves["C"] > 0) or np.any(self.curves["R"] > 0))

    @property
    def tracks_sdt_states(self):
        """True when the rule has compliance and resistance states (sdt), even if they never occur."""
        return self.rule == "sdt" or self.has_sdt_states


@dataclass
class Results:
    """A whole results file: provenance attributes and scenarios in file order."""

    path: str
    attrs: dict
    scenarios: list

    @property
    def names(self):
        return [s.name for s in self.scenarios]

    @property
    def trials(self):
        return int(self.attrs["trials"])

    @property
    def steps(self):
        return int(self.attrs["steps"])

    def scenario(self, name):
        for s in self.scenarios:
            if s.name == name:
                return s
        raise ResultsError(f"no scenario {name!r} in {self.path}; it has: {', '.join(self.names)}")

    def select(self, names=None):
        """Scenarios named in a comma-separated string or list (all when None), in the order given."""
        if names is None:
            return list(self.scenarios)
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        if not names:
            raise ResultsError("--scenarios names no scenario")
        return [self.scenario(n) for n in names]

    def color_index(self, name):
        """Position of a scenario in the file: the key for its colour in every figure."""
        return self.names.index(name)


def _plain(value):
    """An HDF5 attribute as a plain Python value (str, int, float)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
    return value


def load(path):
    """Read and check a results file; raise ResultsError with a one-line reason if it is unusable."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ResultsError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ResultsError(f"{path}: is a directory, not a results file")
    try:
        if not h5py.is_hdf5(path):
            raise ResultsError(f"{path}: not an HDF5 file (expected a Groundswell results file)")
        with h5py.File(path, "r") as f:
            return _read(path, f)
    except ResultsError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ResultsError(f"{path}: cannot read the results file ({e})") from None


def _read(path, f):
    attrs = {k: _plain(v) for k, v in f.attrs.items()}
    if attrs.get("format") != FORMAT:
        raise ResultsError(f"{path}: not a Groundswell results file (root attribute 'format' is "
                           f"{attrs.get('format', 'missing')!r}, expected {FORMAT!r})")
    missing = [a for a in ROOT_ATTRS if a not in attrs]
    if missing:
        raise ResultsError(f"{path}: missing root attribute(s): {', '.join(missing)}")
    trials, steps = int(attrs["trials"]), int(attrs["steps"])
    if trials < 1 or steps < 0:
        raise ResultsError(f"{path}: bad root attributes trials={trials}, steps={steps}")
    names = [n for n in str(attrs["scenarios"]).split(",") if n]
    if not names:
        raise ResultsError(f"{path}: the file lists no scenarios")
    scenarios = [_read_scenario(path, f, name, trials, steps) for name in names]
    return Results(path=path, attrs=attrs, scenarios=scenarios)


def _dataset(path, group, where, name, shape):
    """A dataset of the expected shape as a numpy array, or ResultsError."""
    full = f"{where}/{name}"
    if name not in group or not isinstance(group[name], h5py.Dataset):
        raise ResultsError(f"{path}: missing dataset /{full}")
    ds = group[name]
    if ds.shape != shape:
        raise ResultsError(f"{path}: dataset /{full} has shape {ds.shape}, expected {shape}")
    return ds[()]


def _read_scenario(path, f, name, trials, steps):
    where = f"scenarios/{name}"
    if where not in f:
        raise ResultsError(f"{path}: missing group /{where} (listed in the root attribute 'scenarios')")
    g = f[where]
    a = {k: _plain(v) for k, v in g.attrs.items()}
    T1 = steps + 1
    curves = {c: _dataset(path, g, where, f"curves/{c}", (trials, T1)).astype(np.float64) for c in CURVES}
    dept_ds = g.get("curves/department_adopted")
    if not isinstance(dept_ds, h5py.Dataset):
        raise ResultsError(f"{path}: missing dataset /{where}/curves/department_adopted")
    departments = int(a.get("departments", dept_ds.shape[-1] if dept_ds.ndim == 3 else 0))
    dept = _dataset(path, g, where, "curves/department_adopted", (trials, T1, departments)).astype(np.float64)
    metrics = {m: _dataset(path, g, where, f"metrics/{m}", (trials,)) for m in METRICS}
    metrics = {m: (v.astype(np.int64) if m == "t50" else v.astype(np.float64)) for m, v in metrics.items()}
    return Scenario(name=name, rule=str(a.get("rule", "")), description=str(a.get("description", "")),
                    parameters=str(a.get("parameters", "")), departments=departments,
                    curves=curves, department_adopted=dept, metrics=metrics)
