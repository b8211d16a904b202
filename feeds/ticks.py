"""Tick data: the chunk contract (:data:`QUOTE`, :data:`TRADE`, :data:`TICK_COLUMNS`, :class:`TickSource`) and
its readers, :func:`read_lobster` and :func:`read_tick_files`. See :mod:`feeds.tickdata` for the columns."""

from feeds.lobster import read_lobster
from feeds.tickdata import QUOTE, TICK_COLUMNS, TRADE, TickSource, empty_ticks, infer_tick_size, tick_frame
from feeds.tickfiles import read_tick_files

__all__ = ["QUOTE", "TICK_COLUMNS", "TRADE", "TickSource", "empty_ticks", "infer_tick_size", "read_lobster",
           "read_tick_files", "tick_frame"]
