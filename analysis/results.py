"""Load and validate a Groundswell results file (layout: docs/output.md)."""

from dataclasses import dataclass, field
import os

import h5py
import numpy as np

FORMAT = "groundswell-results"

#: Layout version this package writes its expectations against (docs/output.md).
FORMAT_VERSION = 2

#: Curves the analysis reads, each [trials, steps + 1] (department_adopted has
#: a third axis, departments).
CURVES = ("N", "C", "A", "R")
#: Per-trial metrics every file has, each [trials].
METRICS = ("final_internalized", "final_adopted", "t50", "peak_compliance", "peak_resistance")
#: Per-trial metrics new in format 2: required there, read from a format-1 file only if present.
METRICS_V2 = ("t50_internalized", "departments_internalized", "departments_reached")
#: Times to 50%: NaN where the trial did not reach 50% by step T (right-censored at T). Format 1 stored
#: int32 with -1 for never; reading turns every negative time into NaN, so no code sees -1 as a number.
TIMES = ("t50_internalized", "t50")
#: Causes of an entry into A (docs/output.md, attribution/entries), in the order they are stacked.
CAUSES = ("seeded", "issuer", "formalized", "internalized", "peer", "spontaneous")
#: Roles of the people credited with peer entries (attribution/credit).
ROLES = ("formal_leaders", "champions", "others")
#: Root attributes the analysis needs.
ROOT_ATTRS = ("format", "scenarios", "trials", "steps")


class ResultsError(Exception):
    """The file cannot be analysed; the message says why, in one line."""


@dataclass
class Attribution:
    """Who and what caused each entry into A (docs/output.md, attribution/); numbers of agents, float64."""

    entries: dict = field(repr=False)  # cause (CAUSES) -> [trials, steps + 1]
    entries_complying: np.ndarray = field(repr=False)  # [trials, steps + 1]
    credit: dict = field(repr=False)  # role (ROLES) -> [trials, steps + 1]; the roles sum to entries["peer"]
    by_agent: np.ndarray = field(default=None, repr=False)  # [trials, agents], only with record.credit
    agent_role: np.ndarray = field(default=None, repr=False)  # int8 [trials, agents]: 0 other, 1 leader, 2 champion


@dataclass
class Scenario:
    """One scenario's curves and per-trial metrics, held in memory.

    Times to 50% (metrics "t50_internalized", "t50") are float64 with NaN for a trial that did not reach 50%
    by step T (censored at `censored_at`). Fields new in format 2 are None when a format-1 file lacks them:
    department_internalized, active_champions, attribution, and the metrics of METRICS_V2 are then absent
    from `metrics` (never filled in: a missing t50_internalized is not "never reached").
    """

    name: str
    rule: str
    description: str
    parameters: str
    departments: int
    curves: dict = field(repr=False)  # name -> float64 [trials, steps + 1]
    department_adopted: np.ndarray = field(repr=False)  # [trials, steps + 1, departments]
    metrics: dict = field(repr=False)  # name -> [trials]
    censored_at: int = 0  # step T: a NaN time means "not reached by this step"
    department_internalized: np.ndarray = field(default=None, repr=False)  # [trials, steps + 1, departments]
    active_champions: np.ndarray = field(default=None, repr=False)  # int64 [trials, steps + 1]
    department_size: np.ndarray = field(default=None, repr=False)  # int64 [departments]
    attribution: Attribution = field(default=None, repr=False)

    @property
    def size(self):
        """Number of agents (the sum of the department sizes), or None if the file does not say."""
        if self.department_size is not None and self.department_size.size:
            return int(self.department_size.sum())
        if self.attribution is not None and self.attribution.by_agent is not None:
            return int(self.attribution.by_agent.shape[1])
        return None

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
    def format_version(self):
        """Layout version of the file (1 when the attribute is missing, as in the earliest files)."""
        return int(self.attrs.get("format_version", 1))

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
    except (OSError, KeyError, ValueError, TypeError, IndexError, AttributeError) as e:
        raise damaged(path, f"cannot read it ({e})") from None


def damaged(path, what, kind="results"):
    """The error for a file that is ours but truncated or inconsistent (a dataset missing, short, of another
    type or shape): ResultsError "PATH: damaged or incomplete KIND file: WHAT"."""
    return ResultsError(f"{path}: damaged or incomplete {kind} file: {what}")


def checked(path, node, where, name, shape, kind="results"):
    """node[name] as a numpy array, after checking that it is a numeric dataset of `shape` (None in `shape`
    takes any length); the error of damaged() otherwise."""
    full = f"{where}/{name}" if where else name
    ds = node.get(name) if isinstance(node, h5py.Group) else None
    if not isinstance(ds, h5py.Dataset):
        raise damaged(path, f"missing dataset /{full}", kind)
    if len(ds.shape) != len(shape) or any(e is not None and a != e for a, e in zip(ds.shape, shape)):
        raise damaged(path, f"dataset /{full} has shape {ds.shape}, expected {tuple(shape)}", kind)
    if ds.dtype.kind not in "fiub":
        raise damaged(path, f"dataset /{full} has type {ds.dtype}, expected numbers", kind)
    return ds[()]


def _read(path, f):
    attrs = {k: _plain(v) for k, v in f.attrs.items()}
    if attrs.get("format") != FORMAT:
        raise ResultsError(f"{path}: not a Groundswell results file (root attribute 'format' is "
                           f"{attrs.get('format', 'missing')!r}, expected {FORMAT!r})")
    missing = [a for a in ROOT_ATTRS if a not in attrs]
    if missing:
        raise damaged(path, f"missing root attribute(s): {', '.join(missing)}")
    trials, steps = int(attrs["trials"]), int(attrs["steps"])
    if trials < 1 or steps < 0:
        raise damaged(path, f"bad root attributes trials={trials}, steps={steps}")
    names = [n for n in str(attrs["scenarios"]).split(",") if n]
    if not names:
        raise damaged(path, "the file lists no scenarios")
    version = int(attrs.get("format_version", 1))
    scenarios = [_read_scenario(path, f, name, trials, steps, version) for name in names]
    return Results(path=path, attrs=attrs, scenarios=scenarios)


def _dataset(path, group, where, name, shape):
    """A numeric dataset of the expected shape as a numpy array, or ResultsError (see checked)."""
    return checked(path, group, where, name, shape)


def _optional(path, group, where, name, shape, required):
    """Like _dataset, but None when the dataset is absent and not required."""
    if not required and name not in group:
        return None
    return _dataset(path, group, where, name, shape)


def _times(values):
    """Times to 50% as float64 with NaN for not reached (format 1's -1, or any negative, is not reached)."""
    t = np.asarray(values, dtype=np.float64)
    t[t < 0] = np.nan
    return t


def _read_scenario(path, f, name, trials, steps, version):
    where = f"scenarios/{name}"
    if where not in f:
        raise damaged(path, f"missing group /{where} (listed in the root attribute 'scenarios')")
    g = f[where]
    a = {k: _plain(v) for k, v in g.attrs.items()}
    T1 = steps + 1
    v2 = version >= 2
    curves = {c: _dataset(path, g, where, f"curves/{c}", (trials, T1)).astype(np.float64) for c in CURVES}
    dept_ds = g.get("curves/department_adopted")
    if not isinstance(dept_ds, h5py.Dataset):
        raise damaged(path, f"missing dataset /{where}/curves/department_adopted")
    departments = int(a.get("departments", dept_ds.shape[-1] if dept_ds.ndim == 3 else 0))
    dept = _dataset(path, g, where, "curves/department_adopted", (trials, T1, departments)).astype(np.float64)
    dept_int = _optional(path, g, where, "curves/department_internalized", (trials, T1, departments), v2)
    champions = _optional(path, g, where, "curves/active_champions", (trials, T1), v2)
    size = _optional(path, g, where, "department_size", (departments,), False)

    metrics = {}
    for m in METRICS + METRICS_V2:
        value = _optional(path, g, where, f"metrics/{m}", (trials,), v2 or m in METRICS)
        if value is None:
            continue
        if m in TIMES:
            metrics[m] = _times(value)
        elif m.startswith("departments_"):
            metrics[m] = value.astype(np.int64)
        else:
            metrics[m] = value.astype(np.float64)
    censored_at = _plain(g["metrics/t50"].attrs.get("censored_at", steps))

    return Scenario(name=name, rule=str(a.get("rule", "")), description=str(a.get("description", "")),
                    parameters=str(a.get("parameters", "")), departments=departments,
                    curves=curves, department_adopted=dept, metrics=metrics, censored_at=int(censored_at),
                    department_internalized=None if dept_int is None else dept_int.astype(np.float64),
                    active_champions=None if champions is None else champions.astype(np.int64),
                    department_size=None if size is None else size.astype(np.int64),
                    attribution=_read_attribution(path, g, where, trials, T1))


def _read_attribution(path, g, where, trials, T1):
    """The attribution/ group, or None when the scenario has none (files written before format 2)."""
    if "attribution" not in g:
        return None
    where = f"{where}/attribution"
    at = g["attribution"]
    as64 = lambda name: _dataset(path, at, where, name, (trials, T1)).astype(np.float64)  # noqa: E731
    entries = {c: as64(f"entries/{c}") for c in CAUSES}
    credit = {r: as64(f"credit/{r}") for r in ROLES}
    by_agent = role = None
    if "credit/by_agent" in at:
        ds = at["credit/by_agent"]
        if ds.ndim != 2 or ds.shape[0] != trials:
            raise damaged(path, f"dataset /{where}/credit/by_agent has shape {ds.shape}, expected ({trials}, agents)")
        by_agent = checked(path, at, where, "credit/by_agent", ds.shape).astype(np.float64)
        role = _dataset(path, at, where, "credit/agent_role", ds.shape).astype(np.int8)
    return Attribution(entries=entries, entries_complying=as64("entries_complying"), credit=credit,
                       by_agent=by_agent, agent_role=role)
