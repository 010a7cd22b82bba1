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
                continue  # departments that differ, or a dataset some scenarios lack (record.credit, .attribution)
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


class Recommendation:
    """The result of recommend(): the change agents chosen, in order, and how they compare (docs/recommend.md).

    picks        [{agent, label, department, level, formal_leader, listeners, required, gain, value}, ...]
    recommended  the set's objective on fresh trials: {mean, low, high, n} (95% interval)
    rules        the five selection rules with the same count, on the same fresh trials, paired:
                 [{rule, value, difference}, ...]
    curve        with `curve`: [{rule, counts, value, at_target, reaches}, ...]
    key_people   with `key_people`: [{..., loss}, ...]; credited: [{..., champion_share, credit}, ...]
    report() is the text `groundswell recommend` prints; save() writes its file.
    """

    def __init__(self, native):
        self._r = native
        self.experiment = Experiment(native.experiment)
        for key, value in native.as_dict().items():
            setattr(self, key, value)

    def report(self):
        """The report of `groundswell recommend`: the picks, the comparison, the curve and the key people."""
        return self._r.report()

    def save(self, path, force=False):
        """Writes the recommendation file of `groundswell recommend -o` (docs/recommend.md); force replaces one."""
        self._r.save(os.fspath(path), bool(force))

    def __str__(self):
        return self.report()

    def __repr__(self):
        return "<groundswell.Recommendation %r: %s>" % (self.scenario, ", ".join(p["label"] for p in self.picks))


def _whole(name, value, low=0):
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError("recommend: %s must be an integer, not %s" % (name, type(value).__name__))
    if not low <= int(value) < 2**32:
        raise _native.InputError("recommend: %s = %d is out of range: allowed [%d, 2^32 - 1]" % (name, value, low))
    return int(value)


def _people(value):
    if value is None:
        return ""
    if isinstance(value, (str, int, np.integer)):
        value = [value]
    return ",".join(str(v) for v in value)


def recommend(experiment, count, *, scenario=None, objective="internalized", horizon=None, trials=None,
              test_trials=None, seed=None, candidates=None, exclude=None, require=None, max_per_department=None,
              formal_only=False, informal_only=False, plain_greedy=False, curve=None, target=None, key_people=0,
              threads=None, progress=None):
    """Chooses `count` change agents for a scenario, as `groundswell recommend` does, and returns a Recommendation.

    Greedy with lazy evaluation (CELF) over trials with common random numbers, to maximize `objective`
    ("internalized", "adopted", "t50" or "area") at `horizon` (default: the last week), then checked against
    the five selection rules on fresh trials not used for choosing (docs/recommend.md).

    scenario            the scenario (default: the first with champions)
    trials, test_trials choosing trials and fresh ones (defaults: experiment.trials, as many)
    candidates          None (everyone; the 200 most listened to in a larger organization), "all", an integer N
                        (the N most listened to) or a list of ids
    exclude, require    ids (the data's, or agent numbers) never chosen / chosen first
    max_per_department, formal_only, informal_only   constraints; plain_greedy: no lazy evaluation
    curve               (from, to, step): the objective against the count for every rule
    target              (share, week), e.g. (0.5, 52): the smallest count reaching it (needs curve)
    key_people          rank this many people whose departure costs most
    threads, seed       as for run(); progress(line) receives the command's progress lines
    The same seed gives the command's result. Ctrl-C raises KeyboardInterrupt; bad input raises InputError.
    """
    if isinstance(experiment, (str, os.PathLike)):
        experiment = Experiment.from_file(experiment)
    elif not isinstance(experiment, Experiment):
        raise TypeError("recommend takes an Experiment or a scenario file's path, not %s" % type(experiment).__name__)
    a = _native._RecommendArgs()
    a.count = _whole("count", count, 1)
    a.scenario = "" if scenario is None else str(scenario)
    a.objective = str(objective)
    a.horizon = _whole("horizon", horizon)
    a.trials = _whole("trials", trials)
    a.test_trials = _whole("test_trials", test_trials)
    a.max_per_department = _whole("max_per_department", max_per_department)
    a.key_people = _whole("key_people", key_people)
    a.threads = _whole("threads", threads)
    if candidates is None or candidates == "all":
        a.candidates = candidates or ""
    elif isinstance(candidates, (int, np.integer)) and not isinstance(candidates, bool):
        a.candidates = "top:%d" % _whole("candidates", candidates, 1)
    else:
        a.candidates = _people(candidates)
    a.exclude, a.require = _people(exclude), _people(require)
    a.formal_only, a.informal_only, a.plain_greedy = bool(formal_only), bool(informal_only), bool(plain_greedy)
    if curve is not None:
        a.curve = ":".join(str(_whole("curve", v)) for v in curve)
    if target is not None:
        share, week = target
        a.target = "%r@%d" % (float(share), _whole("target week", week))
    if seed is not None and (isinstance(seed, bool) or not 0 <= int(seed) < 2**64):
        raise _native.InputError("recommend: seed = %r is out of range: allowed [0, 2^64 - 1]" % (seed,))
    return Recommendation(_native.recommend(experiment._x, a, None if seed is None else int(seed), progress))


class Calibration:
    """The result of calibrate(): the ABC posterior of a rule's free parameters (docs/calibration.md).

    parameters        the free parameters' keys ("bass.q", ...)
    median, lower, upper   weighted 50%, 5% and 95% quantiles, one per parameter
    posterior         numpy [particles, parameters]: the last generation's samples; weights: their weights
    generations       [{epsilon, attempts, samples, weights, distances}, ...]
    observed_curve, predictive_curves   the observed cumulative share and the posterior predictive curves
                      [draws, steps + 1]; fit: RMSE of the predictive mean to the observed curve
    report() is the text `groundswell calibrate` prints; save() writes its file.
    """

    def __init__(self, native):
        self._c = native
        self.experiment = Experiment(native.experiment)
        for key, value in native.as_dict().items():
            setattr(self, key, value)
        last = self.generations[-1] if self.generations else {"samples": None, "weights": None}
        self.posterior, self.weights = last["samples"], last["weights"]

    def report(self):
        """The report of `groundswell calibrate`: posterior medians with 90% intervals, the fit."""
        return self._c.report()

    def save(self, path, force=False):
        """Writes the calibration file of `groundswell calibrate -o` (docs/calibration.md); force replaces one."""
        self._c.save(os.fspath(path), bool(force))

    def __str__(self):
        return self.report()

    def __repr__(self):
        return "<groundswell.Calibration of %s: %s>" % (", ".join(self.parameters), ", ".join(
            "%s %.4g [%.4g, %.4g]" % (k, m, lo, hi) for k, m, lo, hi in
            zip(self.parameters, self.median, self.lower, self.upper)))


def calibrate(file, overrides=None, threads=None, progress=None):
    """Fits the free parameters of a calibration file by ABC, as `groundswell calibrate FILE` does.

    file        a calibration file: a scenario file with [observed], [[parameter]] priors, [abc] (docs/calibration.md)
    overrides   {key: value} changed in its scenario as `--set` does (a free parameter is refused)
    threads     worker threads (default: every core); the result never depends on it
    progress    progress(line) receives the command's line per generation
    The same file gives the command's posterior bit for bit. Ctrl-C raises KeyboardInterrupt; bad input raises
    InputError.
    """
    pairs = [] if overrides is None else (list(overrides.items()) if isinstance(overrides, Mapping)
                                          else list(overrides))
    n = 0 if threads is None else _whole("threads", threads, 1)
    return Calibration(_native.calibrate(os.fspath(file), [(str(k), v) for k, v in pairs], n, progress))


def _pairs(overrides):
    pairs = [] if overrides is None else (list(overrides.items()) if isinstance(overrides, Mapping)
                                          else list(overrides))
    return [(str(k), v) for k, v in pairs]


class ObservedRecord:
    """The observed record a calibration file fits, as run_calibration reads it (docs/calibration.md).

    experiment    the Experiment of the file's scenario (overrides applied)
    organization  the Organization the calibration simulates: trial 0's, without the unrecorded agents
                  when observed.unrecorded = "drop"
    time          numpy int32 [agents]: the observed step 1..steps, steps + 1 for never, -1 for missing
                  (a code of observed.missing, no row, or every agent with observed.curve)
    role          numpy uint8 [agents]: 0 out of the distance, 1 fitted, 2 held out ([holdout])
    steps         T (experiment.steps)
    ids           the agents' ids (the organization's, or "0".."N-1")
    fit, holdout, missing, never, dropped   counts: fitted, held out, read without a time, never adopted,
                  removed by unrecorded = "drop"
    unrecorded    "simulate" or "drop"
    """

    def __init__(self, native):
        from ._organization import Organization

        for key, value in native.items():
            setattr(self, key, value)
        self.experiment = Experiment(native["experiment"])
        self.organization = Organization(native["organization"])

    def __len__(self):
        return len(self.time)

    def __repr__(self):
        return ("<groundswell.ObservedRecord: %d agents, %d fitted, %d held out, %d never, %d missing, %d dropped; "
                "%d steps>" % (len(self.time), self.fit, self.holdout, self.never, self.missing, self.dropped,
                               self.steps))


def observed_record(file, overrides=None):
    """The observed record of a calibration file, read by the code `groundswell calibrate` fits it with.

    file        a calibration file (docs/calibration.md)
    overrides   {key: value} as calibrate() takes them: scenario keys (a free parameter is refused) and
                "observed.unrecorded" ("simulate" or "drop")
    Returns an ObservedRecord. Raises InputError with the command's message for a fault of the file, the
    observed table or the network.
    """
    return ObservedRecord(_native.observed_record(os.fspath(file), _pairs(overrides)))


def adoption_times(file_or_experiment, trials=1, seed=None, overrides=None, threads=None, *, scenario=None):
    """Each agent's simulated adoption step, by the engine as a calibration simulates a particle.

    file_or_experiment  a calibration file (its scenario and steps, on the organization observed_record()
                        gives, so columns match its time) or an Experiment (trial k on trial k's organization,
                        as run() builds it; `scenario` names one when it has several)
    trials      trials to simulate; trial k is keyed (seed, k) as in calibrate and run, so trial k has the
                same bits whatever `trials` and `threads` are
    seed        the experiment seed (default: the file's or experiment's experiment.seed)
    overrides   {key: value} of scenario keys (free parameters too: this is how to simulate at known
                parameter values) and, for a file, "observed.unrecorded"
    threads     worker threads (default: every core); never changes a result
    Returns numpy int32 [trials, agents]: the first step in A (or C), 0 for the seeds, steps + 1 if never.
    Ctrl-C raises KeyboardInterrupt; bad input raises InputError.
    """
    trials = _whole("trials", trials, 1)
    n = 0 if threads is None else _whole("threads", threads, 1)
    if seed is not None and (isinstance(seed, bool) or not 0 <= int(seed) < 2**64):
        raise _native.InputError("adoption_times: seed = %r is out of range: allowed [0, 2^64 - 1]" % (seed,))
    s = None if seed is None else int(seed)
    if isinstance(file_or_experiment, Experiment):
        x = file_or_experiment
        if overrides:
            x = x.with_overrides(overrides)
        names = x.scenarios
        if scenario is None:
            if len(names) != 1:
                raise _native.InputError("adoption_times: the experiment has %d scenarios (%s); name one with "
                                         "scenario=" % (len(names), ", ".join(names)))
            index = 0
        else:
            index = x._index(scenario)
        return _native.adoption_times_of_experiment(x._x, index, trials, s, n)
    if scenario is not None:
        raise _native.InputError("adoption_times: scenario= is for an Experiment; a calibration file has one "
                                 "scenario")
    return _native.adoption_times_of_file(os.fspath(file_or_experiment), _pairs(overrides), trials, s, n)


class Sweep:
    """What sweep() did: the sweep file written (docs/sweeps.md) and the design's points.

    output      the sweep file (read it with h5py, or `python3 -m analysis sweep OUTPUT`)
    design      "grid", "lhs" or "saltelli"; parameters: the swept keys; values: numpy [points, parameters]
    points, computed, reused   points of the run, computed now, reused from OUTPUT.parts/ (resume)
    """

    def __init__(self, outcome):
        for key, value in outcome.items():
            setattr(self, key, value)

    def __repr__(self):
        return "<groundswell.Sweep %s: %s design over %s, %d points (%d computed, %d reused)>" % (
            self.output, self.design, ", ".join(self.parameters), self.points, self.computed, self.reused)


def sweep(file, output, overrides=None, *, shard=None, threads=None, force=False, resume=False, progress=None):
    """Runs the sweep of a scenario file with a [sweep] section, as `groundswell sweep FILE -o OUTPUT` does.

    overrides   {key: value} set in every point after its swept values, as `--set` (a swept key is refused)
    shard       "I/N": only shard I of N (merge the shards with `groundswell merge`)
    threads     worker threads (default: every core); the file never depends on it
    force       replace an existing output (and its parts); resume: finish an interrupted sweep
    progress    progress(points_done, points) after each point
    Each point is committed to OUTPUT.parts/ as it finishes: after Ctrl-C (KeyboardInterrupt) the same call
    with resume=True computes only the missing points and writes the same file. Returns a Sweep.
    """
    pairs = [] if overrides is None else (list(overrides.items()) if isinstance(overrides, Mapping)
                                          else list(overrides))
    n = 0 if threads is None else _whole("threads", threads, 1)
    outcome = _native.sweep(os.fspath(file), os.fspath(output), [(str(k), v) for k, v in pairs],
                            "" if shard is None else str(shard), n, bool(force), bool(resume), progress)
    return Sweep(outcome)
