"""Generic quotes and trades files whose clocks disagree are refused (issue 15 item 3): time zones that differ,
spans that do not overlap, trades meeting a stale quote. Each case as a user meets it: the command, exit code 2,
one line naming the file (and row), and nothing written; ``--allow-stale`` replays with a warning instead."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from feeds import QUOTE, TRADE, synthetic_ticks
from mmsim.cli import main

OPEN = pd.Timestamp("2024-06-21 09:30:00")  # a New York open, as naive wall-clock time


@pytest.fixture(scope="module")
def ticks() -> pd.DataFrame:
    """Five minutes of a synthetic book (quotes every ~0.2 s) and trades, ``ts`` in seconds from the open."""
    return synthetic_ticks(5.0, 150.0, duration_s=300, seed=1)


def write(folder, ticks, *, quotes_zone=None, trades_zone=None, quotes_shift_s=0.0, quotes_until_s=None,
          quotes_suffix=".csv"):
    """quotes.csv / trades.csv with ISO times at ``OPEN + ts``: naive, or at a zone (``"-04:00"``,
    ``"America/New_York"``). ``quotes_until_s`` drops the quotes after that time (quotes that end early)."""
    def stamps(ts, zone, shift=0.0):
        times = OPEN + pd.to_timedelta(ts + shift, unit="s")
        if zone is None:
            return times
        return times.tz_localize(zone if "/" in zone else f"Etc/GMT{'+' if zone[0] == '-' else '-'}{int(zone[1:3])}")

    quotes = ticks[ticks["kind"] == QUOTE][["ts", "bid", "ask"]]
    if quotes_until_s is not None:
        quotes = quotes[quotes["ts"] <= quotes_until_s]
    trades = ticks[ticks["kind"] == TRADE][["ts", "price", "size", "side"]]
    quotes = quotes.assign(ts=stamps(quotes["ts"].to_numpy(), quotes_zone, quotes_shift_s))
    trades = trades.assign(ts=stamps(trades["ts"].to_numpy(), trades_zone))
    q, t = folder / f"quotes{quotes_suffix}", folder / "trades.csv"
    if quotes_suffix == ".parquet":
        quotes.to_parquet(q, index=False)
    else:
        quotes.assign(ts=[x.isoformat() for x in quotes["ts"]]).to_csv(q, index=False)
    trades.assign(ts=[x.isoformat() for x in trades["ts"]]).to_csv(t, index=False)
    return q, t


def refused(capsys, command, q, t, out, *extra) -> str:
    code = main([command, "--quotes", str(q), "--trades", str(t), "--out", str(out), *extra])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not out.exists()
    return captured.err


@pytest.mark.parametrize("command", ["replay", "calibrate"])
def test_naive_quotes_against_offset_trades_are_refused(ticks, tmp_path, capsys, command):
    """The issue's case: quotes in naive ISO time, trades with -04:00. Read as they were, the trades would meet
    quotes four hours away."""
    q, t = write(tmp_path, ticks, trades_zone="-04:00")
    err = refused(capsys, command, q, t, tmp_path / "out")
    assert err.startswith(f"mmsim {command}: error: {t}: times are at UTC-04:00 but those of {q} are naive")


def test_new_york_parquet_quotes_against_naive_trades_are_refused(ticks, tmp_path, capsys):
    """Quotes in a Parquet timestamp column in New York time, trades naive: refused, naming both files."""
    q, t = write(tmp_path, ticks, quotes_zone="America/New_York", quotes_suffix=".parquet")
    err = refused(capsys, "replay", q, t, tmp_path / "out")
    assert f"{t}: times are naive (no UTC offset) but those of {q} are at UTC-04:00" in err


def test_two_different_offsets_are_refused_but_one_zone_written_two_ways_is_not(ticks, tmp_path, capsys):
    """-04:00 against +00:00 is refused; New York in Parquet against -04:00 text is the same clock and replays."""
    q, t = write(tmp_path, ticks, quotes_zone="+00:00", trades_zone="-04:00")
    assert "times are at UTC-04:00 but those of" in refused(capsys, "replay", q, t, tmp_path / "out")
    q, t = write(tmp_path, ticks, quotes_zone="America/New_York", trades_zone="-04:00", quotes_suffix=".parquet")
    assert main(["replay", "--quotes", str(q), "--trades", str(t), "--strategy", "naive", "--warmup-min", "1",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["stale_trades"] == 0


def test_files_of_different_times_are_refused(ticks, tmp_path, capsys):
    """Quotes an hour later than the trades: no trade meets a quote."""
    q, t = write(tmp_path, ticks, quotes_shift_s=3600.0)
    err = refused(capsys, "replay", q, t, tmp_path / "out")
    assert "do not overlap the quotes of" in err and "2024-06-21 09:30:00 to 2024-06-21 09:3" in err


def test_trades_meeting_a_stale_quote_are_refused_naming_the_row_or_warned_with_allow_stale(ticks, tmp_path,
                                                                                               capsys):
    """Quotes that stop after 100 s of a 300 s day: the first trade after 100 + 60 s is refused (file and row);
    --max-quote-age-s raises the limit; --allow-stale replays and warns once, counting the stale trades."""
    q, t = write(tmp_path, ticks, quotes_until_s=100.0)
    trades = pd.read_csv(t)
    times = (pd.to_datetime(trades["ts"]) - OPEN).dt.total_seconds()
    last_quote = ticks[(ticks["kind"] == QUOTE) & (ticks["ts"] <= 100.0)]["ts"].max()
    stale = times - last_quote > 60.0
    first_row = int(stale.to_numpy().argmax()) + 1  # data rows count from 1
    err = refused(capsys, "replay", q, t, tmp_path / "out", "--strategy", "naive")
    assert err.startswith(f"mmsim replay: error: {t}: data row {first_row} (line {first_row + 1}): the trade at ")
    assert "more than the 60 s allowed (--max-quote-age-s)" in err

    # A limit above the whole gap reads every trade.
    assert main(["replay", "--quotes", str(q), "--trades", str(t), "--strategy", "naive", "--warmup-min", "1",
                 "--max-quote-age-s", "250", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["stale_trades"] == 0

    out = tmp_path / "allowed"
    assert main(["replay", "--quotes", str(q), "--trades", str(t), "--strategy", "naive", "--warmup-min", "1",
                 "--allow-stale",
                 "--json", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["data"]["stale_trades"] == int(stale.sum()) > 0
    assert len(report["warnings"]) == 1
    assert captured.err.splitlines() == [f"mmsim replay: warning: {report['warnings'][0]}"]
    assert report["warnings"][0].startswith(f"{t}: {int(stale.sum())} trade(s) met a quote older than 60 s "
                                            f"(the first at data row {first_row}, ")
    assert (out / "summary.json").is_file()


def test_the_stale_options_go_with_generic_files_only(tmp_path, capsys):
    """A LOBSTER file carries the book of every message: --allow-stale there is a usage mistake."""
    path = tmp_path / "X_message_1.csv"
    path.write_text("")
    assert main(["replay", str(path), "--allow-stale"]) == 2
    assert "--max-quote-age-s and --allow-stale go with --quotes and --trades" in capsys.readouterr().err
