"""Progress bars on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def _bar(total: int, desc: str, unit: str, initial: int = 0) -> tqdm:
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty(), mininterval=0.2, delay=0.5)


@contextmanager
def progress_bar(total: int, desc: str) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a bar of ``total`` steps; nothing is drawn when stderr is not a terminal."""
    bar = _bar(total, desc, "path")
    try:
        yield bar.update
    finally:
        bar.close()


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
