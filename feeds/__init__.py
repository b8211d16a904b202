"""Feeds: where market events come from. Each satisfies :class:`engine.Feed`; the tick readers give the historical
data (LOBSTER, generic quote and trade files) as chunks that replay and calibration consume."""

from feeds.synthetic import SyntheticMarket
from feeds.synthetic_ticks import synthetic_ticks
from feeds.ticks import (QUOTE, TICK_COLUMNS, TRADE, TickSource, empty_ticks, infer_tick_size, read_lobster,
                         read_tick_files, tick_frame)

__all__ = ["QUOTE", "TICK_COLUMNS", "TRADE", "SyntheticMarket", "TickSource", "empty_ticks", "infer_tick_size",
           "read_lobster", "read_tick_files", "synthetic_ticks", "tick_frame"]
