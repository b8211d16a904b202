"""The example tick files the README replays are what ``examples/make_example_ticks.py`` writes, and they pass
the generic reader's checks (one clock, overlapping spans, no stale quote)."""

from __future__ import annotations

import runpy

from feeds import read_tick_files
from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def test_the_shipped_files_are_what_the_script_writes(tmp_path):
    script = runpy.run_path(str(EXAMPLES / "make_example_ticks.py"))
    written = script["write_example_ticks"](tmp_path)
    for path in written:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), f"rerun examples/{path.name}'s script"
    source = read_tick_files(*written)
    frame = source.read_all()
    assert source.stats["stale_trades"] == 0 and source.stats["quotes"] > 500 and source.stats["trades"] > 500
    assert frame["ts"].iloc[-1] - frame["ts"].iloc[0] > 290  # five minutes
