"""No phantom fills over a whole replayed day, level 1 and level 10: at every instant our filled size on a side
never exceeds what the other side brought at or through our price then.

The bound is computed here from the raw LOBSTER files, independently of the fill models: at instant ``t``, for
our bid at price ``q``, what sellers brought is the size of every execution (visible or hidden) at ``t`` of a
resting buy order at a price ``<= q`` (the seller met our better or equal bid first), plus the displayed ask size
at prices ``<= q`` that appeared at ``t`` (the sum over the rows at ``t`` of the rise of that size from the row
before: an order posted through our price would have traded with us). Asks are the mirror image.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine import Simulation, TradeThroughFills
from engine.queue_fills import QueueFills
from engine.replay_fills import LevelOneRun
from feeds import FrameSource, ReplayFeed, read_lobster
from feeds.lobster_book import LobsterBookFeed, LobsterBookSource
from strategies import Retimed, RollingAvellanedaStoikov

GOOG = "GOOG_2012-06-21_34200000_57600000_{}_{}.csv"


def brought(message_csv, orderbook_csv, fills: pd.DataFrame, rows: int | None = None) -> pd.DataFrame:
    """Per instant and side of our fills: ``filled`` (our total) and ``brought`` (the bound above, at the fill
    price of that instant and side that gives the largest bound)."""
    msg = pd.read_csv(message_csv, header=None, nrows=rows).to_numpy(dtype=np.float64)
    book = pd.read_csv(orderbook_csv, header=None, nrows=rows).to_numpy(dtype=np.float64)
    time, kind, size, price, direction = msg[:, 0], msg[:, 1], msg[:, 3], msg[:, 4] / 1e4, msg[:, 5]
    ask_p, ask_s, bid_p, bid_s = (book[:, k::4] for k in range(4))
    ask_p, bid_p = ask_p / 1e4, bid_p / 1e4
    executed = np.isin(kind, (4, 5))
    out = []
    for (t, side), group in fills.groupby(["time", "side"]):
        first, last = np.searchsorted(time, t, "left"), np.searchsorted(time, t, "right")
        bounds = []
        at, rows_then = slice(first, last), slice(max(first - 1, 0), last)  # the rows at t and the one before
        for q in group["price"].unique():
            if side == 1:  # our bid: sells hitting bids at <= q; asks shown at <= q
                traded = size[at][executed[at] & (direction[at] == 1) & (price[at] <= q + 1e-9)].sum()
                shown = np.where(ask_p[rows_then] <= q + 1e-9, ask_s[rows_then], 0.0)
            else:
                traded = size[at][executed[at] & (direction[at] == -1) & (price[at] >= q - 1e-9)].sum()
                shown = np.where(bid_p[rows_then] >= q - 1e-9, bid_s[rows_then], 0.0)
            through = shown.sum(axis=1)
            if first == 0:
                through = np.concatenate([[0.0], through])
            bounds.append(traded + np.clip(np.diff(through), 0.0, None).sum())
        out.append((t, side, group["size"].sum(), max(bounds)))
    return pd.DataFrame(out, columns=["time", "side", "filled", "brought"])


def phantom(fills, message_csv, orderbook_csv, rows=None) -> pd.DataFrame:
    """The instants where we filled more than the other side brought."""
    b = brought(message_csv, orderbook_csv, fills, rows)
    return b[b.filled > b.brought + 1e-9]


def strategy():
    return Retimed(RollingAvellanedaStoikov(k=20.0, order_size=100.0), 0.1)


@pytest.mark.slow
def test_level_one_replay_of_a_whole_day_never_fills_more_than_the_other_side_brought(lobster_dir):
    """GOOG level 1 with the level-1 model: thousands of fills, through, at price and book-through, none phantom."""
    message = lobster_dir / GOOG.format("message", 1)
    sim = Simulation(ReplayFeed(read_lobster(message)), strategy(), TradeThroughFills(0.01))
    fills = sim.run().fills
    assert len(fills) > 1000 and sim.fills.stats["fills_book_through"] > 100
    assert phantom(fills, message, lobster_dir / GOOG.format("orderbook", 1)).empty


@pytest.mark.slow
def test_level_ten_replay_of_a_whole_day_never_fills_more_than_the_other_side_brought(lobster_dir):
    """GOOG level 10 with exact queues: every fill (queue, through, posted through) within what was brought."""
    message = lobster_dir / GOOG.format("message", 10)
    sim = Simulation(LobsterBookFeed(LobsterBookSource(message)), strategy(), QueueFills(0.01))
    fills = sim.run().fills
    stats = sim.fills.stats
    assert len(fills) > 1000 and stats["fills_book_through"] > 100 and stats["fills_at_touch"] > 10
    assert phantom(fills, message, lobster_dir / GOOG.format("orderbook", 10)).empty


class WholeQuoteOnBookThrough(TradeThroughFills):
    """The rule this project used to have: a book moving through our price fills the whole remaining quote."""

    def attach(self, sim, rng):
        run = super().attach(sim, rng)

        def on_book():
            for quote, opposite in ((sim.bid, sim.state.best_ask), (sim.ask, sim.state.best_bid)):
                if quote is not None and quote.side * (quote.price - opposite) >= 0:
                    run.fill(quote, quote.left, True)
            LevelOneRun.on_book(run)

        run.on_book = on_book
        return run


def test_the_check_catches_a_model_that_fills_the_whole_quote_when_the_book_moves_through_it(lobster_dir):
    """The old book-through rule makes phantom fills on the first 20,000 rows; the check finds them."""
    message, book = lobster_dir / GOOG.format("message", 1), lobster_dir / GOOG.format("orderbook", 1)
    rows = 20_000
    end = pd.read_csv(message, header=None, nrows=rows)[0].iloc[-1]
    first = next(iter(read_lobster(message).chunks()))
    sliced = FrameSource([first[first.ts < end]])
    sim = Simulation(ReplayFeed(sliced), strategy(), WholeQuoteOnBookThrough(0.01))
    bad = phantom(sim.run().fills, message, book, rows)
    assert len(bad) > 0
