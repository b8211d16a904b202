"""The tick-file readers, :func:`read_lobster` and :func:`read_tick_files`, and what they return: a
:class:`FileSource` of tick chunks (see :mod:`feeds.tickdata` for the columns)."""

from feeds.lobster import read_lobster
from feeds.tickdata import QUOTE, TICK_COLUMNS, TRADE, FileSource
from feeds.tickfiles import read_tick_files

__all__ = ["FileSource", "QUOTE", "TICK_COLUMNS", "TRADE", "read_lobster", "read_tick_files"]
