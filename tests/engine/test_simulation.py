"""The simulation loop: determinism, the mark-to-market identity, latency, and strategy errors."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pandas as pd
import pytest

from engine import (BID, MARKET_DATA, MARKET_ORDER, SELL, ExponentialFills, Fees, Quote, Simulation,
                    StrategyError, run_paths)
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov, Strategy, SymmetricSpread


@attrs.frozen
class ScriptedFeed:
    """A hand-built feed: ("mid", t, price) and ("sell"/"buy", t, depth) events up to a horizon."""

    events: tuple
    horizon: float
    s0: float = 100.0

    def attach(self, sim, rng):
        sim.state.horizon = self.horizon
        sim.set_mid(self.s0)
        for kind, t, value in self.events:
            if kind == "mid":
                sim.scheduler.schedule(t, MARKET_DATA, sim.set_mid, value)
            else:
                side = SELL if kind == "sell" else -SELL
                sim.scheduler.schedule(t, MARKET_ORDER, lambda d, s=side: sim.market_order(s, 1.0, depth=d), value)


class MidMinusOne(Strategy):
    """Bid one below the mid, ask one above."""

    def quote(self, state):
        return Quote(state.mid - 1.0, state.mid + 1.0)


def test_same_seed_gives_the_same_ledger_bit_for_bit():
    """Two runs with one seed give identical fills, quotes and marks; another seed gives others."""
    market = SyntheticMarket(T=0.5, sigma_volatile=4.0, impact=0.01)
    runs = [run_paths(market, AvellanedaStoikov(), ExponentialFills(), paths=5, seed=s, latency_s=0.001)
            for s in (7, 7, 8)]
    for name in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(getattr(runs[0], name), getattr(runs[1], name), check_exact=True)
    assert not runs[0].marks.equals(runs[2].marks)


def test_splitting_paths_across_processes_gives_the_same_ledger():
    """workers=2 gives the ledger of a single process, bit for bit."""
    market = SyntheticMarket(T=0.2)
    one = run_paths(market, AvellanedaStoikov(), ExponentialFills(), paths=6, seed=3)
    two = run_paths(market, AvellanedaStoikov(), ExponentialFills(), paths=6, seed=3, workers=2)
    for name in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)


def test_path_is_independent_of_how_many_paths_run():
    """Path 3 of a 4-path run equals path 3 of a 10-path run (seeds depend on the path number only)."""
    market = SyntheticMarket(T=0.2)
    small = run_paths(market, SymmetricSpread(1.0), ExponentialFills(), paths=4, seed=11).marks
    large = run_paths(market, SymmetricSpread(1.0), ExponentialFills(), paths=10, seed=11).marks
    pd.testing.assert_frame_equal(small[small.path == 3].reset_index(drop=True),
                                  large[large.path == 3].reset_index(drop=True))


def test_mark_to_market_equals_cash_plus_inventory_times_mid_at_every_mark():
    """mtm = cash + inventory * mid on every mark row, and the last mark's cash and inventory match the fills."""
    ledger = run_paths(SyntheticMarket(T=0.5, impact=0.02), AvellanedaStoikov(), ExponentialFills(), paths=3, seed=1,
                       fees=Fees(bps=1.0))
    marks = ledger.marks
    np.testing.assert_array_equal(marks.mtm, marks.cash + marks.inventory * marks.mid)
    last = marks.groupby("path").last()
    fills = ledger.fills
    assert (fills.fee > 0).all()
    np.testing.assert_allclose(last.inventory, fills.groupby("path").apply(lambda f: (f.side * f["size"]).sum()))
    np.testing.assert_allclose(
        last.cash, fills.groupby("path").apply(lambda f: -(f.side * f.price * f["size"]).sum() - f.fee.sum()))


def test_latency_lets_a_market_order_hit_the_stale_quote():
    """With latency, an order between a requote and its arrival fills the old quote at the old price."""
    feed = ScriptedFeed(events=(("mid", 1.0, 100.5), ("sell", 1.2, 1.6)), horizon=2.0)
    stale = Simulation(feed, MidMinusOne(), ExponentialFills(), latency_s=0.5).run().fills
    assert list(stale.price) == [99.0] and list(stale.side) == [BID] and list(stale.time) == [1.2]
    fresh = Simulation(feed, MidMinusOne(), ExponentialFills(), latency_s=0.0).run().fills
    assert list(fresh.price) == [99.5]


def test_latency_delays_the_first_quote_too():
    """An order before the first quote arrives finds no quote to fill."""
    feed = ScriptedFeed(events=(("sell", 0.1, 5.0),), horizon=1.0)
    assert Simulation(feed, MidMinusOne(), ExponentialFills(), latency_s=0.2).run().fills.empty
    assert len(Simulation(feed, MidMinusOne(), ExponentialFills()).run().fills) == 1


def test_a_filled_side_is_empty_until_the_requote():
    """A unit quote fills once: a second order at the same instant finds the side empty when nothing requotes."""

    class NoRequote(MidMinusOne):
        requote_on_fill = False

    feed = ScriptedFeed(events=(("sell", 0.5, 3.0), ("sell", 0.5, 3.0)), horizon=1.0)
    assert len(Simulation(feed, NoRequote(), ExponentialFills()).run().fills) == 1


class Raises(Strategy):
    def quote(self, state):
        if state.time > 0.01:
            raise RuntimeError("boom")
        return Quote(state.mid - 1, state.mid + 1)


class Crossed(Strategy):
    def quote(self, state):
        return Quote(state.mid + 1, state.mid - 1)


class NotFinite(Strategy):
    def quote(self, state):
        return Quote(math.nan, state.mid + 1)


class ReturnsTuple(Strategy):
    def quote(self, state):
        return (state.mid - 1, state.mid + 1)


@pytest.mark.parametrize("strategy, message", [
    (ReturnsTuple(), r"strategy ReturnsTuple returned an invalid quote at t=0: expected a Quote"),
    (Raises(), r"strategy Raises raised in quote at t=0\.015: RuntimeError\('boom'\)"),
    (Crossed(), r"strategy Crossed returned an invalid quote at t=0: crossed quote bid=101\.0 >= ask=99\.0"),
    (NotFinite(), r"strategy NotFinite returned an invalid quote at t=0: bid=nan"),
])
def test_bad_strategy_output_stops_the_run_naming_strategy_time_and_value(strategy, message):
    """A strategy that raises or quotes crossed / non-finite prices stops the run with a StrategyError."""
    with pytest.raises(StrategyError, match=message):
        Simulation(SyntheticMarket(T=0.1), strategy, ExponentialFills(), seed=0).run()


def test_strategy_sees_time_left_and_its_fills():
    """The state carries time_left = T - t, and on_fill receives each fill before the requote."""

    class Recorder(MidMinusOne):
        def __init__(self):
            self.left, self.fills = [], []

        def quote(self, state):
            self.left.append((state.time, state.time_left))
            return super().quote(state)

        def on_fill(self, fill):
            self.fills.append(fill)

    strategy = Recorder()
    feed = ScriptedFeed(events=(("mid", 0.25, 100.0), ("sell", 0.5, 3.0)), horizon=1.0)
    Simulation(feed, strategy, ExponentialFills()).run()
    assert strategy.left == [(0.0, 1.0), (0.25, 0.75), (0.5, 0.5)]
    (fill,) = strategy.fills
    assert (fill.time, fill.side, fill.price, fill.inventory, fill.cash) == (0.5, BID, 99.0, 1.0, -99.0)


def test_progress_counts_every_path_when_workers_outnumber_chunks():
    """With more chunks than paths, progress still adds up to the number of paths."""
    done = []
    run_paths(SyntheticMarket(T=0.05), SymmetricSpread(1.0), ExponentialFills(), paths=3, seed=0, workers=2,
              progress=done.append)
    assert sum(done) == 3
