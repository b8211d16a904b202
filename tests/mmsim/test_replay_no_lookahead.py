"""No look-ahead in ``mmsim replay``: a day cut at time c gives the same ledger rows before c as the whole day,
and the ledger does not depend on how the files are read in chunks (``--chunk-rows``).

Both run on a slice of the AAPL sample (its first 12,000 messages, about 40 minutes), written as LOBSTER files:
the property needs the defaults (tick size, k, naive spread) to come from the warm-up only, not the whole day.
"""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pandas as pd
import pytest

from mmsim.cli import main

DAY = "AAPL_2012-06-21_34200000_57600000"
ROWS = 12_000
WARMUP = ["--warmup-min", "10"]
TABLES = ("fills", "quotes", "marks")


def lobster_slice(lobster_dir: Path, folder: Path, rows: int) -> Path:
    """The first ``rows`` messages and order-book rows of the AAPL day, under their LOBSTER names."""
    folder.mkdir()
    for kind in ("message", "orderbook"):
        with open(lobster_dir / f"{DAY}_{kind}_1.csv") as source, open(folder / f"{DAY}_{kind}_1.csv", "w") as out:
            out.writelines(islice(source, rows))
    return folder / f"{DAY}_message_1.csv"


def replay(capsys, path: Path, out: Path, strategy: str, *options) -> dict:
    assert main(["replay", str(path), "--strategy", strategy, *WARMUP, *options, "--out", str(out), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def ledger(out: Path, strategy: str) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(out / strategy / f"{t}.parquet") for t in TABLES}


@pytest.fixture
def day(lobster_dir, tmp_path) -> Path:
    return lobster_slice(lobster_dir, tmp_path / "day", ROWS)


@pytest.mark.parametrize("strategy", ["avellaneda-stoikov", "naive"])
def test_a_day_cut_at_c_gives_the_same_rows_before_c(day, lobster_dir, tmp_path, capsys, strategy):
    """Replaying the first 9,000 messages gives, before the cut, exactly the rows of replaying all 12,000."""
    cut = lobster_slice(lobster_dir, tmp_path / "cut", 9_000)
    whole = replay(capsys, day, tmp_path / "whole", strategy)
    part = replay(capsys, cut, tmp_path / "part", strategy)
    c = part["end"]  # the last message's time: rows at c itself may differ (the whole day has more at c)
    assert part["strategy_params"]["k"] == whole["strategy_params"]["k"]
    a, b = ledger(tmp_path / "whole", strategy), ledger(tmp_path / "part", strategy)
    assert len(a["fills"][a["fills"]["time"] < c]) > 20  # the property has something to bite on
    for table in TABLES:
        before = [t[t["time"] < c].reset_index(drop=True) for t in (a[table], b[table])]
        pd.testing.assert_frame_equal(*before)


def test_the_ledger_does_not_depend_on_the_chunk_size(day, tmp_path, capsys):
    """--chunk-rows 997, 4000 and 100000 give the same defaults and the same ledger, bit for bit."""
    reports, ledgers = [], []
    for rows in (997, 4000, 100_000):
        out = tmp_path / f"c{rows}"
        reports.append(replay(capsys, day, out, "naive", "--chunk-rows", str(rows)))
        ledgers.append(ledger(out, "naive"))
    assert len({r["strategy_params"]["spread"] for r in reports}) == 1
    assert len({r["market"]["tick_size"] for r in reports}) == 1
    for other in ledgers[1:]:
        for table in TABLES:
            pd.testing.assert_frame_equal(ledgers[0][table], other[table])
