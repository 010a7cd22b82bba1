"""Analysis of Groundswell results files (docs/output.md).

Run from the repository root: ``/usr/bin/python3 -m analysis {plot,compare,departments,attribution,report} OUT.h5 ...``;
``sweep``, ``calibration`` and ``recommend`` read the files of ``groundswell sweep``, ``calibrate`` and ``recommend``.
"""

from .results import Results, ResultsError, Scenario, load

__all__ = ["Results", "ResultsError", "Scenario", "load"]
