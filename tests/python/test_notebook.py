"""examples/leadership.ipynb runs headless, start to end, without an error (issue 20).

Executed with nbclient (Debian's python3-nbclient, the engine of `jupyter nbconvert --execute`) on the
ipykernel of this interpreter, from examples/, with the module of $GROUNDSWELL_PYTHON_DIR (scripts/test sets
it) or build/python. Skipped, saying why, only if the module was not built, nbclient is missing, or the
Krackhardt data set the notebook reads in place (../shared/data beside the repository) is not there.
"""
import os
from pathlib import Path

import pytest

from conftest import REPO
from test_module import MODULE_DIR  # skips this file too when the module was not built

NOTEBOOK = REPO / "examples" / "leadership.ipynb"
KRACKHARDT = REPO.parent / "shared" / "data" / "raw" / "krackhardt-hightech" / "HighTech.paj"  # as the notebook


def test_leadership_notebook_runs(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="python3-nbformat is needed to run the notebook")
    nbclient = pytest.importorskip("nbclient", reason="python3-nbclient is needed to run the notebook")
    pytest.importorskip("ipykernel", reason="python3-ipykernel is needed to run the notebook")
    if not KRACKHARDT.is_file():
        pytest.skip(f"the notebook reads {KRACKHARDT}, which is not there (the data sets beside the repository)")
    monkeypatch.setenv("GROUNDSWELL_PYTHON_DIR", str(MODULE_DIR))
    monkeypatch.setenv("MPLBACKEND", "agg")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.output_type == "display_data" and "image/png" in o.get("data", {}))
    assert figures >= 4
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Krackhardt" in NOTEBOOK.read_text() and "21 agents" in text
    (tmp_path / "executed.ipynb").write_text(nbformat.writes(nb))
