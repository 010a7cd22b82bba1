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
from ._groundswell import InputError, __version__, git_commit
from ._api import Experiment, Results, ScenarioResults, run
from ._organization import Organization, generate

__all__ = [
    "Experiment",
    "InputError",
    "Organization",
    "Results",
    "ScenarioResults",
    "generate",
    "git_commit",
    "run",
    "__version__",
]
