"""The simulation's optional replay hooks: absent by default, called when a fill model defines them."""

from __future__ import annotations

import math

from engine import ExponentialFills, Quote, Simulation
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


class Hooked:
    """Records the hooks' calls; replaces the bid with 98 and withdraws the ask."""

    def __init__(self):
        self.calls = []

    def attach(self, sim, rng):
        sim.fill_state = "mine"

    def on_book(self, sim):
        self.calls.append(("book", sim.state.best_bid, sim.state.best_bid_size, sim.state.mid))

    def on_quote_live(self, sim, entry):
        self.calls.append(("live", entry))
        return 98.0, None, entry[2], entry[3]

    def on_market_order(self, sim, side, size, depth, price):
        pass


def test_a_fill_model_without_hooks_leaves_the_simulation_untouched():
    """The synthetic path keeps the plain go-live method and no book hook."""
    sim = Simulation(SyntheticMarket(T=0.01), SymmetricSpread(1.0), ExponentialFills())
    assert sim._on_book is None and "_go_live" not in vars(sim)
    sim.run()
    assert sim.fill_state is None


def test_hooks_see_the_new_book_before_the_mid_moves_and_may_change_the_quote():
    """on_book sees the new prices and sizes with the previous mid; on_quote_live's entry is what goes live."""
    model = Hooked()
    sim = Simulation(BookFeed((200.0, 300.0)), Fixed(), model)
    ledger = sim.run()
    kind, bid, bid_size, mid = model.calls[0]
    assert (kind, bid, bid_size) == ("book", 99.5, 200.0) and math.isnan(mid)  # before the first mid
    assert ("book", 99.6, 200.0, 100.0) in model.calls
    assert ("live", (99.0, 101.0, 1.0, 1.0)) in model.calls
    q = ledger.quotes.iloc[0]
    assert q.bid == 98.0 and math.isnan(q.ask)
    assert sim.fill_state == "mine"


def test_set_book_without_sizes_leaves_them_unknown():
    """A feed that gives prices only leaves NaN sizes in the state."""
    sim = Simulation(BookFeed(()), Fixed(), Hooked())
    sim.run()
    assert math.isnan(sim.state.best_bid_size) and math.isnan(sim.state.best_ask_size)
    assert sim.state.best_bid == 99.6
