"""Feeds: where market events come from. Each satisfies :class:`engine.Feed`."""

from feeds.replay import (QUOTE, TICK_COLUMNS, TRADE, FrameSource, ReplayFeed, TickSource, infer_tick_size,
                          quote_row, tick_frame, trade_row)
from feeds.synthetic import SyntheticMarket

__all__ = ["FrameSource", "QUOTE", "ReplayFeed", "SyntheticMarket", "TICK_COLUMNS", "TRADE", "TickSource",
           "infer_tick_size", "quote_row", "tick_frame", "trade_row"]
