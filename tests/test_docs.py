"""The examples in the README and docs run as written: every Python block, and every `mmsim` command line."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from mmsim.cli import main
from tests.conftest import LOBSTER_DIR, REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
PYTHON = re.compile(r"```python\n(.*?)```", re.S)
SHELL = re.compile(r"```(?:bash|console)\n(.*?)```", re.S)
DATA = "../shared/data/lobster"


def commands(doc) -> list[str]:
    """The `mmsim ...` lines of a page's bash/console blocks, prompts and comments removed."""
    lines = [line.removeprefix("$ ").split("  #")[0].strip() for block in SHELL.findall(doc.read_text())
             for line in block.splitlines()]
    return [line for line in lines if line.startswith("mmsim ")]


@pytest.mark.parametrize("doc", [d for d in DOCS if PYTHON.search(d.read_text())], ids=lambda p: p.name)
def test_python_examples_run(doc):
    """Every ```python block of a page runs, in order, in one namespace (in the test's own folder, conftest)."""
    namespace: dict = {"__name__": f"doc_{doc.stem}"}
    for i, code in enumerate(PYTHON.findall(doc.read_text())):
        exec(compile(code, f"{doc.name}[block {i}]", "exec"), namespace)


@pytest.mark.parametrize("doc", [d for d in DOCS if commands(d)], ids=lambda p: p.name)
def test_command_examples_run(doc, tmp_path, capsys):
    """Every `mmsim` line of a docs page exits 0, in order, in one folder holding the files the page assumes."""
    # Those files: the LOBSTER sample (as ../shared/data/lobster and data/), the repository's examples/ (with
    # its small quotes.csv/trades.csv) and the guide's strategy file.
    lines = commands(doc)
    if any(DATA in line or "data/" in line for line in lines) and not LOBSTER_DIR.is_dir():
        pytest.skip(f"{doc.name} uses the LOBSTER sample, absent at {LOBSTER_DIR}")
    if LOBSTER_DIR.is_dir():
        (tmp_path / "data").symlink_to(LOBSTER_DIR)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    guide = PYTHON.findall((REPO / "docs" / "writing-a-strategy.md").read_text())[0]
    (tmp_path / "my_strategy.py").write_text(guide)
    for line in lines:
        argv = shlex.split(line.replace(DATA, str(LOBSTER_DIR)))
        assert main(argv[1:]) == 0, f"{line}\n{capsys.readouterr().err}"
        capsys.readouterr()


def test_strategy_guide_class_runs_from_the_console_script(tmp_path):
    """The guide's example class, saved to a file, runs through the installed `mmsim run --strategy FILE:CLASS`."""
    code = PYTHON.findall((REPO / "docs" / "writing-a-strategy.md").read_text())[0]
    (tmp_path / "my_strategy.py").write_text(code)
    proc = subprocess.run([sys.executable, "-m", "mmsim", "run", "--strategy", "my_strategy.py:SkewedWidening",
                           "--paths", "5", "--out", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "skewed-widening" in proc.stdout


def test_readme_table_is_what_mmsim_run_prints(capsys):
    """The README's `mmsim run` output is today's output of the default run (all but the wall-time line)."""
    text = (REPO / "README.md").read_text()
    shown = re.search(r"```\n\$ mmsim run\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert main(["run"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[:len(shown)] == shown
