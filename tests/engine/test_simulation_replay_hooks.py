"""The fill-model hooks: no-ops in the base class, called with the run's own state when a model overrides them."""

from __future__ import annotations

import math

import pytest

from engine import ConfigError, FillModel, FillRun, Quote, Simulation
from feeds import SyntheticMarket
from strategies import Strategy, SymmetricSpread


class Fixed(Strategy):
    requote_on_tick = False

    def quote(self, state):
        return Quote(99.0, 101.0)


class BookFeed:
    """Sets a book at t=0 (with or without sizes) and another at t=1."""

    def __init__(self, sizes):
        self.sizes = sizes

    def attach(self, sim, rng):
        sim.state.horizon = 1.0
        sim.set_book(99.5, 100.5, *self.sizes)
        sim.scheduler.schedule(1.0, 1, lambda _: sim.set_book(99.6, 100.6, *self.sizes))


class Hooked(FillModel):
    """Records the hooks' calls in its run; replaces the bid with 98 and withdraws the ask."""

    def attach(self, sim, rng):
        return HookedRun(sim)


class HookedRun(FillRun):
    def __init__(self, sim):
        super().__init__(sim)
        self.calls = []

    def on_book(self):
        s = self.sim.state
        self.calls.append(("book", s.best_bid, s.best_bid_size, s.mid))

    def on_quote_live(self, entry):
        self.calls.append(("live", entry))
        return 98.0, None, entry[2], entry[3]


def test_the_base_model_fills_nothing_and_runs_a_synthetic_market():
    """FillModel's hooks are no-ops: the quotes go live as sent and never fill; each run gets its own state."""
    sim = Simulation(SyntheticMarket(T=0.01), SymmetricSpread(1.0), FillModel())
    ledger = sim.run()
    assert len(ledger.quotes) > 0 and len(ledger.fills) == 0
    assert type(sim.fills) is FillRun and sim.fills.sim is sim
    assert sim.fills.stats == {"fills_at_touch": 0, "fills_behind_touch": 0, "fills_through": 0}


def test_an_object_that_is_not_a_fill_model_is_refused():
    """Duck-typed fill models are refused up front, naming the type."""
    with pytest.raises(ConfigError, match="FillModel, got object"):
        Simulation(SyntheticMarket(T=0.01), SymmetricSpread(1.0), object())


def test_hooks_see_the_new_book_before_the_mid_moves_and_may_change_the_quote():
    """on_book sees the new prices and sizes with the previous mid; on_quote_live's entry is what goes live."""
    sim = Simulation(BookFeed((200.0, 300.0)), Fixed(), Hooked())
    ledger = sim.run()
    calls = sim.fills.calls
    assert calls[0][0] == "live"  # the feed's first book came before the model was attached
    assert ("book", 99.6, 200.0, 100.0) in calls
    assert ("live", (99.0, 101.0, 1.0, 1.0)) in calls
    q = ledger.quotes.iloc[0]
    assert q.bid == 98.0 and math.isnan(q.ask)
    assert sim.bid.price == 98.0 and sim.ask is None


def test_set_book_without_sizes_leaves_them_unknown():
    """A feed that gives prices only leaves NaN sizes in the state."""
    sim = Simulation(BookFeed(()), Fixed(), Hooked())
    sim.run()
    assert math.isnan(sim.state.best_bid_size) and math.isnan(sim.state.best_ask_size)
    assert sim.state.best_bid == 99.6
