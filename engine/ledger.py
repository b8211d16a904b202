"""The ledger: an append-only record of every quote, fill and mark, cheap to write in the hot loop.

Rows are appended as tuples to plain lists (one append per row); the first time a table is read it becomes a
``pandas.DataFrame`` with one column per field. Every P&L figure in :mod:`analytics` is derived from these tables.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from engine.errors import DataError
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")

FILL_COLUMNS = ("path", "time", "side", "price", "size", "mid", "fee", "inventory", "cash")
QUOTE_COLUMNS = ("path", "time", "bid", "ask", "bid_size", "ask_size", "mid", "inventory")
MARK_COLUMNS = ("path", "time", "mid", "inventory", "cash", "mtm")
TABLES = {"fills": FILL_COLUMNS, "quotes": QUOTE_COLUMNS, "marks": MARK_COLUMNS}
_INT_COLUMNS = {"path", "side"}


def _frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    data = np.array(rows, dtype=float).reshape(len(rows), len(columns))
    frame = pd.DataFrame(data, columns=list(columns))
    for name in _INT_COLUMNS.intersection(columns):
        frame[name] = frame[name].astype(np.int64)
    return frame


class Ledger:
    """Columns of fills, quotes and marks over one or many paths.

    Attributes
    ----------
    fill_rows, quote_rows, mark_rows : list of tuple
        The raw rows, in :data:`FILL_COLUMNS`, :data:`QUOTE_COLUMNS` and :data:`MARK_COLUMNS` order. The engine
        appends to them; read the tables through :attr:`fills`, :attr:`quotes` and :attr:`marks`.

    Notes
    -----
    ``quotes`` has one row per quote that became live; a withdrawn side is NaN. ``marks`` has one row at the
    start, one after every change of the mid, and one at the end of each path, with
    ``mtm = cash + inventory * mid``.
    """

    def __init__(self) -> None:
        self.fill_rows: list[tuple] = []
        self.quote_rows: list[tuple] = []
        self.mark_rows: list[tuple] = []
        self._frames: dict[str, pd.DataFrame] = {}

    @classmethod
    def from_frames(cls, fills: pd.DataFrame, quotes: pd.DataFrame, marks: pd.DataFrame) -> Ledger:
        """A read-only ledger over existing tables (for example loaded from disk)."""
        ledger = cls()
        ledger._frames = {"fills": fills, "quotes": quotes, "marks": marks}
        return ledger

    def _table(self, name: str) -> pd.DataFrame:
        frame = self._frames.get(name)
        if frame is None:
            frame = self._frames[name] = _frame(getattr(self, name[:-1] + "_rows"), TABLES[name])
        return frame

    @property
    def fills(self) -> pd.DataFrame:
        """One row per fill: path, time, side (+1 bought at our bid, -1 sold at our ask), price, size, mid,
        fee, inventory and cash after the fill."""
        return self._table("fills")

    @property
    def quotes(self) -> pd.DataFrame:
        """One row per quote that became live: path, time, bid, ask (NaN when withdrawn), sizes, mid, inventory."""
        return self._table("quotes")

    @property
    def marks(self) -> pd.DataFrame:
        """Mark-to-market rows: path, time, mid, inventory, cash, mtm = cash + inventory * mid."""
        return self._table("marks")

    def save(self, directory: str | os.PathLike) -> None:
        """Write ``fills.parquet``, ``quotes.parquet`` and ``marks.parquet`` into ``directory``.

        Each file is written to a temporary name first and renamed into place, so a crash never leaves a
        half-written file behind.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            write_atomic(directory / f"{name}.parquet", lambda tmp, n=name: self._table(n).to_parquet(tmp))

    @classmethod
    def load(cls, directory: str | os.PathLike, paths: int | None = None) -> Ledger:
        """Read a ledger written by :meth:`save` (or :class:`LedgerWriter`); with ``paths``, only the rows of
        paths ``0 .. paths - 1`` (the rest is not read into memory).

        Raises
        ------
        DataError
            If a file is missing, is not Parquet, or lacks a column or has one that is not numeric.
        """
        directory = Path(directory)
        frames = {}
        for name, columns in TABLES.items():
            path = directory / f"{name}.parquet"
            if not path.is_file():
                raise DataError(f"{path}: missing ledger file")
            try:
                frame = pd.read_parquet(path, filters=None if paths is None else [("path", "<", int(paths))])
            except (OSError, ValueError, pa.ArrowException) as exc:
                raise DataError(f"{path}: not a readable Parquet ledger file ({exc})") from None
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
            for column in columns:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    raise DataError(f"{path}: column {column} holds {frame[column].dtype} values, not numbers")
            frames[name] = frame
        return cls.from_frames(**frames)


#: Rows :class:`ParquetAppender` gathers into one row group (bounded memory, few groups per file).
ROW_GROUP_ROWS = 250_000


class ParquetAppender:
    """Write a table to one Parquet file in pieces, in bounded memory: :meth:`append` frames (same columns and
    types), then :meth:`close`. The file appears under its name only once closed; :meth:`abort` removes it.

    Pieces are gathered into row groups of at least :data:`ROW_GROUP_ROWS` rows, so the file depends only on
    the rows and the order of the pieces.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)
        self._tmp = Path(tmp)
        self._writer = None
        self._pending: list[pd.DataFrame] = []
        self._rows = 0

    def append(self, frame: pd.DataFrame) -> None:
        self._pending.append(frame)
        self._rows += len(frame)
        if self._rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        import pyarrow.parquet as pq  # imported on first use: most commands never stream

        table = pa.Table.from_pandas(pd.concat(self._pending, ignore_index=True), preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, table.schema)
        self._writer.write_table(table)
        self._pending, self._rows = [], 0

    def close(self) -> None:
        """Write what is pending and move the file into place."""
        try:
            self._flush()
            self._writer.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the file."""
        if self._writer is not None:
            self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ParquetAppender:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class LedgerWriter:
    """Save a ledger arriving in pieces (:func:`engine.montecarlo.iter_ledgers`) as the three files of
    :meth:`Ledger.save`, without holding it all in memory. Use as a context manager: the files are complete
    when the block ends, and absent if it fails."""

    def __init__(self, directory: str | os.PathLike) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._files = {name: ParquetAppender(directory / f"{name}.parquet") for name in TABLES}

    def append(self, ledger: Ledger) -> None:
        for name, appender in self._files.items():
            appender.append(ledger._table(name))

    def __enter__(self) -> LedgerWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        for appender in self._files.values():
            appender.__exit__(kind, exc, tb)


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: str | os.PathLike, write) -> None:
    """Call ``write(tmp_path)`` and rename the result to ``path``; on any error remove the temporary file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:  # at once: a Ctrl-C landing between here and the write must not leave the temporary file behind
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the mode a plain open() would
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
