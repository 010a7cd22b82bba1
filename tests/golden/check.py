#!/usr/bin/python3
"""Golden runs (STYLE.md 11, after igraph's tests/unit/*.out): runs
`groundswell run NAME.toml` and compares every dataset of the results file,
bit for bit, with NAME.out beside it. Attributes (time, commit, paths) are
left out; the scenario text and parameters are in the datasets' meaning.

    check.py BINARY NAME            # exit 1 and the first differences if they differ
    check.py BINARY NAME --rebaseline   # write NAME.out anew (scripts/rebaseline)
"""
import difflib
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def cell(v):
    """A value written so that equal text means equal bits."""
    if isinstance(v, (float, np.floating)):
        return float(v).hex()  # exact for float32 and float64
    if isinstance(v, bytes):
        return repr(v.decode())
    if isinstance(v, np.generic):
        return repr(v.item())
    return repr(v)


def dump(path):
    lines = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            data = obj[()]
            lines.append(f"{name} {obj.dtype} {list(obj.shape)}")
            arr = np.asarray(data)
            if arr.ndim == 0:
                lines.append("  " + cell(arr[()]))
                return
            rows = arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr.reshape(-1, 1)
            for row in rows:
                lines.append("  " + " ".join(cell(v) for v in row))
        f.visititems(visit)
    return [line + "\n" for line in lines]


def main():
    binary, name = sys.argv[1], sys.argv[2]
    rebaseline = "--rebaseline" in sys.argv[3:]
    golden = os.path.join(here, name + ".out")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name + ".h5")
        # Two threads: the bits must not depend on the thread count anyway.
        subprocess.run([binary, "run", os.path.join(here, name + ".toml"), "-o", out, "--threads", "2", "-q"],
                       check=True)
        got = dump(out)
    if rebaseline:
        with open(golden, "w") as f:
            f.writelines(got)
        print(f"{golden}: written ({len(got)} lines)")
        return 0
    with open(golden) as f:
        want = f.readlines()
    if got == want:
        print(f"{name}: {len(want)} lines, identical")
        return 0
    diff = list(difflib.unified_diff(want, got, name + ".out", "this build", n=1))
    sys.stdout.writelines(diff[:60])
    print(f"{name}: the results differ from tests/golden/{name}.out ({len(diff)} diff lines). If the change is "
          "intended, run scripts/rebaseline and say why in the commit.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
