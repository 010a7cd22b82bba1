"""Groundswell's engine in Python: run experiments, get numpy arrays, bring networkx organizations.

    import groundswell as gs
    x = gs.Experiment.from_file("scenarios/leadership.toml")
    results = gs.run(x, trials=50, seed=1)
    results["distributed"].curves["A"]      # numpy array [trials, steps + 1]
    results.save("out/leadership.h5")       # the file `groundswell run` writes

The same seed gives the same bits as `groundswell run` (docs/python.md).
Errors in the input raise InputError (a ValueError) naming the file or
source, the key and the fix.
"""
import os as _os

from ._groundswell import InputError, __version__, data_directory, git_commit, set_data_directory
from ._api import (Calibration, Experiment, ObservedRecord, Recommendation, Results, ScenarioResults, Sweep,
                   adoption_times, calibrate, observed_record, recommend, run, sweep)
from ._organization import Organization, generate


def _find_data_directory():
    """As the command finds it beside its executable (docs/data.md): the nearest shared/data/raw above this
    package (build/python/groundswell in a clone), unless GROUNDSWELL_DATA says otherwise; else, as the
    command does next, above the current directory."""
    if _os.environ.get("GROUNDSWELL_DATA"):
        return
    folder = _os.path.dirname(_os.path.abspath(__file__))
    while True:
        candidate = _os.path.join(folder, "shared", "data", "raw")
        if _os.path.isdir(candidate):
            set_data_directory(_os.path.normpath(candidate))
            return
        parent = _os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


_find_data_directory()

__all__ = [
    "Calibration",
    "Experiment",
    "InputError",
    "ObservedRecord",
    "Organization",
    "Recommendation",
    "Results",
    "ScenarioResults",
    "Sweep",
    "adoption_times",
    "calibrate",
    "data_directory",
    "generate",
    "observed_record",
    "recommend",
    "git_commit",
    "run",
    "set_data_directory",
    "sweep",
    "__version__",
]
