"""Progress bars on stderr, shown only when stderr is a terminal (and only for work that lasts over half a
second)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm


def _shown() -> bool:
    return sys.stderr.isatty()


def _bar(total: int | None, desc: str, unit: str, initial: int = 0) -> tqdm:
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr, leave=False,
                disable=not _shown(), mininterval=0.2, delay=0.5, unit_scale=unit == "row")


@contextmanager
def progress_bar(total: int, desc: str, unit: str = "path") -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a bar of ``total`` steps; nothing is drawn when stderr is not a terminal."""
    bar = _bar(total, desc, unit)
    try:
        yield bar.update
    finally:
        bar.close()


@contextmanager
def report_progress(desc: str) -> Iterator[Callable[[int, int], None]]:
    """A bar for drawing a report: yields the ``progress(done, total)`` callback of
    :func:`analytics.build_report`."""
    bar = _bar(None, desc, "step")

    def advance(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        bar.close()


def _data_rows(path: str) -> int:
    """Rows of a tick file: Parquet's from its footer, CSV's by counting line ends (fast: bytes, no parsing)."""
    if Path(path).suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq  # loaded only for a parquet input
        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


class _CountedSource:
    """A tick source whose chunks advance a bar by the data rows read (its ``stats["rows"]``)."""

    def __init__(self, source, advance: Callable[[int], None]) -> None:
        self._source, self._advance = source, advance

    def __getattr__(self, name):
        return getattr(self._source, name)

    def chunks(self):
        done = 0
        for chunk in self._source.chunks():
            rows = self._source.stats.get("rows", done)
            self._advance(rows - done)
            done = rows
            yield chunk


@contextmanager
def source_progress(source, desc: str) -> Iterator:
    """Yield ``source`` wrapped so that reading it advances a bar of its data rows (the message file's for
    LOBSTER, both files' for generic ones: what ``stats["rows"]`` counts). The rows are counted only when the
    bar is shown."""
    files = getattr(source, "row_files", ())
    total = sum(_data_rows(f) for f in files) if _shown() and files else None
    with progress_bar(total, desc, "row") as advance:
        yield _CountedSource(source, advance)


@contextmanager
def cell_progress(total: int, done: int, desc: str) -> Iterator[Callable[[int, int], None]]:
    """A bar of ``total`` cells, ``done`` of them already finished, that also shows how many are running and
    left. Yields ``advance(finished, running)``: ``finished`` cells just completed, ``running`` now in flight."""
    bar = _bar(total, desc, "cell", initial=done)

    def advance(finished: int, running: int) -> None:
        left = total - bar.n - finished - running
        bar.set_postfix_str(f"running {running}, left {left}", refresh=False)
        bar.update(finished)

    try:
        yield advance
    finally:
        bar.close()
