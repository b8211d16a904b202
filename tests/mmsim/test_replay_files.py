"""``mmsim replay`` on real files: bad generic tick files exit 2 naming the file and row with no output, and the
LOBSTER AAPL and GOOG samples replay with every shipped strategy.

The samples are read from ``<repo>/../shared/data/lobster``; those tests are skipped when it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mmsim.cli import main

LOBSTER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lobster"
SAMPLES = {sym: LOBSTER / f"{sym}_2012-06-21_34200000_57600000_message_1.csv" for sym in ("AAPL", "GOOG")}

needs_lobster = pytest.mark.skipif(not all(p.is_file() for p in SAMPLES.values()),
                                   reason=f"needs the LOBSTER samples in {LOBSTER}")

QUOTES = "ts,bid,ask,bid_size,ask_size\n1.0,99.95,100.05,100,100\n2.0,99.96,100.05,100,100\n3.0,99.96,100.04,100,100\n"
TRADES = "ts,price,size,side\n1.5,100.05,50,buy\n2.5,99.96,80,sell\n"


def write(tmp_path: Path, quotes: str = QUOTES, trades: str = TRADES) -> tuple[Path, Path]:
    q, t = tmp_path / "q.csv", tmp_path / "t.csv"
    q.write_text(quotes)
    t.write_text(trades)
    return q, t


def run(*argv) -> tuple[int, str, str]:
    return main(["replay", *map(str, argv)])


def test_generic_quotes_and_trades_files_replay(tmp_path, capsys):
    """Good CSV files replay and satisfy the P&L identity."""
    q, t = write(tmp_path)
    # A three-second day: no warm-up, so the tick size and spread are given.
    assert run("--quotes", q, "--trades", t, "--strategy", "naive", "--warmup-min", "0", "--tick-size", "0.01",
               "--spread", "0.04", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["data"]["quotes"] == 3 and report["data"]["trades"] == 2
    assert report["pnl"] == pytest.approx(report["spread_capture"] + report["inventory_pnl"] - report["fees"],
                                          abs=1e-12 * (report["notional"] + 1.0))


BAD = {
    "missing column": ("q.csv", QUOTES.replace("ts,bid,ask,", "ts,bid,offer,"), TRADES),
    "unparseable row": ("q.csv", QUOTES.replace("2.0,99.96", "2.0,abc"), TRADES),
    "decreasing time": ("q.csv", QUOTES.replace("3.0,", "0.5,"), TRADES),
    "NaN price": ("t.csv", QUOTES, TRADES.replace("2.5,99.96", "2.5,nan")),
    "non-positive price": ("t.csv", QUOTES, TRADES.replace("2.5,99.96", "2.5,0")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_tick_files_exit_2_naming_file_and_row_with_no_output(tmp_path, capsys, case):
    """Each malformed input stops the command with one line naming the file and the row; --out never appears."""
    bad_file, quotes, trades = BAD[case]
    q, t = write(tmp_path, quotes, trades)
    out = tmp_path / "out"
    assert run("--quotes", q, "--trades", t, "--out", out) == 2
    err = capsys.readouterr().err
    assert bad_file in err and re.search(r"row|line", err), err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_crossed_quotes_are_skipped_and_counted_or_rejected_with_strict(tmp_path, capsys):
    """A crossed quote is skipped and counted in the summary; with --strict it is an error naming file and row."""
    q, t = write(tmp_path, QUOTES.replace("2.0,99.96,100.05", "2.0,100.06,100.05"))
    assert run("--quotes", q, "--trades", t, "--warmup-min", "0", "--tick-size", "0.01", "--k", "30", "--json") == 0
    assert json.loads(capsys.readouterr().out)["data"]["crossed_or_locked_skipped"] == 1
    out = tmp_path / "out"
    assert run("--quotes", q, "--trades", t, "--strict", "--out", out) == 2
    err = capsys.readouterr().err
    assert "q.csv" in err and re.search(r"row|line", err) and not out.exists()


@needs_lobster
def test_a_malformed_lobster_row_exits_2_naming_file_and_row(tmp_path, capsys):
    """The first rows of the AAPL sample with row 3 broken: the message file and the row are named."""
    lines = SAMPLES["AAPL"].read_text().splitlines()[:5]
    book = SAMPLES["AAPL"].with_name(SAMPLES["AAPL"].name.replace("message", "orderbook"))
    message = tmp_path / "X_message_1.csv"
    message.write_text("\n".join(lines[:2] + ["34200.3,1,zzz,18,5853600,1"] + lines[3:]) + "\n")
    orderbook = tmp_path / "X_orderbook_1.csv"
    orderbook.write_text("\n".join(book.read_text().splitlines()[:5]) + "\n")
    out = tmp_path / "out"
    assert run(message, "--orderbook", orderbook, "--out", out) == 2
    err = capsys.readouterr().err
    assert "X_message_1.csv" in err and re.search(r"row|line", err) and not out.exists()


@needs_lobster
@pytest.mark.parametrize("symbol", ["AAPL", "GOOG"])
@pytest.mark.parametrize("strategy", ["avellaneda-stoikov", "naive", "inventory-capped"])
def test_lobster_samples_replay_with_every_shipped_strategy(symbol, strategy, capsys):
    """A full day replays: every row read, none crossed, fills at all three kinds of rule, the P&L identity."""
    assert run(SAMPLES[symbol], "--strategy", strategy, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    rows = {"AAPL": 118_497, "GOOG": 49_482}[symbol]
    assert report["data"]["quotes"] == rows and report["data"]["crossed_or_locked_skipped"] == 0
    assert report["events"] > rows and report["fills"] > 100
    assert report["market"]["tick_size"] == 0.01
    assert report["pnl"] == pytest.approx(report["spread_capture"] + report["inventory_pnl"] - report["fees"],
                                          abs=1e-12 * report["notional"])  # the cash account's rounding
    if strategy == "inventory-capped":
        assert report["max_abs_inventory"] <= 500


@needs_lobster
@pytest.mark.parametrize("symbol", ["AAPL", "GOOG"])
def test_fill_on_touch_overstates_fills_and_spread_capture_on_real_data(symbol, capsys):
    """On real data fill-on-touch gives over 1.5x the conservative queue's fills at our price and more capture."""
    # Quoting at about the touch: capped naive strategy, median spread.
    results = {}
    for queue in ("conservative", "touch"):
        assert run(SAMPLES[symbol], "--strategy", "inventory-capped", "--queue", queue, "--json") == 0
        results[queue] = json.loads(capsys.readouterr().out)
    touch, conservative = results["touch"], results["conservative"]
    assert touch["market"]["fills_at_price"] > 1.5 * conservative["market"]["fills_at_price"]
    assert touch["spread_capture"] > conservative["spread_capture"]
