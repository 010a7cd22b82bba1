#!/usr/bin/python3
"""The cost of driving the engine from Python (issue 20: under 5% of a W1-sized run). Never part of the tests.

    /usr/bin/python3 benchmarks/python_overhead.py [--build DIR] [--trials N] [--repeats R] [--threads T]

Runs W1 (benchmarks/scenarios/org10k.toml: 10,000 agents, 104 weeks, 200 trials unless --trials) in turns:
  cli      `groundswell run ... -o OUT.h5` (process start, engine, HDF5 file), wall time of the process;
  module   gs.run(x) in this interpreter (engine, results kept as numpy-ready arrays in memory);
  +save    gs.run(x) and results.save(OUT.h5): the same work as the command, from Python;
  +arrays  gs.run(x) and every scenario's arrays as numpy (results[name].arrays).
Prints the median of each over the repeats, in wall-clock time and in CPU time (user + system of every thread:
for the command from the child's rusage, for the module from this process's, so that a loaded machine
disturbs the comparison less), and the overhead against the command: (module - cli) / cli. The module's
results are the command's bits (tests/python/test_module.py).
"""
import argparse
import os
import resource
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
    cpu = {k: [] for k in times}
    conversion = []  # the arrays alone: the module's own work after the engine's

    def children():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "w1.h5")
        for _ in range(args.repeats):
            start, c0 = time.perf_counter(), children()
            subprocess.run([binary, "run", scenario, "-o", out, "--force", "-q", "--trials", str(args.trials),
                            "--threads", str(args.threads)], check=True)
            times["cli"].append(time.perf_counter() - start)
            cpu["cli"].append(children() - c0)

            start, c0 = time.perf_counter(), time.process_time()
            r = gs.run(x, trials=args.trials, threads=args.threads)
            times["module"].append(time.perf_counter() - start)
            cpu["module"].append(time.process_time() - c0)
            r.save(out, force=True)
            times["module+save"].append(time.perf_counter() - start)
            cpu["module+save"].append(time.process_time() - c0)
            del r

            start, c0 = time.perf_counter(), time.process_time()
            r = gs.run(x, trials=args.trials, threads=args.threads)
            t1 = time.perf_counter()
            for name in r:
                r[name].arrays
            times["module+arrays"].append(time.perf_counter() - start)
            cpu["module+arrays"].append(time.process_time() - c0)
            conversion.append(time.perf_counter() - t1)
            del r
    print(f"W1 org10k: 10,000 agents x {x.steps} weeks x {args.trials} trials, {args.threads} threads, "
          f"median of {args.repeats}; load average before: {os.getloadavg()[0]:.1f}")
    for label, table in (("wall", times), ("cpu", cpu)):
        cli = statistics.median(table["cli"])
        for k, v in table.items():
            m = statistics.median(v)
            extra = "" if k == "cli" else f"   {100 * (m - cli) / cli:+.1f}% against the command"
            print(f"  {label:4s} {k:14s} {m:8.2f} s  (runs: {', '.join(f'{t:.2f}' for t in v)}){extra}")
    c = statistics.median(conversion)
    print(f"  the arrays alone (numpy from the results in memory): {1000 * c:.1f} ms, "
          f"{100 * c / statistics.median(times['cli']):.3f}% of the command's wall time")


if __name__ == "__main__":
    main()
