"""The examples in the README and docs run as written."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.parametrize("doc", [d for d in DOCS if BLOCK.search(d.read_text())], ids=lambda p: p.name)
def test_python_examples_run(doc, tmp_path, monkeypatch):
    """Every ```python block of a page runs, in order, in one namespace."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"doc_{doc.stem}"}
    for i, code in enumerate(BLOCK.findall(doc.read_text())):
        exec(compile(code, f"{doc.name}[block {i}]", "exec"), namespace)


def test_strategy_guide_class_runs_from_the_command_line(tmp_path):
    """The guide's example class, saved to a file, runs through `mmsim run --strategy FILE:CLASS`."""
    code = BLOCK.findall((REPO / "docs" / "writing-a-strategy.md").read_text())[0]
    (tmp_path / "my_strategy.py").write_text(code)
    proc = subprocess.run([sys.executable, "-m", "mmsim", "run", "--strategy", "my_strategy.py:SkewedWidening",
                           "--paths", "5", "--out", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "skewed-widening" in proc.stdout
