"""A checked level-N LOBSTER day kept between runs, so that the next replay of the same files loads it instead of
parsing and checking 40 columns again (what hftbacktest does with its converted ``.npz`` days).

The day's :class:`feeds.lobster_book.BookChunk` s are saved as arrays in one ``.npz`` file (no pickle: the file
holds numbers and text only) under a folder the user names. Its name is a hash of the format version, both files'
resolved paths, sizes and modification times, the level, the chunk size and the end (a warm-up's span is an
entry of its own), so a changed file, another level or another chunking reads the files again. A file that cannot be read back is read from the data again and replaced;
a folder that cannot be written is not an error (the replay goes on from the files).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from feeds.lobster_book import BookChunk, BookInMemory, LobsterBookSource

#: Bumped whenever what a chunk holds, or how it is checked, changes: older files are then not read.
FORMAT = 1

_INT_FIELDS = ("kind", "order_id", "size", "price", "side", "level_size", "priority")


def cache_file(source: LobsterBookSource, folder: str | os.PathLike) -> Path:
    """Where ``source``'s checked day is kept in ``folder``."""
    identity = [FORMAT, source.levels, source.chunk_rows, source.until]
    for path in (source.message, source.book):
        stat = Path(path).stat()
        identity += [str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns]
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
    try:
        return _load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # missing, partial or from elsewhere: read again
        pass
    book = BookInMemory(source)
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)  # whole or absent: a run that stops while saving leaves no partial file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _edges(edge: np.ndarray) -> dict[int, list]:
    """``{row: [(side, price, size), ...]}`` from the rows ``(row, side, price, size)`` as saved: each row's
    edges are consecutive, in their order."""
    if not len(edge):
        return {}
    moved = list(zip(*(edge[:, j].tolist() for j in (1, 2, 3))))
    rows = edge[:, 0]
    bounds = [0, *(np.flatnonzero(rows[1:] != rows[:-1]) + 1).tolist(), len(edge)]
    return {row: moved[a:b] for row, a, b in zip(rows[bounds[:-1]].tolist(), bounds[:-1], bounds[1:])}


def _load(path: Path) -> BookInMemory:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta["format"] != FORMAT:
            raise ValueError(f"{path}: format {meta['format']}, not {FORMAT}")
        columns = {f: data[f] for f in ("time", "entered", *_INT_FIELDS)}
        rows, first_rows, bad_rows, problems = data["rows"], data["first_row"], data["bad_row"], data["problem"]
        top_rows, top, top_counts = data["top_row"], data["top"], data["top_chunk_rows"]
        edge, edge_counts = data["edge"], data["edge_chunk_rows"]
    chunks = []
    start = top_start = edge_start = 0
    for k, n in enumerate(rows.tolist()):
        end, top_end, edge_end = start + n, top_start + int(top_counts[k]), edge_start + int(edge_counts[k])
        lists = {f: columns[f][start:end].tolist() for f in columns}
        tops: list = [None] * n
        for row, t in zip(top_rows[top_start:top_end].tolist(), map(tuple, top[top_start:top_end].tolist())):
            tops[row] = t
        moved = _edges(edge[edge_start:edge_end])
        chunks.append(BookChunk(int(first_rows[k]), lists["time"], lists["kind"], lists["order_id"], lists["size"],
                                lists["price"], lists["side"], lists["level_size"], lists["entered"], tops, moved,
                                lists["priority"], int(bad_rows[k]), str(problems[k])))
        start, top_start, edge_start = end, top_end, edge_end
    return BookInMemory.from_chunks(meta["name"], meta["levels"], chunks, meta["stats"])
