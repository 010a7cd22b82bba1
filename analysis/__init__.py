"""Analysis of Groundswell results files (docs/output.md).

Run from the repository root: ``/usr/bin/python3 -m analysis {plot,compare,departments,attribution,report} OUT.h5 ...``.
"""

from .results import Results, ResultsError, Scenario, load

__all__ = ["Results", "ResultsError", "Scenario", "load"]
