"""Reader for generic tick files: one file of quotes and one of trades, CSV or Parquet, merged into tick chunks.

Quotes file columns: ``ts``, ``bid``, ``ask`` and optionally ``bid_size``, ``ask_size``. Trades file columns:
``ts``, ``price``, ``size``, ``side`` (the aggressor: ``buy``/``sell`` in any case, or ``+1``/``1``/``-1``).
Other columns are ignored. ``ts`` is ISO-8601 text (naive times are UTC), integer nanoseconds since the Unix epoch,
or float seconds; the first row of each file sets the format for the whole file (write float seconds with a
decimal point: ``12`` reads as 12 nanoseconds). A Parquet timestamp column works too. Times become float seconds
since the epoch (about 0.2 microsecond resolution in 2020s dates).

The two files must share a clock: both naive, or both at one UTC offset (epoch numbers are UTC), judged from
their first rows, and their spans must overlap. While reading, a trade that meets a quote older than
``max_quote_age_s`` (a gap in the quotes, or quotes that end early) is refused, or counted with ``allow_stale``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from engine import DataError
from engine.lazy_modules import lazy_module
from feeds.tickdata import (QUOTE, TRADE, FileSource, check_non_decreasing, check_prices, check_sizes,
                            crossed_rows, csv_chunks, existing_file, first_bad, numeric, row_error, shown,
                            ticks_from_columns)

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")

QUOTE_REQUIRED = ("ts", "bid", "ask")
QUOTE_OPTIONAL = ("bid_size", "ask_size")
TRADE_REQUIRED = ("ts", "price", "size", "side")
_SIDES = {"buy": 1, "sell": -1, "1": 1, "+1": 1, "-1": -1, "1.0": 1, "+1.0": 1, "-1.0": -1}
#: Default ``max_quote_age_s``: a liquid book changes many times a second, so a trade meeting a top of book
#: unchanged for a minute most likely meets a gap in the quotes file.
MAX_QUOTE_AGE_S = 60.0


def read_tick_files(quotes_path: str | os.PathLike, trades_path: str | os.PathLike, *, chunk_rows: int = 100_000,
                    strict: bool = False, max_quote_age_s: float | None = MAX_QUOTE_AGE_S,
                    allow_stale: bool = False) -> FileSource:
    """Tick chunks from a quotes file and a trades file, merged in time order.

    Each file must be in time order. Rows of the two files are merged by ``ts``; at equal times TRADE rows come
    before QUOTE rows. This is the conservative choice: a trade meets the book that prevailed before it, never a
    quote stamped with the same time that may have been its consequence.

    Parameters
    ----------
    quotes_path, trades_path : path
        ``.csv`` or ``.parquet`` files (the extension decides).
    chunk_rows : int
        Rows read at a time from each file: memory stays bounded (two chunks per file at most, unless one
        timestamp is shared by more rows than that).
    strict : bool
        Reject a crossed or locked quote (``bid >= ask``) instead of skipping it.
    max_quote_age_s : float or None
        Refuse a trade that meets a quote (the last one before it) older than this many seconds; None: no limit.
        Trades before the first quote meet no book and are not checked.
    allow_stale : bool
        Read such trades anyway: count them in ``stats["stale_trades"]`` and add a line to ``warnings``.

    Returns
    -------
    FileSource
        ``stats`` counts ``rows`` (both files), ``quotes`` and ``trades`` (rows read from each file),
        ``quote_rows`` and ``trade_rows`` (rows yielded), ``crossed_or_locked_skipped`` and ``stale_trades``.

    Raises
    ------
    DataError
        A file is missing, has an unsupported extension or lacks a required column, the files' times are in
        different time zones (naive and with an offset, or two offsets) or their spans do not overlap; or, while
        reading, a row has a time that cannot be parsed or goes backwards, a price that is NaN or not positive, a
        size that is not a number >= 0 (> 0 for trades), an unknown side, or (without ``allow_stale``) a trade
        meets a quote older than ``max_quote_age_s``. The message names the file and the data row (counted from
        1, the CSV header line not counted).
    """
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise DataError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
    if max_quote_age_s is not None and not max_quote_age_s > 0:
        raise DataError(f"max_quote_age_s must be > 0, got {max_quote_age_s!r}")
    quotes = existing_file(quotes_path, "quotes file")
    trades = existing_file(trades_path, "trades file")
    quote_columns = _columns(quotes, QUOTE_REQUIRED, QUOTE_OPTIONAL)
    trade_columns = _columns(trades, TRADE_REQUIRED, ())
    _check_clocks(quotes, trades, max_quote_age_s or 0.0)

    def reader(stats: dict) -> Iterator[pd.DataFrame]:
        ages = _QuoteAges(quotes, trades, max_quote_age_s, allow_stale, stats, source.warn)
        return _merge(_quotes(quotes, quote_columns, chunk_rows, strict, stats),
                      _trades(trades, trade_columns, chunk_rows, stats), ages)

    source = FileSource(quotes.stem, (str(quotes), str(trades)), str(trades), ("stale_trades",), reader)
    return source


# -- files -----------------------------------------------------------------------------------------------------

def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise DataError(f"{path}: unsupported file type {suffix or '(none)'!r}: expected .csv or .parquet")


def _columns(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """The columns to read: all of ``required`` (else an error naming the missing ones) and those of ``optional``
    that are present."""
    csv = _kind(path) == "csv"
    try:
        if csv:
            names = list(pd.read_csv(path, nrows=0).columns)
        else:
            import pyarrow.parquet as pq
            names = pq.ParquetFile(path).schema_arrow.names
    except pd.errors.EmptyDataError:
        names = []
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    missing = [c for c in required if c not in names]
    if missing:
        found = ", ".join(map(str, names)) or "none"
        where = "header (line 1)" if csv else "schema"
        raise DataError(f"{path}: {where}: missing column(s) {', '.join(missing)} (found: {found}; "
                        f"required: {', '.join(required)})")
    return [*required, *(c for c in optional if c in names)]


def _chunks(path: Path, columns: list[str], chunk_rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """``(first data row, chunk)`` pairs of ``columns``; CSV text columns ``ts`` and ``side`` stay text."""
    if _kind(path) == "csv":
        text = {c: str for c in ("ts", "side") if c in columns}
        # All columns are parsed (not usecols) so that a row with more fields than the header is an error.
        for first_row, chunk in csv_chunks(path, chunk_rows, header=True, dtype=text):
            yield first_row, chunk[columns]
        return
    import pyarrow.parquet as pq
    first_row = 1
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=columns):
            chunk = batch.to_pandas()
            yield first_row, chunk
            first_row += len(chunk)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: cannot be read as Parquet after data row {first_row - 1} ({exc})") from None


# -- columns ---------------------------------------------------------------------------------------------------

def _time_format(col: pd.Series) -> str:
    """How a file writes ``ts``, judged from its column type and first value."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return "datetime"
    if pd.api.types.is_integer_dtype(col):
        return "ns"
    if pd.api.types.is_float_dtype(col):
        return "seconds"
    first = str(col.iloc[0]).strip() if len(col) and not pd.isna(col.iloc[0]) else ""
    if first.lstrip("+-").isdigit():
        return "ns"
    try:
        float(first)
        return "seconds"
    except ValueError:
        return "iso"


_PLAUSIBLE_NS_S = 1e8  # seconds: 10**17 ns after the epoch, March 1973
_FORMAT_NAMES = {"ns": "integer nanoseconds since the epoch", "seconds": "a number of seconds",
                 "iso": "an ISO-8601 time", "datetime": "a timestamp"}


def _times(col: pd.Series, fmt: str, path: Path, first_row: int, header: bool) -> np.ndarray:
    """``ts`` as float seconds, or an error naming the first row not written in the file's format ``fmt``."""
    if fmt == "ns" and pd.api.types.is_integer_dtype(col):
        values = col.to_numpy(dtype=np.int64) / 1e9
        bad = np.zeros(len(values), dtype=bool)
    elif fmt in ("seconds", "ns") and pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=np.float64)
        if fmt == "ns":
            values = np.where(values == np.round(values), values / 1e9, np.nan)
        bad = ~np.isfinite(values)
    elif fmt == "ns":
        text = col.astype(str).str.strip()
        bad = ~text.str.fullmatch(r"[+-]?\d+").fillna(False).to_numpy(dtype=bool) | col.isna().to_numpy()
        values = np.where(bad, "0", text).astype(np.int64) / 1e9
    elif fmt == "seconds":
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
    else:
        stamps = (pd.to_datetime(col, format="ISO8601", utc=True, errors="coerce") if fmt == "iso"
                  else col.dt.tz_localize("UTC") if col.dt.tz is None else col)
        bad = stamps.isna().to_numpy()
        values = ((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)
    row = first_bad(np.asarray(bad))
    if row is not None:
        raw = col.iloc[row]
        problem = "missing ts" if pd.isna(raw) else f"ts {shown(raw)} is not {_FORMAT_NAMES[fmt]}"
        raise row_error(path, first_row + row, f"{problem} (the format of the file's first row)", header=header)
    if fmt == "ns":
        # Whole numbers read as nanoseconds; whole seconds, milliseconds or microseconds would otherwise replay
        # 10**9, 10**6 or 10**3 times too fast. No tick data in epoch nanoseconds falls before 1973 (10**17 ns).
        row = first_bad(np.asarray(values < _PLAUSIBLE_NS_S))
        if row is not None:
            raise row_error(path, first_row + row, f"ts {shown(col.iloc[row])} reads as integer nanoseconds since "
                            "the epoch, a time before 1973 (seconds, milliseconds or microseconds?): write "
                            "float seconds with a decimal point (for example 12.0) or an ISO-8601 time", header=header)
    return values


def _sides(col: pd.Series, path: Path, first_row: int, header: bool) -> np.ndarray:
    """Aggressor sides as +1 / -1, or an error naming the first row that is not buy, sell, +1 or -1."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.to_numpy(dtype=np.float64)
        side = np.where(values == 1, 1, np.where(values == -1, -1, 0))
    else:
        side = col.astype(str).str.strip().str.lower().map(_SIDES).fillna(0).to_numpy(dtype=np.int64)
    bad = first_bad(side == 0)
    if bad is not None:
        raise row_error(path, first_row + bad, f"side {shown(col.iloc[bad])} is not buy, sell, +1 or -1", header=header)
    return side


class _Stream:
    """Validated chunks of one file, with the format of its times fixed by its first row."""

    def __init__(self, path: Path, columns: list[str], chunk_rows: int, stats: dict, counter: str) -> None:
        self.path, self.columns, self.chunk_rows, self.stats, self.counter = path, columns, chunk_rows, stats, counter
        self.header = _kind(path) == "csv"

    def __iter__(self) -> Iterator[tuple[int, pd.DataFrame, np.ndarray]]:
        fmt, last = None, -np.inf
        for first_row, chunk in _chunks(self.path, self.columns, self.chunk_rows):
            if not len(chunk):
                continue
            self.stats["rows"] += len(chunk)
            self.stats[self.counter] += len(chunk)
            fmt = fmt or _time_format(chunk["ts"])
            ts = _times(chunk["ts"], fmt, self.path, first_row, self.header)
            check_non_decreasing(ts, last, self.path, first_row, header=self.header)
            last = ts[-1]
            yield first_row, chunk, ts

    def numbers(self, chunk: pd.DataFrame, column: str, first_row: int) -> np.ndarray:
        return numeric(chunk, column, self.path, first_row, header=self.header)


def _quotes(path: Path, columns: list[str], chunk_rows: int, strict: bool, stats: dict) -> Iterator[dict]:
    stream = _Stream(path, columns, chunk_rows, stats, "quotes")
    for first_row, chunk, ts in stream:
        out = {"ts": ts, "row": first_row + np.arange(len(ts))}
        for column in ("bid", "ask"):
            out[column] = stream.numbers(chunk, column, first_row)
            check_prices(out[column], column, path, first_row, header=stream.header)
        for column in QUOTE_OPTIONAL:
            if column in chunk:
                out[column] = stream.numbers(chunk, column, first_row)
                check_sizes(out[column], column, path, first_row, header=stream.header, strictly=False)
        crossed = crossed_rows(out["bid"], out["ask"], path, first_row, header=stream.header, strict=strict,
                               stats=stats)
        yield {k: v[~crossed] for k, v in out.items()} if crossed.any() else out


def _trades(path: Path, columns: list[str], chunk_rows: int, stats: dict) -> Iterator[dict]:
    stream = _Stream(path, columns, chunk_rows, stats, "trades")
    for first_row, chunk, ts in stream:
        price = stream.numbers(chunk, "price", first_row)
        check_prices(price, "price", path, first_row, header=stream.header)
        size = stream.numbers(chunk, "size", first_row)
        check_sizes(size, "size", path, first_row, header=stream.header, strictly=True)
        yield {"ts": ts, "row": first_row + np.arange(len(ts)), "price": price, "size": size,
               "side": _sides(chunk["side"], path, first_row, stream.header)}


# -- clocks ----------------------------------------------------------------------------------------------------

def _last_csv_line(path: Path) -> str | None:
    """The last non-blank line of a text file, read from its end (None if the file has one line or none)."""
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        tail, start = b"", end
        while start > 0:
            start = max(0, start - 65_536)
            f.seek(start)
            tail = f.read(end - start)
            lines = [line for line in tail.splitlines() if line.strip()]
            if len(lines) > 1 or start == 0:
                return lines[-1].decode("utf-8", "replace") if len(lines) > 1 else None
    return None


def _ends(path: Path) -> tuple[pd.Series, pd.Series | None] | None:
    """``ts`` of the first and the last data row, read without reading the file: None for a file without data
    rows (the full read says so); the last is None when it cannot be read cheaply (the full read names the
    problem, with its row)."""
    if _kind(path) == "parquet":
        import pyarrow.parquet as pq
        try:
            parquet = pq.ParquetFile(path)
            groups = [i for i in range(parquet.num_row_groups) if parquet.metadata.row_group(i).num_rows]
            if not groups:
                return None
            first = parquet.read_row_group(groups[0], columns=["ts"]).column(0)
            last = parquet.read_row_group(groups[-1], columns=["ts"]).column(0)
            return first.slice(0, 1).to_pandas(), last.slice(len(last) - 1, 1).to_pandas()
        except (pa.ArrowException, OSError):
            return None
    try:
        first = pd.read_csv(path, nrows=1, dtype={"ts": str})["ts"]
        header = list(pd.read_csv(path, nrows=0).columns)
    except ValueError:  # not UTF-8, an unclosed quote...: the full read names the problem
        return None
    if not len(first):
        return None
    line = _last_csv_line(path)
    try:
        fields = pd.read_csv(io.StringIO(line), header=None, dtype=str)
    except (ValueError, TypeError, pd.errors.ParserError):
        return first, None
    if fields.shape != (1, len(header)):
        return first, None
    return first, fields.iloc[:, header.index("ts")]


def _zone(col: pd.Series, fmt: str) -> str | None:
    """How a file's times relate to UTC, from its first row: None when naive (ISO text or timestamps without an
    offset), else the offset as ``+HH:MM`` (epoch numbers are ``+00:00``)."""
    if fmt in ("ns", "seconds"):
        return "+00:00"
    first = col.iloc[0]
    try:
        offset = pd.Timestamp(first.strip() if isinstance(first, str) else first).utcoffset()
    except ValueError:
        return None
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_text(zone: str | None) -> str:
    return "naive (no UTC offset)" if zone is None else f"at UTC{zone}"


def _when(seconds: float) -> str:
    return pd.Timestamp(seconds, unit="s").strftime("%Y-%m-%d %H:%M:%S")


def _check_clocks(quotes: Path, trades: Path, max_age: float) -> None:
    """Refuse files whose times cannot be compared: in different time zones (one naive and one with a UTC offset,
    or two offsets), or whose spans do not overlap (the quotes counting until ``max_age`` after their last).
    Judged from each file's first and last rows."""
    ends = []
    for path in (quotes, trades):
        found = _ends(path)
        if found is None:
            return  # no data rows: the full read reports it
        first, last = found
        fmt, header = _time_format(first), _kind(path) == "csv"
        start = _times(first, fmt, path, 1, header)[0]
        try:
            end = _times(last, fmt, path, 1, header)[0] if last is not None else None
        except DataError:
            end = None  # the full read names the row
        if end is not None and end < start:
            end = None  # out of order: the full read names the row
        ends.append((_zone(first, fmt), start, end))
    (q_zone, q_start, q_end), (t_zone, t_start, t_end) = ends
    if q_zone != t_zone:
        raise DataError(f"{trades}: times are {_zone_text(t_zone)} but those of {quotes} are {_zone_text(q_zone)} "
                        "(first data rows): write both files in one time zone")
    if q_end is not None and t_end is not None and (t_start > q_end + max_age or q_start > t_end):
        raise DataError(f"{trades}: the trades ({_when(t_start)} to {_when(t_end)} UTC) do not overlap the quotes "
                        f"of {quotes} ({_when(q_start)} to {_when(q_end)} UTC): the files cover different times")


class _QuoteAges:
    """The age of the quote each trade meets (the last quote before it), against ``max_age`` seconds."""

    def __init__(self, quotes: Path, trades: Path, max_age: float | None, allow: bool, stats: dict, warn) -> None:
        self.quotes, self.trades, self.max_age, self.allow, self.stats, self.warn = (
            quotes, trades, max_age, allow, stats, warn)
        self.last_ts, self.last_row = -np.inf, 0  # the last quote of the chunks merged so far
        self.first = None  # (trade row, age, quote row) of the first stale trade

    def check(self, quotes: dict | None, trades: dict | None) -> None:
        """Check the trades of one merged round: every quote before them is in ``quotes`` or an earlier round."""
        q_ts = quotes["ts"] if quotes is not None else np.empty(0)
        if self.max_age is not None and trades is not None and len(trades["ts"]):
            before = np.searchsorted(q_ts, trades["ts"], side="left") - 1  # the last quote strictly earlier
            met = np.where(before >= 0, q_ts[np.maximum(before, 0)] if len(q_ts) else 0.0, self.last_ts)
            age = trades["ts"] - met
            stale = np.isfinite(age) & (age > self.max_age)  # before the first quote: no book, nothing fills
            i = first_bad(stale)
            if i is not None:
                quote_row = int(quotes["row"][before[i]]) if before[i] >= 0 else self.last_row
                if not self.allow:
                    raise row_error(self.trades, int(trades["row"][i]),
                                    f"the trade at {_when(trades['ts'][i])} UTC meets a quote {age[i]:.3g} s old "
                                    f"({self.quotes} data row {quote_row}), more than the {self.max_age:g} s "
                                    "allowed (max_quote_age_s): the quotes have a gap or end early; "
                                    "allow_stale reads them anyway", header=_kind(self.trades) == "csv",
                                    params=("max_quote_age_s", "allow_stale"))
                self.stats["stale_trades"] += int(stale.sum())
                self.first = self.first or (int(trades["row"][i]), float(age[i]), quote_row)
        if len(q_ts):
            self.last_ts, self.last_row = q_ts[-1], int(quotes["row"][-1])

    def finish(self) -> None:
        """At the end of the data: one warning for the stale trades allowed."""
        if self.first is not None:
            row, age, quote_row = self.first
            self.warn(f"{self.trades}: {self.stats['stale_trades']} trade(s) met a quote older than "
                      f"{self.max_age:g} s (the first at data row {row}, a quote {age:.3g} s old from {self.quotes} "
                      f"data row {quote_row}): fills against stale quotes are doubtful")


# -- merging ---------------------------------------------------------------------------------------------------

def _split(buffer: dict, mask: np.ndarray) -> tuple[dict, dict]:
    return {k: v[mask] for k, v in buffer.items()}, {k: v[~mask] for k, v in buffer.items()}


def _concat(buffer: dict | None, part: dict) -> dict:
    return part if buffer is None or not len(buffer["ts"]) else {k: np.concatenate([buffer[k], part[k]]) for k in part}


def _merge(quotes: Iterator[dict], trades: Iterator[dict], ages: _QuoteAges) -> Iterator[pd.DataFrame]:
    """Merge two time-ordered streams into tick chunks, trades first at equal times, holding at most about two
    chunks of each, checking the age of the quote each trade meets.

    A buffered trade at time t can go out once no quote still to come is earlier than t: quotes still unread
    are no earlier than the last buffered quote. A buffered quote at time t can go out once no trade still to
    come is at or before t. After each round one buffer is empty, and it is refilled.
    """
    qbuf = tbuf = None
    q_done = t_done = False
    while True:
        while not q_done and (qbuf is None or not len(qbuf["ts"])):
            part = next(quotes, None)
            q_done = part is None
            qbuf = qbuf if q_done else _concat(qbuf, part)
        while not t_done and (tbuf is None or not len(tbuf["ts"])):
            part = next(trades, None)
            t_done = part is None
            tbuf = tbuf if t_done else _concat(tbuf, part)
        q_len = 0 if qbuf is None else len(qbuf["ts"])
        t_len = 0 if tbuf is None else len(tbuf["ts"])
        if q_done and t_done and not q_len and not t_len:
            ages.finish()
            return
        q_bound = np.inf if q_done else qbuf["ts"][-1]
        t_bound = np.inf if t_done else tbuf["ts"][-1]
        t_out, tbuf = _split(tbuf, tbuf["ts"] <= q_bound) if t_len else (None, tbuf)
        q_out, qbuf = _split(qbuf, qbuf["ts"] < t_bound) if q_len else (None, qbuf)
        ages.check(q_out, t_out)
        chunk = _tick_rows(q_out, t_out)
        if len(chunk):
            yield chunk


def _tick_rows(quotes: dict | None, trades: dict | None) -> pd.DataFrame:
    """One tick chunk from quote and trade columns, in time order with trades first at equal times."""
    q, t = quotes or {"ts": np.empty(0)}, trades or {"ts": np.empty(0)}
    nq, nt = len(q["ts"]), len(t["ts"])
    ts = np.concatenate([t["ts"], q["ts"]])
    order = np.argsort(ts, kind="stable")  # trades were put first, so they stay first at equal times

    def column(name: str, fill=np.nan) -> np.ndarray:
        return np.concatenate([t.get(name, np.full(nt, fill)), q.get(name, np.full(nq, fill))])[order]

    kind = np.concatenate([np.full(nt, TRADE), np.full(nq, QUOTE)])[order]
    return ticks_from_columns(ts[order], kind, bid=column("bid"), ask=column("ask"), bid_size=column("bid_size"),
                      ask_size=column("ask_size"), price=column("price"), size=column("size"), side=column("side", 0))
