"""A checked level-N LOBSTER day kept between runs, so that the next replay of the same files loads it instead of
parsing and checking 40 columns again (what hftbacktest does with its converted ``.npz`` days).

The day's :class:`feeds.lobster_book.BookChunk` s are saved as arrays in one ``.npz`` file (no pickle: the file
holds numbers and text only) under a folder the user names. Its name is a hash of what could change them: both
files' resolved paths, sizes, inode numbers, modification and inode-change times (a file rewritten in any way,
even with its old modification time put back, changes the last), the level, the chunk size, the end (a warm-up's
span is an entry of its own) and the source of the code that reads and checks the files. An entry that cannot be
read back whole is read from the files again and replaced; a day whose reading fails is not kept; a folder that
cannot be written is not an error (the replay goes on from the files).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import numpy as np

import engine.scheduler
import feeds.lobster
import feeds.lobster_book
import feeds.tickdata
from engine.ledger import write_atomic
from feeds.lobster_book import BookChunk, BookInMemory, LobsterBookSource

#: The layout of an entry: bumped when it changes (the code's own source is in the key as well).
FORMAT = 1

_INT_FIELDS = ("kind", "order_id", "size", "price", "side", "level_size", "priority")


@functools.cache
def _code() -> str:
    """A hash of the modules that read and check a day (and give its rows their priorities)."""
    digest = hashlib.sha256()
    for module in (feeds.lobster_book, feeds.lobster, feeds.tickdata, engine.scheduler):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def cache_file(source: LobsterBookSource, folder: str | os.PathLike) -> Path:
    """Where ``source``'s checked day is kept in ``folder``."""
    identity = [FORMAT, _code(), source.levels, source.chunk_rows, source.until]
    for path in (source.message, source.book):
        stat = Path(path).stat()
        identity += [str(Path(path).resolve()), stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]
    digest = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]
    return Path(folder) / f"{source.name}-{digest}.npz"


def cached_book(source: LobsterBookSource, folder: str | os.PathLike) -> BookInMemory:
    """``source``'s checked day, from ``folder`` when it is there, else read from the files (the reading's errors
    are raised as ever) and saved there for the next run.

    Parameters
    ----------
    source : LobsterBookSource
        The files, read to their end or to ``until`` (a warm-up: kept as an entry of its own).
    folder : path
        The cache folder (made if missing).
    """
    path = cache_file(source, folder)
    if path.is_file():
        try:
            return _load(path, source)
        except Exception:  # noqa: BLE001 - an entry that is not whole or not ours: read the files again
            pass
    book = BookInMemory(source)
    if book.error is None:  # a day whose reading fails is not kept: the next run names its error again
        try:
            _save(book, path)
        except OSError:  # a full or read-only folder: this run goes on from the files it has read
            pass
    return book


def _save(book: BookInMemory, path: Path) -> None:
    chunks = list(book.chunks())
    arrays = {"meta": np.array(json.dumps({"format": FORMAT, "name": book.name, "levels": book.levels,
                                           "stats": book.stats}))}
    arrays["rows"] = np.array([len(c.time) for c in chunks], dtype=np.int64)
    arrays["first_row"] = np.array([c.first_row for c in chunks], dtype=np.int64)
    arrays["bad_row"] = np.array([c.bad_row for c in chunks], dtype=np.int64)
    arrays["problem"] = np.array([c.problem for c in chunks], dtype=str)
    arrays["time"] = np.array([t for c in chunks for t in c.time], dtype=np.float64)
    arrays["entered"] = np.array([e for c in chunks for e in c.entered], dtype=bool)
    for field in _INT_FIELDS:
        arrays[field] = np.array([v for c in chunks for v in getattr(c, field)], dtype=np.int64)
    tops = [(i, t) for c in chunks for i, t in enumerate(c.top) if t is not None]
    arrays["top_chunk_rows"] = np.array([len([t for t in c.top if t is not None]) for c in chunks], dtype=np.int64)
    arrays["top_row"] = np.array([i for i, _ in tops], dtype=np.int64)
    arrays["top"] = np.array([t for _, t in tops], dtype=np.float64).reshape(-1, 4)
    edges = [(row, *e) for c in chunks for row, moved in c.edges.items() for e in moved]
    arrays["edge_chunk_rows"] = np.array([sum(len(m) for m in c.edges.values()) for c in chunks], dtype=np.int64)
    arrays["edge"] = np.array(edges, dtype=np.int64).reshape(-1, 4)  # row, side, price, size
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:  # a file, not a name: np.savez would add ".npz" to the temporary one
            np.savez(f, **arrays)

    write_atomic(path, write)  # whole or absent, with the user's file mode


def _edges(edge: np.ndarray) -> dict[int, list]:
    """``{row: [(side, price, size), ...]}`` from the rows ``(row, side, price, size)`` as saved: each row's
    edges are consecutive, in their order."""
    if not len(edge):
        return {}
    moved = list(zip(*(edge[:, j].tolist() for j in (1, 2, 3))))
    rows = edge[:, 0]
    bounds = [0, *(np.flatnonzero(rows[1:] != rows[:-1]) + 1).tolist(), len(edge)]
    return {row: moved[a:b] for row, a, b in zip(rows[bounds[:-1]].tolist(), bounds[:-1], bounds[1:])}


def _load(path: Path, source: LobsterBookSource) -> BookInMemory:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta["format"] != FORMAT or (meta["name"], meta["levels"]) != (source.name, source.levels):
            raise ValueError(f"{path}: not an entry of this day")
        columns = {f: data[f] for f in ("time", "entered", *_INT_FIELDS)}
        rows, first_rows, bad_rows, problems = data["rows"], data["first_row"], data["bad_row"], data["problem"]
        top_rows, top, top_counts = data["top_row"], data["top"], data["top_chunk_rows"]
        edge, edge_counts = data["edge"], data["edge_chunk_rows"]
    # Whole, or read again: every column as long as the rows, every top and edge within its chunk.
    total = int(rows.sum())
    if (any(len(c) != total for c in columns.values()) or len(first_rows) != len(rows) or int(top_counts.sum()) != len(top)
            or len(top_rows) != len(top) or int(edge_counts.sum()) != len(edge) or (rows < 0).any()):
        raise ValueError(f"{path}: not whole")
    chunks = []
    start = top_start = edge_start = 0
    for k, n in enumerate(rows.tolist()):
        end, top_end, edge_end = start + n, top_start + int(top_counts[k]), edge_start + int(edge_counts[k])
        lists = {f: columns[f][start:end].tolist() for f in columns}
        tops: list = [None] * n
        for row, t in zip(top_rows[top_start:top_end].tolist(), map(tuple, top[top_start:top_end].tolist())):
            tops[row] = t  # an index past the chunk raises: not whole
        chunks.append(BookChunk(first_row=int(first_rows[k]), top=tops, edges=_edges(edge[edge_start:edge_end]),
                                bad_row=int(bad_rows[k]), problem=str(problems[k]), **lists))
        start, top_start, edge_start = end, top_end, edge_end
    return BookInMemory.from_chunks(source, chunks, meta["stats"])
