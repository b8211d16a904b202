"""A progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, desc: str) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a bar of ``total`` steps; nothing is drawn when stderr is not a terminal."""
    bar = tqdm(total=total, desc=desc, unit="path", file=sys.stderr, leave=False,
               disable=not sys.stderr.isatty(), mininterval=0.2, delay=0.5)
    try:
        yield bar.update
    finally:
        bar.close()
