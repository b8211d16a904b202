"""Market-data latency: the strategy quotes from the market as it was ``feed_latency_s`` ago; fills happen on the
market's clock, against the market as it is."""

from __future__ import annotations

import pytest

from engine import SELL, ConfigError, ExponentialFills, Quote, Simulation, TradeThroughFills
from feeds import FrameSource, ReplayFeed, SyntheticMarket, quote_row, trade_row
from strategies import Strategy, SymmetricSpread

# Mids 100 at t=0, 101 at t=1, 102 at t=2; a sell at 100.00 at t=2.2 goes through a bid at 100.5.
ROWS = [quote_row(0.0, 99.0, 101.0), quote_row(1.0, 100.0, 102.0), quote_row(2.0, 101.0, 103.0),
        trade_row(2.2, 100.0, 1, SELL), quote_row(3.0, 101.0, 103.0)]


class Seer(Strategy):
    """Bids half a unit under the mid it sees, every 0.5 s; records (time, mid seen)."""

    requote_on_tick = False
    requote_on_fill = False
    requote_interval_s = 0.5

    def __init__(self):
        self.seen = []

    def quote(self, state):
        self.seen.append((state.time, state.mid))
        return Quote(state.mid - 0.5, state.mid + 5.0)


def run(feed_latency_s):
    strategy = Seer()
    sim = Simulation(ReplayFeed(FrameSource.from_rows(ROWS)), strategy, TradeThroughFills(0.01),
                     feed_latency_s=feed_latency_s)
    sim.run()
    return sim, strategy.seen


def test_the_strategy_sees_the_market_late_and_not_at_all_before_the_latency_has_passed():
    """With 0.6 s of latency nothing is seen before t=0.6, and at t=2.0 the mid of t=1 (101), not 102."""
    _, seen = run(0.6)
    assert seen == [(0.6, 100.0), (1.0, 100.0), (1.5, 100.0), (2.0, 101.0), (2.5, 101.0), (3.0, 102.0)]
    _, on_time = run(0.0)
    assert on_time[:3] == [(0.0, 100.0), (0.5, 100.0), (1.0, 101.0)]


def test_fills_happen_on_the_exchange_clock_at_the_true_mid():
    """The stale bid (100.5, from the mid of t=1) is live at t=2.2 and fills then; the fill's mid is the market's
    102 at that time, not the 101 the strategy saw."""
    sim, _ = run(0.6)
    fills = sim.ledger.fills
    assert list(zip(fills.time, fills.price, fills.mid)) == [(2.2, 100.5, 102.0)]
    on_time, _ = run(0.0)
    assert on_time.ledger.fills.price.tolist() == [101.5]  # without latency the bid was 101.5 by then


def test_zero_latency_is_the_same_run_and_a_negative_one_is_refused():
    """feed_latency_s=0 changes nothing in a synthetic run; a negative latency is a configuration error."""
    runs = [Simulation(SyntheticMarket(T=0.05), SymmetricSpread(1.0), ExponentialFills(), seed=3, **kw).run()
            for kw in ({}, {"feed_latency_s": 0.0})]
    assert runs[0].fills.equals(runs[1].fills) and runs[0].marks.equals(runs[1].marks)
    with pytest.raises(ConfigError, match="feed_latency_s"):
        Simulation(SyntheticMarket(T=0.05), SymmetricSpread(1.0), ExponentialFills(), feed_latency_s=-1.0)
