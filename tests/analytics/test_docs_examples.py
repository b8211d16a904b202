"""The code examples of docs/analytics.md and docs/readme-report.md run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from mmsim.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"


def blocks(name: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), flags=re.S)


def test_analytics_python_example_runs(capsys):
    """The Python example of docs/analytics.md runs and prints the report's file name."""
    (code,) = blocks("analytics.md", "python")
    exec(compile(code, "docs/analytics.md", "exec"), {})
    assert "report.html" in capsys.readouterr().out


def test_readme_commands_run(tmp_path, monkeypatch):
    """The shell commands of docs/readme-report.md succeed, in order, in an empty folder."""
    monkeypatch.chdir(tmp_path)
    (script,) = blocks("readme-report.md", "bash")
    commands = [shlex.split(line.split("#", 1)[0]) for line in script.splitlines() if line.strip()]
    assert all(argv[0] == "mmsim" for argv in commands)
    for argv in commands:
        assert main(argv[1:]) == 0, argv
    assert (tmp_path / "results" / "report.html").is_file()
