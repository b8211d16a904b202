"""The calibration docs: every command runs, and the printed AAPL table is current (tests/test_docs.py runs the
Python examples)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from feeds import QUOTE, TRADE, synthetic_ticks
from mmsim.cli import main
from tests.conftest import REPO

DOCS = [REPO / "docs" / "calibration.md", REPO / "docs" / "readme-calibrate.md"]


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), flags=re.S)


def test_console_commands_run(tmp_path, monkeypatch, capsys, lobster_dir):
    """Each `$ mmsim ...` line of the two pages runs and exits 0 (on the real sample, and on generated
    quotes.csv/trades.csv); a command on both pages runs once."""
    monkeypatch.chdir(tmp_path)
    ticks = synthetic_ticks(5.0, 150.0, duration_s=300, seed=1)
    ticks[ticks["kind"] == QUOTE][["ts", "bid", "ask"]].to_csv("quotes.csv", index=False)
    ticks[ticks["kind"] == TRADE][["ts", "price", "size", "side"]].to_csv("trades.csv", index=False)
    commands = dict.fromkeys(line[2:] for doc in DOCS for block in blocks(doc, "console")
                             for line in block.splitlines() if line.startswith("$ "))
    assert len(commands) >= 3
    for command in commands:
        argv = shlex.split(command.replace("../shared/data/lobster", str(lobster_dir)))
        assert argv[0] == "mmsim" and main(argv[1:]) == 0, command
        capsys.readouterr()


def test_the_printed_aapl_table_is_what_the_command_prints(capsys, lobster_dir):
    """The example output in docs/calibration.md matches the command's output today (all but the wall time)."""
    shown = blocks(DOCS[0], "text")[0].strip().splitlines()
    assert main(["calibrate", str(lobster_dir / "AAPL_2012-06-21_34200000_57600000_message_1.csv")]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[:-1] == shown and printed[-1].startswith("wall time")

