"""The walkthrough notebook runs top to bottom at a small size."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the dev extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the dev extra")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "market_making.ipynb"
SMALL = "PATHS = 6\nSTUDY_PATHS = 8\nSTUDY_RESAMPLES = 100\n"


def test_notebook_stored_without_outputs():
    """The notebook is committed clean: no outputs, no execution counts."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert any("parameters" in c.metadata.get("tags", []) for c in code)


def test_notebook_executes_at_small_size(tmp_path, monkeypatch):
    """Every cell runs without error in a kernel on this interpreter, with the sizes made small."""
    # A kernelspec of our own, first on JUPYTER_PATH, so the kernel is this venv's python whatever else is
    # installed on the machine.
    spec_dir = tmp_path / "kernels" / "mmsim-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "mmsim test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(SMALL))
    client = nbclient.NotebookClient(nb, kernel_name="mmsim-test", timeout=300,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 6  # the four simulation figures, the attribution and the markouts
    assert any("Findings" in o.get("data", {}).get("text/markdown", "") for o in outputs)
