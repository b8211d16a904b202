"""Feeds: where market events come from. Each satisfies :class:`engine.Feed`."""

from feeds.synthetic import SyntheticMarket

__all__ = ["SyntheticMarket"]
