"""Command line: ``python3 -m analysis <command> RESULTS.h5 ...`` (run ``--help`` for the commands;
``sweep``, ``calibration`` and ``recommend`` read the files of ``groundswell sweep``, ``calibrate`` and
``recommend``)."""

import argparse
import sys

PROG = "python3 -m analysis"


def _plot(args):
    from . import plots
    res = _load(args.results)
    plots.save(plots.curves_figure(res, args.scenarios), args.output)
    print(f"wrote {args.output}")


def _compare(args):
    from . import stats
    res = _load(args.results)
    from .report import default_baseline
    rows = stats.compare(res, args.baseline or default_baseline(res), args.scenarios, args.bootstrap, args.seed)
    sys.stdout.write(stats.format_table(rows, args.bootstrap, args.seed, stats.absent_metrics(res), res,
                                        args.scenarios))
    if args.km:
        from . import plots
        plots.save(plots.km_figure(res, args.scenarios), args.km)
        print(f"wrote {args.km}")
    if args.csv:
        try:
            stats.write_csv(rows, args.csv)
        except OSError as e:
            raise _error(f"{args.csv}: cannot write the CSV file ({e.strerror or e})")
        print(f"wrote {args.csv}")


def _departments(args):
    from . import plots
    res = _load(args.results)
    plots.save(plots.departments_figure(res, args.scenarios, args.trial_median, args.share), args.output)
    print(f"wrote {args.output}")


def _attribution(args):
    from . import attribution
    attribution.command(args)


def _report(args):
    from . import report
    res = _load(args.results)
    report.write(res, args.output, n_boot=args.bootstrap, seed=args.seed)
    print(f"wrote {args.output}")


def _sweep(args):
    from . import sweep
    sweep.command(args)


def _calibration(args):
    if str(args.results).lower().endswith(".toml"):  # a calibration file: the likelihood fits
        from . import likelihood
        likelihood.command(args)
        return
    given = [f"--{k.replace('_', '-')}" for k in ("unrecorded", "exposure", "outside", "market", "breaks", "mcmc",
                                                     "seed") if getattr(args, k) is not None]
    if given:
        raise _error(f"{args.results}: {', '.join(given)} only apply to a calibration file (.toml), the likelihood "
                     f"report")
    from . import calibration
    calibration.command(args)


def _recommend(args):
    from . import recommend
    recommend.command(args)


def _export(args):
    from . import export
    export.command(args)


def _quantile(text):
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {value}")
    return value


def _load(path):
    from .results import load
    return load(path)


def _error(message):
    from .results import ResultsError
    return ResultsError(message)


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parser():
    """The argument parser: one subcommand per task."""
    p = argparse.ArgumentParser(prog=PROG, description="Figures, paired comparisons and reports from a "
                                "Groundswell results file (docs/output.md).")
    sub = p.add_subparsers(dest="command", required=True, metavar="command")

    def command(name, func, help):
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("results", help="results file written by 'groundswell run' (HDF5)")
        c.set_defaults(func=func)
        return c

    c = command("plot", _plot, "adoption curves per scenario (median and 5-95%% band over trials)")
    c.add_argument("-o", "--output", required=True, help="figure to write: .png, .svg or .pdf")
    c.add_argument("--scenarios", help="comma-separated scenario names (default: all)")

    c = command("compare", _compare, "paired differences of each scenario against a baseline")
    c.add_argument("--baseline", help="scenario to compare against (default: top_down if present, else the first)")
    c.add_argument("--scenarios", help="comma-separated scenario names (default: all)")
    c.add_argument("--csv", help="also write the table as CSV to this file")
    c.add_argument("--km", metavar="FIGURE", help="also write the Kaplan-Meier curves of the times to 50%% "
                   "(internalized, adopted; median marked) to this figure: .png, .svg or .pdf")
    c.add_argument("--bootstrap", type=_positive, default=2000, help="bootstrap resamples (default: 2000)")
    c.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default: 0)")

    c = command("departments", _departments, "heatmap of the internalized (or adopted) share per department "
                "and week")
    c.add_argument("-o", "--output", required=True, help="figure to write: .png, .svg or .pdf")
    c.add_argument("--scenarios", help="comma-separated scenario names (default: all)")
    c.add_argument("--trial-median", action="store_true",
                   help="show the median trial (by the final share) instead of the cell-by-cell median")
    c.add_argument("--share", choices=("internalized", "adopted"),
                   help="internalized (A) or adopted (A + C) share (default: internalized if the file has it, "
                   "else adopted)")

    c = command("attribution", _attribution, "where the internalized adoptions came from (entries into A by "
                "cause) and who got the peer credit (by role); a table, and a figure with -o")
    c.add_argument("-o", "--output", help="figure to write: .png, .svg or .pdf")
    c.add_argument("--scenarios", help="comma-separated scenario names (default: all)")

    c = command("export", _export, "tidy long tables for R and pandas: curves.csv (scenario, trial, week, state, "
                "share) and metrics.csv (scenario, trial, metric, value; NA for a censored time)")
    c.add_argument("--format", choices=("csv",), default="csv", help="table format (default: csv)")
    c.add_argument("-o", "--output", default=".", help="directory to write into (default: the current one)")
    c.add_argument("--force", action="store_true", help="overwrite existing tables")

    c = command("report", _report, "a self-contained HTML report of the experiment")
    c.add_argument("-o", "--output", required=True, help="HTML file to write")
    c.add_argument("--bootstrap", type=_positive, default=2000, help="bootstrap resamples (default: 2000)")
    c.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default: 0)")

    help = ("a sweep file (docs/sweeps.md): Sobol indices of a saltelli sweep, or a metric over two parameters "
            "(table; heatmap or response curves with -o)")
    c = sub.add_parser("sweep", help=help, description=help)
    c.add_argument("results", help="sweep file written by 'groundswell sweep' or 'groundswell merge' (HDF5)")
    c.add_argument("--scenario", help="scenario (default: the first)")
    c.add_argument("--metric", default=None, help="per-trial metric (default: final_internalized, the internalized "
                   "share A; final_adopted for adopted A + C; final_adopted in files written before model v2)")
    c.add_argument("--stat", default="mean", help="statistic over a point's trials: mean, sd, q05, q25, median, "
                   "q75, q95, or reached (t50 only) (default: mean)")
    c.add_argument("--x", help="parameter across (default: the first); with a saltelli sweep, plot instead of Sobol")
    c.add_argument("--y", help="parameter up, or one curve per value (default: the next)")
    c.add_argument("--at", action="append", metavar="NAME=VALUE", help="fix another parameter of a grid (repeatable)")
    c.add_argument("--kind", choices=("heatmap", "curves"), default="heatmap",
                   help="grid figure: heatmap, or response curves over --x, one per value of --y")
    c.add_argument("-o", "--output", help="figure to write: .png, .svg or .pdf")
    c.add_argument("--bootstrap", type=_positive, default=1000, help="bootstrap resamples for Sobol intervals (default: 1000)")
    c.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default: 0)")
    c.set_defaults(func=_sweep)

    help = ("a calibration file (docs/calibration.md): posterior medians and 90%% intervals; with -o, posterior "
            "histograms, pair plots and the posterior predictive band; with --compare, ABC model choice. Given the "
            "calibration TOML instead, the individual-level likelihood of the bass rule (docs/likelihood.md): "
            "maximum likelihood with profile intervals, LR tests, AIC/BIC, MCMC posteriors, Bayes factors")
    c = sub.add_parser("calibration", help=help, description=help)
    c.add_argument("results", help="calibration file written by 'groundswell calibrate' (HDF5), or a calibration "
                   "file (.toml) for the likelihood report")
    c.add_argument("-o", "--output", help="figure to write: .png, .svg or .pdf (likelihood report: the results as "
                   ".json or .h5)")
    c.add_argument("--unrecorded", choices=("drop", "integrate", "both"),
                   help="likelihood: drop the unrecorded agents' ties (exact), integrate over their times (MCMC), "
                   "or both (default)")
    c.add_argument("--exposure", help="likelihood: comma-separated exposure definitions, cohesion and/or "
                   "structural_equivalence (default: both)")
    c.add_argument("--outside", help="likelihood: comma-separated outside pulls p(t), constant, linear, piecewise "
                   "(default: all three)")
    c.add_argument("--breaks", help="likelihood: the steps where piecewise p_2 (and p_3) start, e.g. 8 or 6,12 "
                   "(default: 8)")
    c.add_argument("--market", help="likelihood: market potential off, on or off,on (default: off,on)")
    c.add_argument("--mcmc", type=_positive, metavar="ITERATIONS",
                   help="likelihood: MCMC iterations after a burn-in of a quarter as many (default: 1000)")
    c.add_argument("--seed", type=int, help="likelihood: seed of the MCMC (default: 0)")
    c.add_argument("--compare", nargs="+", metavar="OTHER.h5",
                   help="other calibration files of the same data: posterior model probabilities from the share of "
                   "each file's prior draws within a common tolerance")
    c.add_argument("--quantile", type=_quantile, default=0.01,
                   help="the common tolerance is this quantile of all draws' distances (default: 0.01)")
    c.set_defaults(func=_calibration)

    help = ("a recommendation file (docs/recommend.md): the chosen change agents against the five rules on fresh "
            "trials, how many each rule needs, the picks and the key people (summary; figure with -o)")
    c = sub.add_parser("recommend", help=help, description=help)
    c.add_argument("results", help="recommendation file written by 'groundswell recommend' (HDF5)")
    c.add_argument("-o", "--output", help="figure to write: .png, .svg or .pdf")
    c.set_defaults(func=_recommend)
    return p


def main(argv=None):
    """Run one command; return the exit status (2 for unusable input, with a one-line message on stderr)."""
    from .results import ResultsError
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except ResultsError as e:
        print(f"{PROG} {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
