"""Reader for LOBSTER message + order-book files (https://lobsterdata.com), as tick chunks.

The message file has one row per order-book event (``time, type, order_id, size, price, direction``); the
order-book file has, on the same row, the book just after that event (``ask_price_1, ask_size_1, bid_price_1,
bid_size_1, ...``). Prices are dollars x 10000. Neither file has a header line, so data row ``n`` is line ``n``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

import numpy as np

from engine import DataError
from engine.lazy_modules import lazy_module
from feeds.tickdata import (QUOTE, TRADE, FileSource, check_non_decreasing, check_prices, check_sizes,
                            crossed_rows, csv_chunks, existing_file, first_bad, numeric, row_error, shown,
                            ticks_from_columns)

pd = lazy_module("pandas")

PRICE_SCALE = 10_000.0
#: LOBSTER writes an empty book level as this price (negated on the bid side), with size 0.
EMPTY_LEVEL = 9_999_999_999.0
MESSAGE_COLUMNS = ("time", "type", "order_id", "size", "price", "direction")
_EXECUTION_TYPES = (4, 5)
_HALT = 7


def orderbook_beside(message_path: str | os.PathLike) -> Path:
    """The order-book file LOBSTER writes beside ``message_path``: ``..._message_N.csv`` -> ``..._orderbook_N.csv``.

    Raises
    ------
    DataError
        If the name does not follow LOBSTER's pattern or the order-book file is not there.
    """
    path = Path(message_path)
    stem, sep, level = path.name.rpartition("_message_")
    if not sep:
        raise DataError(f"{path}: not named like a LOBSTER message file (TICKER_DATE_START_END_message_LEVEL.csv), "
                        f"so its order-book file cannot be found: give it explicitly (orderbook_path)",
                        params=("orderbook_path",))
    book = path.with_name(f"{stem}_orderbook_{level}")
    if not book.is_file():
        raise DataError(f"{path}: its order-book file {book} was not found: give it explicitly (orderbook_path)",
                        params=("orderbook_path",))
    return book


def read_lobster(message_path: str | os.PathLike, orderbook_path: str | os.PathLike | None = None, *,
                 chunk_rows: int = 100_000, strict: bool = False) -> FileSource:
    """Tick chunks from a LOBSTER message file and its order-book file.

    Rows keep the files' order. An execution (message type 4, visible, or 5, hidden) yields a TRADE row at the
    message's price and size, with aggressor side ``-direction`` (LOBSTER's direction is the side of the resting
    order that was hit); the trade met the book as it was before the message. Every message then yields a QUOTE
    row with the book after it, if its top (best prices or sizes) changed. Cross trades (type 6) and trading
    halts (type 7) yield no trade.

    Parameters
    ----------
    message_path : path
        ``TICKER_DATE_START_END_message_LEVEL.csv``.
    orderbook_path : path, optional
        The order-book file; by default the one named like the message file, in the same folder.
    chunk_rows : int
        Message rows read at a time: memory stays bounded however long the day.
    strict : bool
        Reject a crossed or locked book (best bid >= best ask) instead of skipping it.

    Returns
    -------
    FileSource
        ``stats`` counts ``rows`` (messages), ``quotes`` (order-book rows, one per message), ``trades``
        (executions), ``quote_rows`` and ``trade_rows`` (rows yielded: a book whose top did not change yields
        none), ``visible_executions``, ``hidden_executions``, ``cross_trades``, ``halts``,
        ``crossed_or_locked_skipped`` and ``one_sided_skipped`` (a book with an empty side, which LOBSTER writes
        as price +/-9999999999).

    Raises
    ------
    DataError
        A file is missing, or (while reading) a row is malformed: wrong number of fields, a value that is not a
        number, an unknown message type, a decreasing time, a NaN or non-positive price or size, files of
        different lengths. The message names the file and the row.
    """
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise DataError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
    message = existing_file(message_path, "LOBSTER message file")
    book = orderbook_beside(message) if orderbook_path is None else existing_file(orderbook_path,
                                                                                   "LOBSTER order-book file")
    name = message.name.rpartition("_message_")[0] or message.stem

    def reader(stats: dict) -> Iterator[pd.DataFrame]:
        return _read(message, book, chunk_rows, strict, stats, source.warn)

    source = FileSource(name, (str(message), str(book)), str(message),
                        ("visible_executions", "hidden_executions", "cross_trades", "halts", "one_sided_skipped"),
                        reader, row_files=(str(message),))
    return source


def _csv_chunks(path: Path, columns: int | None, chunk_rows: int, keep: int | None = None) -> Iterator[pd.DataFrame]:
    """Header-less chunks of ``columns`` fields (a message file); when None, the first line's count, which must be
    a multiple of 4 (an order-book file has 4 columns per level). ``keep``: only the first ``keep`` columns are
    converted."""
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    if not first:
        return
    found = first.count(",") + 1
    # Checked on the first line: given more fields than names, pandas would take the first field for an index.
    if columns is not None and found != columns:
        raise row_error(path, 1, f"expected {columns} fields ({', '.join(MESSAGE_COLUMNS)}), found {found}: not "
                        "a LOBSTER message file", header=False)
    if columns is None:
        columns = found
        if columns % 4:
            raise row_error(path, 1, f"expected a multiple of 4 fields, found {columns}", header=False)
    usecols = None if keep is None or keep >= columns else range(keep)
    for _, chunk in csv_chunks(path, chunk_rows, header=False, names=range(columns), usecols=usecols):
        yield chunk


def _messages(msg: pd.DataFrame, path: Path, first_row: int, last_time: float) -> tuple[np.ndarray, ...]:
    """Validated ``time, type, size, price, direction`` arrays of one chunk of the message file."""
    time, kind, _, size, price, direction = (numeric(msg, i, path, first_row, header=False, label=label)
                                             for i, label in enumerate(MESSAGE_COLUMNS))
    check_non_decreasing(time, last_time, path, first_row, header=False)
    active = kind != _HALT  # a halt message carries a flag (-1, 0, 1) in the price field, not a price
    execution = np.isin(kind, _EXECUTION_TYPES)
    for bad_rows, problem in (
            (~np.isin(kind, (1, 2, 3, 4, 5, 6, 7)), lambda i: f"unknown message type {shown(kind[i])} (expected 1-7)"),
            (active & ~(price > 0), lambda i: f"price {shown(price[i])} is not a positive price"),
            (active & ~np.isin(direction, (-1, 1)), lambda i: f"direction {shown(direction[i])} is not 1 or -1"),
            (execution & ~(size > 0), lambda i: f"execution size {shown(size[i])} is not > 0")):
        bad = first_bad(bad_rows)
        if bad is not None:
            raise row_error(path, first_row + bad, problem(bad), header=False)
    return time, kind, size, price, direction


def _book(top: pd.DataFrame, path: Path, first_row: int) -> np.ndarray:
    """Validated ``ask, ask_size, bid, bid_size`` columns (level 1) of one chunk of the order-book file."""
    labels = ("ask_price_1", "ask_size_1", "bid_price_1", "bid_size_1")
    ask, ask_size, bid, bid_size = (numeric(top, i, path, first_row, header=False, label=labels[i]) for i in range(4))
    empty = (ask == EMPTY_LEVEL) | (bid == -EMPTY_LEVEL)
    check_prices(np.where(empty, 1.0, ask), labels[0], path, first_row, header=False)
    check_prices(np.where(empty, 1.0, bid), labels[2], path, first_row, header=False)
    check_sizes(ask_size, labels[1], path, first_row, header=False, strictly=False)
    check_sizes(bid_size, labels[3], path, first_row, header=False, strictly=False)
    return np.column_stack([ask, ask_size, bid, bid_size])


def _check_price_scale(price: np.ndarray, path: Path, warn) -> None:
    """Warn when the prices of a chunk look like dollars: LOBSTER writes whole numbers of dollars x 10000, so a
    fraction, or a largest price under 10000 ($1), most likely means dollars, which would read 10000 times too
    small on a tick of 1e-06."""
    if len(price) and (np.any(price != np.round(price)) or price.max() < PRICE_SCALE):
        warn(f"{path}: prices look like dollars (the first is {shown(price[0])}), but LOBSTER writes dollars x "
             f"{PRICE_SCALE:.0f}: they read as {price[0] / PRICE_SCALE:g}, on a tick of 1e-06 or less; multiply "
             "them by 10000")


def _read(message: Path, book: Path, chunk_rows: int, strict: bool, stats: dict, warn) -> Iterator[pd.DataFrame]:
    last_time = -np.inf
    previous_top = np.full(4, np.nan)  # the book before the first message is unknown: its first top is new
    first_row = 1
    pairs = zip_longest(_csv_chunks(message, len(MESSAGE_COLUMNS), chunk_rows),
                        _csv_chunks(book, None, chunk_rows, keep=4))
    for msg, top in pairs:
        n_msg, n_top = (0 if msg is None else len(msg)), (0 if top is None else len(top))
        if n_msg != n_top:
            short, other = (message, book) if n_msg < n_top else (book, message)
            raise DataError(f"{short}: ends after data row {first_row - 1 + min(n_msg, n_top)} but {other} has more "
                            f"rows (a LOBSTER message file and its order-book file have one row per message)")
        stats["rows"] += n_msg
        stats["quotes"] += n_msg
        time, kind, size, price, direction = _messages(msg, message, first_row, last_time)
        if first_row == 1:
            _check_price_scale(price[kind != _HALT], message, warn)
        last_time = time[-1]
        current = _book(top, book, first_row)
        ask, ask_size, bid, bid_size = current.T
        changed = np.any(current != np.vstack([previous_top, current[:-1]]), axis=1)
        previous_top = current[-1]
        one_sided = changed & ((ask == EMPTY_LEVEL) | (bid == -EMPTY_LEVEL))
        crossed = crossed_rows(bid, ask, book, first_row, header=False, strict=strict, stats=stats,
                               among=changed & ~one_sided)
        quote = changed & ~one_sided & ~crossed
        execution = np.isin(kind, _EXECUTION_TYPES)
        stats["trades"] += int(execution.sum())
        stats["one_sided_skipped"] += int(one_sided.sum())
        stats["visible_executions"] += int((kind == 4).sum())
        stats["hidden_executions"] += int((kind == 5).sum())
        stats["cross_trades"] += int((kind == 6).sum())
        stats["halts"] += int((kind == _HALT).sum())

        # Slot 2i holds message i's trade, slot 2i+1 its quote: the trade met the book before the message.
        keep = np.empty(2 * n_msg, dtype=bool)
        keep[0::2], keep[1::2] = execution, quote
        slots = np.flatnonzero(keep)
        row, is_quote = slots // 2, (slots % 2).astype(bool)
        q, t = np.where(is_quote, 1.0, np.nan), np.where(is_quote, np.nan, 1.0)  # masks that blank the other kind
        yield ticks_from_columns(time[row], np.where(is_quote, QUOTE, TRADE),
                         bid=q * bid[row] / PRICE_SCALE, ask=q * ask[row] / PRICE_SCALE,
                         bid_size=q * bid_size[row], ask_size=q * ask_size[row],
                         price=t * price[row] / PRICE_SCALE, size=t * size[row],
                         side=np.where(is_quote, 0, -direction[row]))
        first_row += n_msg
    if first_row == 1:
        raise DataError(f"{message}: no data rows (an empty LOBSTER message file)")
