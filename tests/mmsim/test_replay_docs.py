"""The code examples in docs/replay.md and docs/readme-replay.md run as written.

Python blocks run everywhere. ``mmsim replay`` lines need the tick-file readers and the LOBSTER samples
(``data/`` in the docs is ``<repo>/../shared/data/lobster`` here); they are skipped when either is absent.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import feeds
from mmsim.cli import main

REPO = Path(__file__).resolve().parents[2]
LOBSTER = REPO.parent / "shared" / "data" / "lobster"
DOCS = [REPO / "docs" / "replay.md", REPO / "docs" / "readme-replay.md"]


def blocks(language: str) -> list[tuple[str, str]]:
    """(doc name, block text) for every fenced block in ``language``."""
    found = []
    for doc in DOCS:
        found += [(doc.name, m) for m in re.findall(rf"```{language}\n(.*?)```", doc.read_text(), re.S)]
    return found


def commands() -> list[tuple[str, str]]:
    return [(doc, line) for doc, text in blocks("bash") for line in text.splitlines()
            if line.startswith("mmsim replay")]


def test_the_docs_have_examples():
    """Both pages show commands, and replay.md a Python example."""
    assert {doc for doc, _ in commands()} == {"replay.md", "readme-replay.md"}
    assert blocks("python")


@pytest.mark.parametrize("doc, code", blocks("python"))
def test_python_examples_run(doc, code):
    """Each Python block executes (its asserts pass)."""
    exec(compile(code, doc, "exec"), {})


@pytest.mark.skipif(not (hasattr(feeds, "read_lobster") and hasattr(feeds, "read_tick_files")
                         and LOBSTER.is_dir()), reason=f"needs the tick-file readers and {LOBSTER}")
@pytest.mark.parametrize("doc, line", commands())
def test_command_examples_run(doc, line, tmp_path, monkeypatch, capsys):
    """Each ``mmsim replay`` line exits 0 (LOBSTER paths point at the samples; quotes.csv and trades.csv are
    small files made here; outputs go to a temporary folder)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quotes.csv").write_text("ts,bid,ask,bid_size,ask_size\n1.0,99.95,100.05,100,100\n"
                                         "2.0,99.96,100.05,100,100\n3.0,99.96,100.04,100,100\n")
    (tmp_path / "trades.csv").write_text("ts,price,size,side\n1.5,100.05,50,buy\n2.5,99.96,80,sell\n")
    argv = [arg.replace("data/", f"{LOBSTER}/", 1) if arg.startswith("data/") else arg
            for arg in shlex.split(line)[1:]]
    assert main(argv) == 0, capsys.readouterr().err
