"""The calibration docs show the AAPL table the command prints today (tests/test_docs.py runs their examples)."""

from __future__ import annotations

import re
from pathlib import Path

from mmsim.cli import main
from tests.conftest import REPO

CALIBRATION_DOC = REPO / "docs" / "calibration.md"


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), flags=re.S)


def test_the_printed_aapl_table_is_what_the_command_prints(capsys, lobster_dir):
    """The example output in docs/calibration.md matches the command's output today (all but the wall time)."""
    shown = blocks(CALIBRATION_DOC, "text")[0].strip().splitlines()
    assert main(["calibrate", str(lobster_dir / "AAPL_2012-06-21_34200000_57600000_message_1.csv")]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[:-1] == shown and printed[-1].startswith("wall time")

