#!/usr/bin/python3
"""The cost of driving the engine from Python (issue 20: under 5% of a W1-sized run). Never part of the tests.

    /usr/bin/python3 benchmarks/python_overhead.py [--build DIR] [--trials N] [--repeats R] [--threads T]

Runs W1 (benchmarks/scenarios/org10k.toml: 10,000 agents, 104 weeks, 200 trials unless --trials) in turns:
  cli      `groundswell run ... -o OUT.h5` (process start, engine, HDF5 file), wall time of the process;
  module   gs.run(x) in this interpreter (engine, results kept as numpy-ready arrays in memory);
  +save    gs.run(x) and results.save(OUT.h5): the same work as the command, from Python;
  +arrays  gs.run(x) and every scenario's arrays as numpy (results[name].arrays).
Prints the median of each over the repeats and the overhead of module+save and module+arrays against the
command: (module time - cli time) / cli time. The module's results are the command's bits (tests/python).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import groundswell as gs

    scenario = os.path.join(ROOT, "benchmarks", "scenarios", "org10k.toml")
    binary = os.path.join(args.build, "sim", "groundswell")
    x = gs.Experiment.from_file(scenario)
    times = {"cli": [], "module": [], "module+save": [], "module+arrays": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "w1.h5")
        for _ in range(args.repeats):
            start = time.perf_counter()
            subprocess.run([binary, "run", scenario, "-o", out, "--force", "-q", "--trials", str(args.trials),
                            "--threads", str(args.threads)], check=True)
            times["cli"].append(time.perf_counter() - start)

            start = time.perf_counter()
            r = gs.run(x, trials=args.trials, threads=args.threads)
            times["module"].append(time.perf_counter() - start)
            r.save(out, force=True)
            times["module+save"].append(time.perf_counter() - start)
            del r

            start = time.perf_counter()
            r = gs.run(x, trials=args.trials, threads=args.threads)
            for name in r:
                r[name].arrays
            times["module+arrays"].append(time.perf_counter() - start)
            del r
    cli = statistics.median(times["cli"])
    print(f"W1 org10k: 10,000 agents x {x.steps} weeks x {args.trials} trials, {args.threads} threads, "
          f"median of {args.repeats}")
    for k, v in times.items():
        m = statistics.median(v)
        extra = "" if k == "cli" else f"   {100 * (m - cli) / cli:+.1f}% against the command"
        print(f"  {k:14s} {m:8.2f} s  (runs: {', '.join(f'{t:.2f}' for t in v)}){extra}")


if __name__ == "__main__":
    main()
