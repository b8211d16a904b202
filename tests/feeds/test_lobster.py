"""LOBSTER reader: trades before the book they changed, top-of-book changes only, chunking, validation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from engine import DataError
from feeds import QUOTE, TICK_COLUMNS, TRADE, read_lobster

# time, type, order id, size, price (x 10000), direction; the book after each message: ask, ask size, bid, bid size.
MESSAGES = [
    "34200.1,1,1,100,100100,1",   # 1 new bid: first book -> QUOTE
    "34200.2,1,2,10,100400,-1",   # 2 new ask behind the best: top unchanged -> nothing
    "34200.3,4,3,50,100300,-1",   # 3 visible execution of a sell order: buyer-initiated TRADE, then the new top
    "34200.3,5,0,20,100200,1",    # 4 hidden execution of a buy order: seller-initiated TRADE, top unchanged
    "34200.4,6,0,500,100200,1",   # 5 cross trade: no TRADE
    "34200.5,7,0,0,-1,-1",        # 6 halt: no TRADE (the price field is a flag)
    "34200.6,2,1,40,100100,1",    # 7 partial cancel at the best bid: size changes -> QUOTE
    "34200.7,1,4,5,100400,1",     # 8 a bid at the ask: locked book -> skipped and counted
    "34200.8,3,4,5,100400,1",     # 9 its deletion: the top changed from the locked one -> QUOTE
]
BOOK = [
    "100300,50,100100,100",
    "100300,50,100100,100",
    "100400,10,100100,100",
    "100400,10,100100,100",
    "100400,10,100100,100",
    "100400,10,100100,100",
    "100400,10,100100,60",
    "100400,10,100400,5",
    "100400,10,100100,60",
]
NAME = "TEST_2012-06-21_34200000_57600000"

# (ts, kind, bid, ask, bid_size, ask_size, price, size, side)
EXPECTED = [
    (34200.1, QUOTE, 10.01, 10.03, 100, 50, math.nan, math.nan, 0),
    (34200.3, TRADE, math.nan, math.nan, math.nan, math.nan, 10.03, 50, 1),
    (34200.3, QUOTE, 10.01, 10.04, 100, 10, math.nan, math.nan, 0),
    (34200.3, TRADE, math.nan, math.nan, math.nan, math.nan, 10.02, 20, -1),
    (34200.6, QUOTE, 10.01, 10.04, 60, 10, math.nan, math.nan, 0),
    (34200.8, QUOTE, 10.01, 10.04, 60, 10, math.nan, math.nan, 0),
]


def write_pair(folder, messages=MESSAGES, book=BOOK, name=NAME):
    message_path = folder / f"{name}_message_1.csv"
    message_path.write_text("\n".join(messages) + "\n")
    (folder / f"{name}_orderbook_1.csv").write_text("\n".join(book) + "\n")
    return message_path


def expected_frame() -> pd.DataFrame:
    return pd.DataFrame(EXPECTED, columns=list(TICK_COLUMNS)).astype({"kind": np.int8, "side": np.int8})


def test_rows_follow_the_file_order_with_each_trade_before_the_book_it_changed(tmp_path):
    """Executions give TRADE rows (aggressor = -direction) before the new top; unchanged tops, types 6/7 give none."""
    source = read_lobster(write_pair(tmp_path))
    pd.testing.assert_frame_equal(source.read_all(), expected_frame(), check_dtype=True)


def test_stats_count_rows_kinds_and_the_skipped_locked_book(tmp_path):
    """stats counts messages, yielded rows, each message type of interest and the skipped locked book."""
    source = read_lobster(write_pair(tmp_path))
    source.read_all()
    assert source.stats == {"rows": 9, "quotes": 9, "trades": 2, "quote_rows": 4, "trade_rows": 2,
                            "crossed_or_locked_skipped": 1,
                            "visible_executions": 1, "hidden_executions": 1, "cross_trades": 1, "halts": 1,
                            "one_sided_skipped": 0}
    assert source.name == NAME


@pytest.mark.parametrize("chunk_rows", [1, 2, 4, 100])
def test_any_chunk_size_gives_the_same_rows_and_chunks_can_be_read_again(tmp_path, chunk_rows):
    """Chunking changes nothing, and each chunks() call re-reads the files from the start."""
    source = read_lobster(write_pair(tmp_path), chunk_rows=chunk_rows)
    first = pd.concat(list(source.chunks()), ignore_index=True)
    second = source.read_all()
    pd.testing.assert_frame_equal(first, expected_frame())
    pd.testing.assert_frame_equal(second, expected_frame())
    assert source.stats["rows"] == 9


def test_chunks_are_read_lazily_so_memory_stays_bounded(tmp_path):
    """Chunks come out one read at a time: those before a bad row arrive before the error does."""
    messages = replace(MESSAGES, 8, "34200.8,3,4,5,oops,1")
    chunks = read_lobster(write_pair(tmp_path, messages), chunk_rows=2).chunks()
    first = next(chunks)
    assert len(first) <= 2 * 2 and first["ts"].iloc[0] == 34200.1
    with pytest.raises(DataError, match="data row 9"):
        list(chunks)


def test_the_order_book_file_is_found_by_name_or_given(tmp_path):
    """Without orderbook_path the file named like the message file is used; a given path overrides it."""
    message = write_pair(tmp_path)
    other = tmp_path / "book.csv"
    other.write_text("\n".join(BOOK[:1] * len(BOOK)) + "\n")
    assert read_lobster(message).files[1].endswith(f"{NAME}_orderbook_1.csv")
    assert len(read_lobster(message, other).read_all()) == 3  # one quote, the two trades


def test_a_missing_order_book_file_is_named(tmp_path):
    """A message file whose order book is absent (or not LOBSTER-named) is refused, saying what to give."""
    message = write_pair(tmp_path)
    (tmp_path / f"{NAME}_orderbook_1.csv").unlink()
    with pytest.raises(DataError, match="orderbook_1.csv was not found: give it explicitly"):
        read_lobster(message)
    renamed = tmp_path / "messages.csv"
    message.rename(renamed)
    with pytest.raises(DataError, match="not named like a LOBSTER message file"):
        read_lobster(renamed)


def test_strict_rejects_the_locked_book_naming_file_and_row(tmp_path):
    """strict=True turns the skipped locked book into an error naming the order-book file and its row."""
    with pytest.raises(DataError, match=r"orderbook_1.csv: data row 8: crossed or locked quote"):
        read_lobster(write_pair(tmp_path), strict=True).read_all()


def replace(rows, index, text):
    rows = list(rows)
    rows[index] = text
    return rows


@pytest.mark.parametrize("messages, book, where, problem", [
    (replace(MESSAGES, 2, "34200.3,4,3,50,100300,-1,9"), BOOK, "message_1.csv: data row 3",
     "expected 6 fields, found 7"),
    (replace(MESSAGES, 2, "34200.3,4,3,50,abc,-1"), BOOK, "message_1.csv: data row 3", "price 'abc' is not a number"),
    (replace(MESSAGES, 2, "34200.3,4,3,50,,-1"), BOOK, "message_1.csv: data row 3", "missing price"),
    (replace(MESSAGES, 3, "34200.0,5,0,20,100200,1"), BOOK, "message_1.csv: data row 4", "earlier than the row before"),
    (replace(MESSAGES, 2, "34200.3,4,3,50,-100300,-1"), BOOK, "message_1.csv: data row 3", "not a positive price"),
    (replace(MESSAGES, 2, "34200.3,9,3,50,100300,-1"), BOOK, "message_1.csv: data row 3", "unknown message type"),
    (replace(MESSAGES, 2, "34200.3,4,3,0,100300,-1"), BOOK, "message_1.csv: data row 3", "execution size"),
    (MESSAGES, replace(BOOK, 4, "100400,10,,100"), "orderbook_1.csv: data row 5", "missing bid_price_1"),
    (MESSAGES, replace(BOOK, 4, "0,10,100100,100"), "orderbook_1.csv: data row 5", "ask_price_1 0.0 is not a positive"),
    (MESSAGES, replace(BOOK, 0, "100300,50,100100"), "orderbook_1.csv: data row 1", "expected a multiple of 4 fields"),
    (MESSAGES, BOOK[:-2], "orderbook_1.csv: ends after data row 7", "has more rows"),
])
def test_malformed_rows_raise_naming_the_file_the_row_and_the_problem(tmp_path, messages, book, where, problem):
    """Every malformed input raises DataError with the file, the 1-based data row and the problem."""
    source = read_lobster(write_pair(tmp_path, messages, book), chunk_rows=2)
    with pytest.raises(DataError) as info:
        source.read_all()
    assert where in str(info.value) and problem in str(info.value), str(info.value)
