"""The tick-data contract shared by every tick reader: row kinds, columns, the chunk builder and :class:`TickSource`.

A *tick chunk* is a ``pandas.DataFrame`` with exactly the columns :data:`TICK_COLUMNS`, in time order:

========== ======= ==============================================================================================
column     dtype   meaning
========== ======= ==============================================================================================
``ts``     float64 time, seconds (LOBSTER: after midnight; generic files: since the Unix epoch, UTC)
``kind``   int8    :data:`QUOTE` (a top-of-book update) or :data:`TRADE` (a print)
``bid``    float64 best bid after the update (NaN on TRADE rows)
``ask``    float64 best ask after the update (NaN on TRADE rows)
``bid_size`` float64 size at the best bid (NaN on TRADE rows, and on QUOTE rows when the file has no sizes)
``ask_size`` float64 size at the best ask (likewise)
``price``  float64 trade price (NaN on QUOTE rows)
``size``   float64 trade size (NaN on QUOTE rows)
``side``   int8    aggressor of a TRADE: +1 buyer-initiated, -1 seller-initiated (0 on QUOTE rows)
========== ======= ==============================================================================================

Prices are in currency units. A TRADE row met the book of the QUOTE rows before it; a QUOTE row never shows a
crossed or locked book (``bid >= ask``): such updates are skipped and counted in ``FileSource.stats``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from engine import DataError
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

QUOTE = 0
TRADE = 1
TICK_COLUMNS = ("ts", "kind", "bid", "ask", "bid_size", "ask_size", "price", "size", "side")
TICK_DTYPES = {"ts": np.float64, "kind": np.int8, "bid": np.float64, "ask": np.float64, "bid_size": np.float64,
           "ask_size": np.float64, "price": np.float64, "size": np.float64, "side": np.int8}


def ticks_from_columns(ts: np.ndarray, kind: np.ndarray, *, bid=None, ask=None, bid_size=None, ask_size=None,
                       price=None, size=None, side=None) -> pd.DataFrame:
    """A tick chunk from column arrays of one length; a column not given is NaN (``side``: 0)."""
    n = len(ts)
    given = {"ts": ts, "kind": kind, "bid": bid, "ask": ask, "bid_size": bid_size, "ask_size": ask_size,
             "price": price, "size": size, "side": side}
    columns = {}
    for name in TICK_COLUMNS:
        dtype = TICK_DTYPES[name]
        value = given[name]
        if value is None:
            value = np.zeros(n, dtype) if dtype is np.int8 else np.full(n, np.nan)
        columns[name] = np.asarray(value, dtype=dtype)
    return pd.DataFrame(columns, copy=False)


class FileSource:
    """A re-readable stream of tick chunks read from files (it satisfies the :class:`feeds.TickSource` protocol;
    :class:`feeds.FrameSource` is its in-memory counterpart).

    Attributes
    ----------
    name : str
        Short name of the data (the instrument and day for LOBSTER, the quotes file's stem otherwise).
    files : tuple of str
        The files read.
    row_files : tuple of str
        The files whose data rows ``stats["rows"]`` counts (all of them, unless given: LOBSTER's message file,
        whose order-book file pairs row for row with it).
    trades_file : str
        The file the trades come from (named in errors about trades).
    stats : dict
        Counts filled in while chunks are read (reset by every :meth:`chunks` call): ``rows`` (data rows read),
        ``quotes`` and ``trades`` (quote and trade records read), ``quote_rows`` and ``trade_rows`` (QUOTE and
        TRADE rows yielded), ``crossed_or_locked_skipped``, and reader-specific counts.
    warnings : list of str
        Doubts about the data found while reading (each once, naming the file): the data were read, but a
        result may be off. The command line prints them as warnings.
    """

    def __init__(self, name: str, files: tuple[str, ...], trades_file: str, stat_names: tuple[str, ...],
                 reader: Callable[[dict], Iterator[pd.DataFrame]], row_files: tuple[str, ...] | None = None) -> None:
        self.name = name
        self.files = files
        self.row_files = files if row_files is None else row_files
        self.trades_file = trades_file
        self._stat_names = ("rows", "quotes", "trades", "quote_rows", "trade_rows", "crossed_or_locked_skipped",
                            *stat_names)
        self._reader = reader
        self.stats: dict[str, int] = dict.fromkeys(self._stat_names, 0)
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        """Record a doubt about the data (once, however many times the files are read)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Yield tick chunks in time order, reading the files afresh in bounded-memory pieces.

        Raises
        ------
        DataError
            While iterating, at the first malformed row (the message names the file, the row and the problem).
        """
        self.stats.clear()
        self.stats.update(dict.fromkeys(self._stat_names, 0))
        for chunk in self._reader(self.stats):
            if len(chunk):
                kind = chunk["kind"].to_numpy()
                self.stats["quote_rows"] += int((kind == QUOTE).sum())
                self.stats["trade_rows"] += int((kind == TRADE).sum())
                yield chunk

    def read_all(self) -> pd.DataFrame:
        """Every chunk, concatenated into one frame (index 0..n-1)."""
        frames = list(self.chunks())
        return pd.concat(frames, ignore_index=True) if frames else ticks_from_columns(np.empty(0), np.empty(0))

    def __repr__(self) -> str:
        return f"FileSource({self.name!r}, files={self.files!r})"


# -- helpers the readers share ---------------------------------------------------------------------------------

def existing_file(path: str | os.PathLike, what: str) -> Path:
    """``path`` as a Path, or :class:`DataError` if it is not an existing file."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: {what} not found" if not p.exists() else f"{p}: {what} is not a file")
    return p


def shown(value) -> str:
    """``repr`` of a value read from a file, as a plain Python value (``1.5``, not ``np.float64(1.5)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def row_error(path, row: int, problem: str, *, header: bool, params: tuple[str, ...] = ()) -> DataError:
    """A :class:`DataError` naming the file and the 1-based data row (and the text line, for text files), and
    the ``params`` the problem names."""
    where = f"data row {row} (line {row + 1})" if header else f"data row {row}"
    return DataError(f"{path}: {where}: {problem}", params=params)


def first_bad(mask: np.ndarray) -> int | None:
    """Index of the first True in ``mask``, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def check_non_decreasing(ts: np.ndarray, previous: float, path, first_row: int, *, header: bool) -> None:
    """Raise naming the first row whose time is earlier than the row before it (``previous``: the last time of
    the chunk before, ``-inf`` at the start)."""
    before = np.empty_like(ts)
    if len(ts):
        before[0] = previous
        before[1:] = ts[:-1]
    bad = first_bad(ts < before)
    if bad is not None:
        raise row_error(path, first_row + bad, f"timestamp {shown(ts[bad])} is earlier than the row before "
                        f"({shown(before[bad])}): times must not decrease", header=header)


def check_prices(values: np.ndarray, column: str, path, first_row: int, *, header: bool) -> None:
    """Raise naming the first row whose ``column`` is NaN, infinite or not positive."""
    bad = first_bad(~(values > 0) | ~np.isfinite(values))
    if bad is not None:
        raise row_error(path, first_row + bad, f"{column} {shown(values[bad])} is not a positive price", header=header)


def check_sizes(values: np.ndarray, column: str, path, first_row: int, *, header: bool, strictly: bool) -> None:
    """Raise naming the first row whose ``column`` is NaN, infinite, negative (or zero when ``strictly``)."""
    ok = values > 0 if strictly else values >= 0
    bad = first_bad(~ok | ~np.isfinite(values))
    if bad is not None:
        expected = "> 0" if strictly else ">= 0"
        raise row_error(path, first_row + bad, f"{column} {shown(values[bad])} is not a size {expected}", header=header)


def crossed_rows(bid: np.ndarray, ask: np.ndarray, path, first_row: int, *, header: bool, strict: bool,
                 stats: dict, among: np.ndarray | None = None) -> np.ndarray:
    """Mask of the crossed or locked quotes (``bid >= ask``, only ``among`` these rows when given): counted in
    ``stats``, or an error naming the first when ``strict``."""
    crossed = bid >= ask
    if among is not None:
        crossed &= among
    bad = first_bad(crossed)
    if bad is not None:
        if strict:
            raise row_error(path, first_row + bad, f"crossed or locked quote: bid {shown(bid[bad])} >= ask "
                            f"{shown(ask[bad])}", header=header)
        stats["crossed_or_locked_skipped"] += int(crossed.sum())
    return crossed


def numeric(chunk: pd.DataFrame, column, path, first_row: int, *, header: bool, label: str | None = None
            ) -> np.ndarray:
    """``chunk[column]`` as float64, or an error naming the first row that is missing or not a number."""
    col = chunk[column]
    if col.dtype.kind in "fiub":
        values = col.to_numpy(dtype=np.float64)
    else:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
    bad = first_bad(np.isnan(values))
    if bad is not None:
        raw = col.iloc[bad]
        name = label or str(column)
        problem = f"missing {name}" if pd.isna(raw) else f"{name} {shown(raw)} is not a number"
        raise row_error(path, first_row + bad, problem, header=header)
    return values


def csv_chunks(path: Path, chunk_rows: int, *, header: bool, **read_csv) -> Iterator[tuple[int, pd.DataFrame]]:
    """``(first data row, chunk)`` pairs of a CSV file; a line with too many fields raises naming its row."""
    try:
        reader = pd.read_csv(path, header=0 if header else None, chunksize=chunk_rows, **read_csv)
    except pd.errors.EmptyDataError:
        return
    first_row = 1
    with reader:
        while True:
            try:
                chunk = next(reader)
            except StopIteration:
                return
            except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
                if found:
                    expected, line, saw = (int(g) for g in found.groups())
                    raise row_error(path, line - header, f"expected {expected} fields, found {saw}",
                                    header=header) from None
                raise DataError(f"{path}: cannot be parsed as CSV ({exc})") from None
            if len(chunk):  # an empty file read with column names gives one empty chunk
                yield first_row, chunk
                first_row += len(chunk)
