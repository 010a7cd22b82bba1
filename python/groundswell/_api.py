"""Experiments, runs and results (docs/python.md)."""
import os
from collections.abc import Mapping

import numpy as np

from . import _groundswell as _native


def _plain(value):
    """Mappings as dicts and other sequences as lists, all the way down (what the engine reads)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Experiment:
    """A validated experiment: scenarios, trials, steps and seed, as a scenario file gives them.

    Never changed in place: with_overrides() and with_organization() return
    new experiments. Make one with Experiment.from_file() or
    Experiment.from_dict().
    """

    __slots__ = ("_x", "_keep")

    def __init__(self, native, keep=()):
        self._x = native
        self._keep = tuple(keep)  # temporary tables the experiment reads (with_organization)

    @classmethod
    def from_file(cls, path):
        """Reads a TOML scenario file (scenarios/, docs/model.md).

        Raises InputError naming the file, line, key and allowed range for any
        syntax error, unknown key, wrong type or out-of-range value.
        """
        return cls(_native._Experiment.from_file(os.fspath(path)))

    @classmethod
    def from_dict(cls, table, base_dir=None):
        """An experiment from a dict laid out as a scenario file.

        Keys, checks and error messages are the scenario file's (the same
        parser reads it): e.g. {"rule": "sdt", "experiment": {"trials": 20,
        "steps": 52}, "organization": {"size": 300}, "scenario": [{"name":
        "baseline"}, {"name": "top_down", "mandate": {"issuers": "top"}}]}.
        Relative file paths resolve against base_dir (default: the current
        directory). The dict's TOML text is kept as the source text (the
        results file's scenario_text). Raises InputError.
        """
        if not isinstance(table, Mapping):
            raise TypeError("Experiment.from_dict takes a dict laid out as a scenario file, not %s" % type(table).__name__)
        base = os.path.abspath(os.fspath(base_dir) if base_dir is not None else os.getcwd())
        return cls(_native._Experiment.from_dict(_plain(table), base, "Experiment.from_dict"))

    def with_overrides(self, overrides):
        """A new experiment with scenario keys changed, as `--set KEY=VALUE` changes them.

        overrides: {"champions.count": 40, "distributed.mandate.half_life":
        26, ...}: KEY in every scenario, NAME.KEY in scenario NAME only.
        Values are checked as in the file; results record them (overrides,
        each scenario's parameters). Raises InputError.
        """
        pairs = list(overrides.items()) if isinstance(overrides, Mapping) else list(overrides)
        return Experiment(self._x.with_overrides([(str(k), v) for k, v in pairs]), self._keep)

    def with_organization(self, organization, directory=None):
        """A new experiment whose every scenario runs on `organization` (an Organization).

        The organization is written as node and edge tables (MODEL.md 2.3)
        into `directory`, or a temporary directory that lives as long as the
        experiment, and each scenario's [organization] becomes generator =
        "file" with those tables (a results file records their paths).
        """
        from ._organization import Organization

        if not isinstance(organization, Organization):
            raise TypeError("with_organization takes an Organization, not %s" % type(organization).__name__)
        keep = list(self._keep)
        if directory is None:
            import tempfile

            tmp = tempfile.TemporaryDirectory(prefix="groundswell-organization-")
            keep.append(tmp)
            directory = os.path.join(tmp.name, "organization")
        directory = os.path.abspath(os.fspath(directory))
        organization.save(directory, force=True)
        native = self._x.with_organization_tables(os.path.join(directory, "nodes.csv"), os.path.join(directory, "edges.csv"))
        return Experiment(native, keep)

    @property
    def name(self):
        """experiment.name."""
        return self._x.name

    @property
    def seed(self):
        """experiment.seed."""
        return self._x.seed

    @property
    def trials(self):
        """experiment.trials: trials per scenario."""
        return self._x.trials

    @property
    def steps(self):
        """experiment.steps: steps per trial (curves have steps + 1 points)."""
        return self._x.steps

    @property
    def scenarios(self):
        """The scenario names, in file order."""
        return list(self._x.scenario_names)

    @property
    def source_text(self):
        """The scenario file's text (from_dict: the dict as TOML)."""
        return self._x.source_text

    @property
    def overrides(self):
        """The `--set` texts of with_overrides(), one a line."""
        return self._x.overrides

    def parameters(self, scenario):
        """Every key scenario `scenario` (a name) sets, as {"section.key": "value"} (a results file's parameters)."""
        return dict(self._x.scenario_parameters(self._index(scenario)))

    def _index(self, scenario):
        names = self.scenarios
        if scenario not in names:
            raise KeyError("no scenario %r (has: %s)" % (scenario, ", ".join(names)))
        return names.index(scenario)

    def __repr__(self):
        return "<groundswell.Experiment %r: %d scenarios (%s) x %d trials x %d steps, seed %d>" % (
            self.name, len(self.scenarios), ", ".join(self.scenarios), self.trials, self.steps, self.seed)


class ScenarioResults:
    """The results of one scenario: numpy arrays, one row per trial.

    curves       {"A", "C", "N", "R", "mean_autonomy", ...}: float32 [trials, steps + 1]
    metrics      {"final_internalized", "t50", ...}: [trials] (times: NaN if censored)
    departments  {"internalized", "adopted"}: float32 [trials, steps + 1, departments],
                 "size" and "name": [departments]
    attribution  {"entries/peer", "credit/champions", ...}: float32 [trials, steps + 1]
    arrays       every dataset by its path in the results file ("curves/A", ...)
    info         {path: (dimensions, units, description)}
    The names and meanings are those of docs/output.md.
    """

    def __init__(self, name, rule, description, arrays, info, department_size, department_name):
        self.name = name
        self.rule = rule
        self.description = description
        self.arrays = arrays
        self.info = info
        self.curves = {p[len("curves/"):]: a for p, a in arrays.items()
                       if p.startswith("curves/") and not p.startswith("curves/department_")}
        self.metrics = {p[len("metrics/"):]: a for p, a in arrays.items() if p.startswith("metrics/")}
        self.attribution = {p[len("attribution/"):]: a for p, a in arrays.items() if p.startswith("attribution/")}
        self.departments = {"size": department_size, "name": department_name}
        for key in ("internalized", "adopted"):
            if "curves/department_" + key in arrays:
                self.departments[key] = arrays["curves/department_" + key]

    def __repr__(self):
        a = self.curves["A"]
        return "<groundswell.ScenarioResults %r: %d trials x %d steps>" % (self.name, a.shape[0], a.shape[1] - 1)


class Results(Mapping):
    """The results of run(): a mapping from scenario name to ScenarioResults.

    results.summary() is the table `groundswell run` prints; save() writes its
    results file; to_xarray() gives labelled arrays (needs xarray).
    """

    def __init__(self, native):
        self._r = native
        self.experiment = Experiment(native.experiment)
        self._scenarios = {}

    @property
    def scenarios(self):
        """The scenario names that ran, in file order."""
        return self.experiment.scenarios

    @property
    def trials(self):
        return self.experiment.trials

    @property
    def steps(self):
        return self.experiment.steps

    @property
    def seed(self):
        return self.experiment.seed

    @property
    def threads(self):
        """Worker threads used (the results do not depend on it)."""
        return self._r.threads

    @property
    def seconds(self):
        """Wall-clock time of the run."""
        return self._r.seconds

    def __getitem__(self, name):
        if name not in self._scenarios:
            i = self.experiment._index(name)
            arrays, info = {}, {}
            for path, array, dims, units, description in self._r.datasets(i):
                arrays[path] = array
                info[path] = (tuple(dims), units, description)
            x = self.experiment._x
            self._scenarios[name] = ScenarioResults(
                name, x.scenario_rule(i), x.scenario_description(i), arrays, info,
                self._r.department_size(i), list(self._r.department_name(i)))
        return self._scenarios[name]

    def __iter__(self):
        return iter(self.scenarios)

    def __len__(self):
        return len(self.scenarios)

    def summary(self):
        """The summary table of `groundswell run`: internalized and adopted shares with 95% intervals, median weeks to 50%."""
        return self._r.summary()

    def save(self, path, force=False):
        """Writes the results file of `groundswell run` (docs/output.md) to `path`.

        Written under a temporary name and renamed when complete; an existing
        file is replaced only with force=True, and never an input of the run.
        Raises InputError for an output that cannot be used, OSError-like
        RuntimeError for a write that fails (nothing is left then).
        """
        self._r.save(os.fspath(path), bool(force))

    def to_xarray(self, scenario=None):
        """Labelled arrays (xarray.Dataset; needs xarray).

        With `scenario` (a name): that scenario's datasets with dimensions
        trial, week, department (labelled by department_name) and agent. Without:
        every scenario along a `scenario` dimension; the datasets per
        department are included when every scenario has the same departments,
        those per agent when every scenario has them.
        Variables are named by their path in the results file with "/" as "_"
        ("curves_A", "metrics_t50", "attribution_entries_peer").
        """
        import xarray as xr

        def dataset(name):
            s = self[name]
            variables = {}
            for path, array in s.arrays.items():
                dims, units, description = s.info[path]
                variables[path.replace("/", "_")] = (dims, array, {"units": units, "description": description})
            coords = {"trial": np.arange(self.trials), "week": np.arange(self.steps + 1),
                      "department": np.arange(len(s.departments["name"])),
                      "department_name": ("department", np.array(s.departments["name"], dtype=object)),
                      "department_size": ("department", s.departments["size"])}
            return xr.Dataset(variables, coords=coords, attrs={"scenario": name, "rule": s.rule,
                                                                "description": s.description})

        attrs = {"experiment": self.experiment.name, "seed": self.seed, "trials": self.trials, "steps": self.steps}
        if scenario is not None:
            ds = dataset(scenario)
            ds.attrs.update(attrs)
            return ds
        parts = [dataset(n) for n in self.scenarios]
        first = parts[0]
        same_departments = all(list(p["department_name"].values) == list(first["department_name"].values) and
                               np.array_equal(p["department_size"].values, first["department_size"].values)
                               for p in parts)
        variables = {}
        for var in first.data_vars:
            dims = first[var].dims
            if ("department" in dims and not same_departments) or any(
                    var not in p.data_vars or p[var].shape != first[var].shape for p in parts):
                continue  # departments that differ, or a dataset some scenarios lack (record.credit)
            variables[var] = (("scenario",) + dims, np.stack([p[var].values for p in parts]), first[var].attrs)
        coords = {"scenario": list(self.scenarios), "trial": first["trial"].values, "week": first["week"].values}
        if same_departments:
            for c in ("department", "department_name", "department_size"):
                coords[c] = first[c].variable
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def __repr__(self):
        return "<groundswell.Results %r: %d scenarios x %d trials x %d steps, seed %d>\n%s" % (
            self.experiment.name, len(self), self.trials, self.steps, self.seed, self.summary())


def run(experiment, trials=None, seed=None, threads=None, scenarios=None, *, organization=None, progress=None):
    """Runs an experiment with the engine of `groundswell run` and returns its Results in memory.

    experiment    an Experiment, or a scenario file's path, or a dict for Experiment.from_dict
    trials, seed  override experiment.trials and experiment.seed (as --trials, --seed)
    threads       worker threads (default: every core); the results never depend on it
    scenarios     a name or a list of names: run only those (as --scenario), same bits
    organization  an Organization to run every scenario on (Experiment.with_organization)
    progress      called as progress(trials_done, trials) after each batch of trials

    The same seed gives the same bits as `groundswell run`. The GIL is
    released while the engine runs; Ctrl-C (or Jupyter's interrupt) stops it
    at the next step and raises KeyboardInterrupt, keeping nothing. Raises
    InputError for bad input (naming the source, the key and the fix).
    """
    if isinstance(experiment, (str, os.PathLike)):
        experiment = Experiment.from_file(experiment)
    elif isinstance(experiment, Mapping):
        experiment = Experiment.from_dict(experiment)
    elif not isinstance(experiment, Experiment):
        raise TypeError("run takes an Experiment, a scenario file's path or a dict, not %s" % type(experiment).__name__)
    if organization is not None:
        experiment = experiment.with_organization(organization)
    if isinstance(scenarios, str):
        scenarios = [scenarios]
    elif scenarios is not None:
        scenarios = [str(s) for s in scenarios]
    for name, value in (("trials", trials), ("seed", seed), ("threads", threads)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))):
            raise TypeError("run: %s must be an integer or None, not %s" % (name, type(value).__name__))
    if seed is not None and not 0 <= int(seed) < 2**64:
        raise _native.InputError("run: seed = %d is out of range: allowed [0, 2^64 - 1]" % int(seed))
    native = _native.run(experiment._x, None if trials is None else int(trials), None if seed is None else int(seed),
                         None if threads is None else int(threads), scenarios, progress)
    results = Results(native)
    results.experiment._keep = experiment._keep  # the tables it read stay while the results do
    return results
