"""``python3 -m analysis export FILE --format csv [-o DIR]``: the results file as tidy long tables for R and
pandas (docs/output.md, "Reading it").

``curves.csv``: scenario, trial, week, state, share (one row per scenario, trial, week and state N, C, A, R).
``metrics.csv``: scenario, trial, metric, value (one row per scenario, trial and metric). Floats are written at
the file's float32 precision (``%.7g``); a time to 50% not reached by step T (censored, NaN in the file) is
written ``NA``, which R's ``read.csv`` and pandas' ``read_csv`` both read as missing. Existing files are never
overwritten without ``force``.
"""

import csv
import os

import numpy as np

from .results import CURVES, METRICS, METRICS_V2, ResultsError

#: The tables written, in order.
TABLES = ("curves.csv", "metrics.csv")
#: How a missing value (a censored time) is written.
MISSING = "NA"


def _number(v):
    """A value at float32 precision; NA for NaN; integers as integers."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = np.float32(v)
    # The shortest text that reads back as the same float32: exact, without float64 noise.
    return MISSING if np.isnan(f) else np.format_float_positional(f, unique=True, trim="-")


def _curve_rows(res):
    yield ("scenario", "trial", "week", "state", "share")
    for s in res.scenarios:
        shares = np.stack([s.curves[c] for c in CURVES], axis=-1).astype(np.float32)  # trials, weeks, states
        for trial in range(shares.shape[0]):
            for week in range(shares.shape[1]):
                for k, state in enumerate(CURVES):
                    yield (s.name, trial, week, state, _number(shares[trial, week, k]))


def _metric_rows(res):
    yield ("scenario", "trial", "metric", "value")
    for s in res.scenarios:
        names = [m for m in METRICS + METRICS_V2 if m in s.metrics]
        for trial in range(len(s.metrics["final_adopted"])):
            for m in names:
                yield (s.name, trial, m, _number(s.metrics[m][trial]))


def export_csv(res, directory, force=False):
    """Writes TABLES into `directory` (created if missing) and returns their paths.

    @param res: Results (analysis.results.load)
    @param force: overwrite existing tables
    @raises ResultsError: a table exists and not `force` (nothing is written then), or it cannot be written
    """
    paths = [os.path.join(directory, name) for name in TABLES]
    existing = [p for p in paths if os.path.exists(p)]
    if existing and not force:
        raise ResultsError(f"{', '.join(existing)} already exist(s); use --force to overwrite")
    try:
        os.makedirs(directory, exist_ok=True)
        for path, rows in zip(paths, (_curve_rows(res), _metric_rows(res))):
            tmp = f"{path}.tmp{os.getpid()}"
            try:
                with open(tmp, "w", newline="", encoding="utf-8") as out:
                    csv.writer(out, lineterminator="\n").writerows(rows)
                os.replace(tmp, path)  # a table under its name is always whole
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
    except OSError as e:
        raise ResultsError(f"{directory}: cannot write the CSV tables ({e.strerror or e})")
    return paths


def command(args):
    """The ``export`` subcommand."""
    from .results import load
    for path in export_csv(load(args.results), args.output, args.force):
        print(f"wrote {path}")
