"""Generic tick files: CSV and Parquet, three time formats, the merge order, chunking and validation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from engine import DataError
from feeds import QUOTE, TICK_COLUMNS, TRADE, read_tick_files

T0 = 1_704_205_800  # 2024-01-02T14:30:00Z, seconds since the epoch
# Offsets in seconds from T0. The trade at 1.0 shares its time with a quote: it must come first.
QUOTES = [(0.0, 10.00, 10.02, 5, 7), (1.0, 10.01, 10.02, 6, 7), (2.0, 10.02, 10.02, 5, 5), (3.25, 10.00, 10.03, 5, 2)]
TRADES = [(1.0, 10.02, 3, "buy"), (1.5, 10.00, 2, "SELL"), (3.25, 10.03, 4, "+1"), (4.0, 10.00, 1, "-1")]

EXPECTED = [
    (0.0, QUOTE, 10.00, 10.02, 5, 7, math.nan, math.nan, 0),
    (1.0, TRADE, math.nan, math.nan, math.nan, math.nan, 10.02, 3, 1),
    (1.0, QUOTE, 10.01, 10.02, 6, 7, math.nan, math.nan, 0),
    (1.5, TRADE, math.nan, math.nan, math.nan, math.nan, 10.00, 2, -1),
    # the locked quote at 2.0 is skipped
    (3.25, TRADE, math.nan, math.nan, math.nan, math.nan, 10.03, 4, 1),
    (3.25, QUOTE, 10.00, 10.03, 5, 2, math.nan, math.nan, 0),
    (4.0, TRADE, math.nan, math.nan, math.nan, math.nan, 10.00, 1, -1),
]


def expected_frame(with_sizes: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(EXPECTED, columns=list(TICK_COLUMNS)).astype({"kind": np.int8, "side": np.int8})
    frame["ts"] += T0
    if not with_sizes:
        frame[["bid_size", "ask_size"]] = math.nan
    return frame


def stamp(offset: float, fmt: str):
    """A time T0 + offset written as ISO-8601 text, integer nanoseconds or float seconds."""
    if fmt == "iso":
        return (pd.Timestamp(T0, unit="s", tz="UTC") + pd.Timedelta(seconds=offset)).isoformat()
    if fmt == "ns":
        return T0 * 1_000_000_000 + int(round(offset * 1e9))
    return float(T0 + offset)


def write(folder, fmt: str, suffix: str, quotes=QUOTES, trades=TRADES, sizes: bool = True):
    q = pd.DataFrame(quotes, columns=["ts", "bid", "ask", "bid_size", "ask_size"])
    if not sizes:
        q = q.drop(columns=["bid_size", "ask_size"])
    t = pd.DataFrame(trades, columns=["ts", "price", "size", "side"])
    for frame in (q, t):
        frame["ts"] = [stamp(x, fmt) for x in frame["ts"]]
    paths = folder / f"quotes{suffix}", folder / f"trades{suffix}"
    for frame, path in zip((q, t), paths):
        if suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    return paths


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("fmt", ["iso", "ns", "seconds"])
def test_csv_and_parquet_in_every_time_format_read_the_same(tmp_path, fmt, suffix):
    """ISO text, integer ns and float seconds, in CSV or Parquet, give the same rows; trades first at equal ts."""
    source = read_tick_files(*write(tmp_path, fmt, suffix))
    pd.testing.assert_frame_equal(source.read_all(), expected_frame(), atol=1e-6, rtol=0)
    assert source.stats == {"rows": 8, "quotes": 4, "trades": 4, "quote_rows": 3, "trade_rows": 4,
                            "crossed_or_locked_skipped": 1, "stale_trades": 0}


def test_sizes_are_optional_and_sides_may_be_numbers(tmp_path):
    """Without bid_size/ask_size the sizes are NaN; a numeric side column of +1/-1 reads as the aggressor."""
    trades = [(x, p, s, {"buy": 1, "SELL": -1, "+1": 1, "-1": -1}[side]) for x, p, s, side in TRADES]
    source = read_tick_files(*write(tmp_path, "seconds", ".parquet", trades=trades, sizes=False))
    pd.testing.assert_frame_equal(source.read_all(), expected_frame(with_sizes=False))


def test_timestamps_parse_to_seconds_since_the_epoch(tmp_path):
    """An ISO time with an offset, and integer nanoseconds, become UTC seconds since the epoch."""
    quotes = tmp_path / "q.csv"
    quotes.write_text("ts,bid,ask\n2024-01-02T09:30:00-05:00,1,2\n")
    trades = tmp_path / "t.csv"
    trades.write_text("ts,price,size,side\n2024-01-02T09:30:00.5-05:00,1.5,1,buy\n")
    assert read_tick_files(quotes, trades).read_all()["ts"].tolist() == [T0, T0 + 0.5]
    quotes.write_text(f"ts,bid,ask\n{T0 * 10**9},1,2\n")
    trades.write_text(f"ts,price,size,side\n{T0 * 10**9 + 500_000_000},1.5,1,buy\n")
    assert read_tick_files(quotes, trades).read_all()["ts"].tolist() == [T0, T0 + 0.5]


def test_merging_in_small_chunks_gives_the_rows_of_one_stable_sort(tmp_path):
    """Any chunk size yields one time-ordered stream: each file's order kept, trades before quotes at equal ts."""
    rng = np.random.default_rng(7)
    qt = np.sort(rng.integers(0, 40, 60)).astype(float)
    tt = np.sort(rng.integers(0, 40, 50)).astype(float)
    pd.DataFrame({"ts": qt, "bid": 10 + np.arange(60) * 1e-3, "ask": 11.0}).to_csv(tmp_path / "q.csv", index=False)
    pd.DataFrame({"ts": tt, "price": 10 + np.arange(50) * 1e-3, "size": 1.0, "side": "buy"}).to_csv(
        tmp_path / "t.csv", index=False)
    ts = np.concatenate([tt, qt])
    order = np.argsort(ts, kind="stable")
    reference_kind = np.concatenate([np.full(50, TRADE), np.full(60, QUOTE)])[order]
    reference_key = np.concatenate([10 + np.arange(50) * 1e-3, 10 + np.arange(60) * 1e-3])[order]
    for chunk_rows in (1, 2, 3, 7, 1000):
        source = read_tick_files(tmp_path / "q.csv", tmp_path / "t.csv", chunk_rows=chunk_rows)
        chunks = list(source.chunks())
        # Bounded memory: a yielded chunk holds at most what two reads of each file buffered.
        assert max(len(c) for c in chunks) <= 4 * chunk_rows
        frame = pd.concat(chunks, ignore_index=True)
        np.testing.assert_array_equal(frame["ts"], ts[order])
        np.testing.assert_array_equal(frame["kind"], reference_kind)
        np.testing.assert_array_equal(frame["price"].fillna(frame["bid"]), reference_key)


def test_strict_rejects_a_locked_quote_naming_the_file_and_row(tmp_path):
    """strict=True raises at the locked quote (data row 3, line 4 of the CSV)."""
    quotes, trades = write(tmp_path, "seconds", ".csv")
    with pytest.raises(DataError, match=r"quotes.csv: data row 3 \(line 4\): crossed or locked quote: bid 10.02"):
        read_tick_files(quotes, trades, strict=True).read_all()


def with_row(rows, index, **changes):
    rows = [list(r) for r in rows]
    names = ["ts", "bid", "ask", "bid_size", "ask_size"] if len(rows[0]) == 5 else ["ts", "price", "size", "side"]
    for name, value in changes.items():
        rows[index][names.index(name)] = value
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("quotes, trades, fmt, where, problem", [
    (with_row(QUOTES, 2, ts=0.5), TRADES, "seconds", "quotes{s}: data row 3", "earlier than the row before"),
    (with_row(QUOTES, 1, bid=math.nan), TRADES, "seconds", "quotes{s}: data row 2", "missing bid"),
    (with_row(QUOTES, 1, ask=-1.0), TRADES, "seconds", "quotes{s}: data row 2", "ask -1.0 is not a positive price"),
    (with_row(QUOTES, 3, bid_size=-2), TRADES, "seconds", "quotes{s}: data row 4", "bid_size -2"),
    (QUOTES, with_row(TRADES, 1, price=0.0), "seconds", "trades{s}: data row 2", "price 0.0 is not a positive"),
    (QUOTES, with_row(TRADES, 2, size=0), "seconds", "trades{s}: data row 3", "size 0"),
    (QUOTES, with_row(TRADES, 3, side="hold"), "seconds", "trades{s}: data row 4", "side 'hold' is not buy, sell"),
    (QUOTES, with_row(TRADES, 2, ts=1.2), "iso", "trades{s}: data row 3", "earlier than the row before"),
])
def test_malformed_rows_raise_naming_the_file_the_row_and_the_problem(tmp_path, suffix, quotes, trades, fmt, where,
                                                                      problem):
    """Each malformed row raises DataError naming the file, its 1-based data row and what is wrong."""
    source = read_tick_files(*write(tmp_path, fmt, suffix, quotes=quotes, trades=trades), chunk_rows=2)
    with pytest.raises(DataError) as info:
        source.read_all()
    assert where.format(s=suffix) in str(info.value) and problem in str(info.value), str(info.value)


@pytest.mark.parametrize("line, problem", [
    ("2024-01-02T14:30:01Z,10.02,3,buy", "ts '2024-01-02T14:30:01Z' is not a number of seconds"),
    ("1704205801.5,abc,3,buy", "price 'abc' is not a number"),
    ("1704205801.5,10.02,3,buy,9", "expected 4 fields, found 5"),
    (",10.02,3,buy", "missing ts"),
])
def test_unparseable_csv_rows_are_named_by_data_row_and_line(tmp_path, line, problem):
    """A CSV row that cannot be parsed is named as data row 2 (line 3), with what could not be read."""
    quotes, _ = write(tmp_path, "seconds", ".csv")
    trades = tmp_path / "bad.csv"
    trades.write_text(f"ts,price,size,side\n1704205800.5,10.02,3,buy\n{line}\n")
    with pytest.raises(DataError) as info:
        read_tick_files(quotes, trades).read_all()
    assert "bad.csv: data row 2 (line 3): " in str(info.value) and problem in str(info.value), str(info.value)


def test_missing_columns_unknown_extensions_and_missing_files_fail_before_reading(tmp_path):
    """Problems visible from the header or the name raise at once, naming the file."""
    quotes, trades = write(tmp_path, "seconds", ".csv")
    no_ask = tmp_path / "no_ask.csv"
    no_ask.write_text("ts,bid\n1,2\n")
    with pytest.raises(DataError, match=r"no_ask.csv: header \(line 1\): missing column\(s\) ask"):
        read_tick_files(no_ask, trades)
    pd.DataFrame({"ts": [1.0], "price": [1.0], "size": [1.0]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"t.parquet: schema: missing column\(s\) side"):
        read_tick_files(quotes, tmp_path / "t.parquet")
    (tmp_path / "t.txt").write_text("x")
    with pytest.raises(DataError, match="unsupported file type '.txt'"):
        read_tick_files(quotes, tmp_path / "t.txt")
    with pytest.raises(DataError, match="nope.csv: trades file not found"):
        read_tick_files(quotes, tmp_path / "nope.csv")


def test_whole_seconds_mistaken_for_nanoseconds_are_refused_naming_the_row(tmp_path):
    """Integer ts in January 1970 (whole seconds read as ns) raise, naming the file and row, not a silent 1e9 error."""
    pd.DataFrame({"ts": [1, 2], "bid": [10.0, 10.0], "ask": [10.1, 10.1]}).to_csv(tmp_path / "q.csv", index=False)
    pd.DataFrame({"ts": [1], "price": [10.1], "size": [1.0], "side": ["buy"]}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match=r"q.csv: data row 1 .*ts '1' reads as integer nanoseconds since the epoch"):
        read_tick_files(tmp_path / "q.csv", tmp_path / "t.csv").read_all()


def test_microsecond_stamps_mistaken_for_nanoseconds_are_refused(tmp_path):
    """Epoch microseconds (read as ns they land in 1970) raise instead of shrinking every interval 1000 times."""
    us = 1_700_000_000_000_000
    quotes = pd.DataFrame({"ts": [us, us + 1_000_000], "bid": [10.0, 10.0], "ask": [10.1, 10.1]})
    quotes.to_parquet(tmp_path / "q.parquet")
    pd.DataFrame({"ts": [us], "price": [10.1], "size": [1.0], "side": ["buy"]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"q.parquet: data row 1: .*a time before 1973"):
        read_tick_files(tmp_path / "q.parquet", tmp_path / "t.parquet").read_all()


def test_a_file_the_clock_check_cannot_read_is_left_to_the_full_read_which_names_it(tmp_path):
    """The zone and span check peeks at the first and last rows; bytes that are not UTF-8 there are reported by
    the read itself, as a DataError naming the file (not a UnicodeDecodeError)."""
    quotes, trades = write(tmp_path, "iso", ".csv")
    quotes.write_bytes(b"ts,bid,ask\n\xff\xfe,1,2\n")
    with pytest.raises(DataError, match="quotes.csv: cannot be parsed as CSV"):
        read_tick_files(quotes, trades).read_all()
