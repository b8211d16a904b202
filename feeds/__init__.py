"""Feeds: where market events come from. Each satisfies :class:`engine.Feed`. Historical data come as tick chunks
(see :mod:`feeds.tickdata`) from the LOBSTER and generic tick-file readers, or from frames in memory; replay and
calibration both read them."""

from feeds.replay import (QUOTE, TICK_COLUMNS, TRADE, FrameSource, ReplayFeed, TickSource, infer_tick_size,
                          quote_row, tick_frame, trade_row)
from feeds.synthetic import SyntheticMarket
from feeds.synthetic_ticks import synthetic_ticks
from feeds.ticks import FileSource, read_lobster, read_tick_files

__all__ = ["FileSource", "FrameSource", "QUOTE", "ReplayFeed", "SyntheticMarket", "TICK_COLUMNS", "TRADE",
           "TickSource", "infer_tick_size", "quote_row", "read_lobster", "read_tick_files", "synthetic_ticks",
           "tick_frame", "trade_row"]
