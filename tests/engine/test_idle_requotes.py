"""Requotes that would show the strategy nothing new are skipped, and the ledger is the one every tick gives.

The defining property is an equality: a run that skips idle timer requotes and the same run that asks the
strategy at every tick (the same strategy with ``quote_inputs = None``) give the same ledger bit for bit, the same
event count and the same fills, on synthetic rows and on slices of the real days (level 1 and full depth, with a
warm-up hold that ends inside the slice). The strategies' side of the contract (same quote, no change in
themselves, when none of their inputs moved) is checked on each shipped strategy.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from analytics.quote_fills import Pegged
from engine import ConfigError, ExponentialFills, MarketState, Quote, Simulation, TradeThroughFills
from engine.queue_fills import QueueFills
from feeds import FrameSource, ReplayFeed, SyntheticMarket, quote_row, read_lobster, trade_row
from feeds.lobster_book import BookInMemory, LobsterBookFeed, LobsterBookSource
from strategies import (GLFT, AvellanedaStoikov, InfiniteHorizonAS, InventoryCapped, Retimed,
                        RollingAvellanedaStoikov, Strategy, SymmetricSpread)
from strategies.rolling_as import RealisedVolatility

AAPL = "AAPL_2012-06-21_34200000_57600000_message_1.csv"
GOOG10 = "GOOG_2012-06-21_34200000_57600000_message_10.csv"


class AskedEveryTick(Retimed):
    """The same strategy and timing, but listing no inputs: the simulation asks it at every tick."""

    @property
    def quote_inputs(self):
        return None


def replay_strategies():
    """Every shipped strategy a replay runs, with replay-sized parameters."""
    return {
        "avellaneda-stoikov": lambda: RollingAvellanedaStoikov(k=20.0, tick_size=0.01),
        "naive": lambda: SymmetricSpread(0.15, 100.0),
        "inventory-capped": lambda: InventoryCapped(SymmetricSpread(0.15, 100.0), 300.0),
        "glft": lambda: GLFT(gamma=0.001, sigma=0.03, k=20.0, A=0.8, max_inventory=1000.0, order_size=100.0),
    }


#: The requote timings and exchange rules the equality is checked under (Retimed's options, the model's).
TIMINGS = {
    "timer and fills": ({}, {}),
    "timer only": ({"requote_on_fill": False}, {}),
    "timer and every mid move": ({"requote_on_tick": True}, {}),
    "post-only withdraws": ({}, {"post_only": "withdraw"}),
}


def both_ways(make_feed, make_strategy, fill_model, timing=None, **options):
    """``(skipping, asking at every tick)``: each as (ledger digest, events, fills, the fill model's counters but
    ``quotes_unchanged``, requotes skipped, the simulation)."""
    out = []
    for cls in (Retimed, AskedEveryTick):
        sim = Simulation(make_feed(), cls(make_strategy(), 0.1, **(timing or {})), fill_model, seed=0, **options)
        ledger = sim.run()
        digest = pickle.dumps((ledger.fill_rows, ledger.quote_rows, ledger.mark_rows))
        stats = {k: v for k, v in sim.fills.stats.items() if k != "quotes_unchanged"}
        out.append((digest, sim.scheduler.events, sim.fill_count, stats, sim.requotes_skipped, sim))
    return out


def assert_same_runs(skipping, every_tick):
    assert skipping[:4] == every_tick[:4]
    assert every_tick[4] == 0 and skipping[4] > 0


def synthetic_rows():
    """Two minutes of a level-1 book moving every few seconds, with prints up to 12 ticks through the touch."""
    rng = np.random.default_rng(7)
    rows, mid, t = [], 100.0, 0.0
    while t < 120.0:
        t += float(rng.exponential(2.0))
        mid += 0.01 * int(rng.choice([-1, 0, 1]))
        spread = 0.01 * int(rng.integers(1, 4))
        rows.append(quote_row(t, round(mid - spread / 2, 3), round(mid + spread / 2, 3), 300.0, 300.0))
        if rng.random() < 0.5:
            side = int(rng.choice([-1, 1]))
            price = round(mid + side * (spread / 2 + 0.01 * int(rng.integers(0, 13))), 3)
            rows.append(trade_row(t, price, float(rng.integers(100, 600)), side))
    return rows


@pytest.mark.parametrize("timing", list(TIMINGS))
@pytest.mark.parametrize("name", list(replay_strategies()))
@pytest.mark.parametrize("trade_from", [-math.inf, 60.0])
def test_skipping_idle_requotes_gives_the_ledger_of_asking_at_every_tick(name, trade_from, timing):
    rows = synthetic_rows()
    retimed, rules = TIMINGS[timing]
    skipping, every_tick = both_ways(lambda: ReplayFeed(FrameSource.from_rows(rows)), replay_strategies()[name],
                                     TradeThroughFills(0.01, **rules), retimed, trade_from=trade_from)
    assert_same_runs(skipping, every_tick)
    assert skipping[2] > 0  # fills happened, so the inventory moved and requotes after fills were asked
    if trade_from > 0:
        assert min(row[1] for row in skipping[5].ledger.quote_rows) >= trade_from


@pytest.mark.parametrize("size", [1.0, 0.5])
def test_fills_that_net_out_between_two_ticks_still_reach_the_strategy(size):
    """Without a requote after fills, our bid and then our ask fill (fully, or half) between two ticks: the
    inventory is back where it was, but the sides are spent. The next tick must ask (and resend them), as asking
    at every tick would."""
    rows = [quote_row(0.0, 99.99, 100.01, 300.0, 300.0),
            trade_row(0.03, 99.97, size, -1),   # a sell through our bid at 99.98
            trade_row(0.04, 100.03, size, +1),  # a buy through our ask at 100.02: the inventory is back to 0
            trade_row(0.5, 99.97, 1.0, -1),     # another sell through our bid: fills only if the bid was resent
            quote_row(1.0, 99.99, 100.01, 300.0, 300.0)]
    skipping, every_tick = both_ways(lambda: ReplayFeed(FrameSource.from_rows(rows)),
                                     lambda: SymmetricSpread(0.04, 1.0), TradeThroughFills(0.01),
                                     {"requote_on_fill": False})
    assert_same_runs(skipping, every_tick)
    assert skipping[2] == 3


class AtTheOppositeBest(Strategy):
    """Bids at the best ask: the post-only rule slides (or withdraws) its bid whenever it goes live."""

    quote_inputs = ("best_ask", "best_bid")

    def quote(self, state):
        return Quote(state.best_ask, state.best_ask + 0.05, 100.0, 100.0)


@pytest.mark.parametrize("post_only", ["clamp", "withdraw"])
def test_the_post_only_counters_are_the_same_skipping_or_not(post_only):
    """They count the sides of quotes sent, not of requotes that changed nothing."""
    skipping, every_tick = both_ways(lambda: ReplayFeed(FrameSource.from_rows(synthetic_rows())), AtTheOppositeBest,
                                     TradeThroughFills(0.01, post_only=post_only))
    assert_same_runs(skipping, every_tick)
    assert skipping[3][f"post_only_{'clamped' if post_only == 'clamp' else 'withdrawn'}"] > 0


def test_a_real_level_one_slice_gives_the_same_ledger_skipping_or_not(lobster_dir):
    """The first 40,000 rows of the AAPL day (about 25 minutes), a warm-up hold ending 10 minutes in."""
    first = next(iter(read_lobster(lobster_dir / AAPL, chunk_rows=40_000).chunks()))
    start = float(first.ts.iloc[0])
    for name, make in replay_strategies().items():
        for timing, (retimed, rules) in TIMINGS.items():
            skipping, every_tick = both_ways(lambda: ReplayFeed(FrameSource([first])), make,
                                             TradeThroughFills(0.01, **rules), retimed, trade_from=start + 600.0)
            assert_same_runs(skipping, every_tick)
            assert skipping[2] > 0, (name, timing)


def test_a_real_full_depth_slice_gives_the_same_ledger_skipping_or_not(lobster_dir):
    """The GOOG level-10 day's first ten minutes with exact queues, trading from the fifth minute."""
    path = lobster_dir / GOOG10
    book = BookInMemory(LobsterBookSource(path, until=34_800.0))
    for name in ("avellaneda-stoikov", "naive"):
        for retimed, rules in TIMINGS.values():
            skipping, every_tick = both_ways(lambda: LobsterBookFeed(book), replay_strategies()[name],
                                             QueueFills(0.01, **rules), retimed, trade_from=34_500.0)
            assert_same_runs(skipping, every_tick)


def test_a_timer_that_sees_nothing_new_asks_once_per_change():
    """The mid changes every 10 s, a 0.1 s timer: the strategy is asked at the start and at the first tick after
    each change; every other tick is skipped."""

    def run(timing):
        asked = []

        class Counting(SymmetricSpread):
            quote_inputs = ("mid",)  # it counts its calls, but its quote reads the mid alone

            def quote(self, state):
                asked.append(state.time)
                return super().quote(state)

        rows = [quote_row(10.0 * i, 99.99 - 0.01 * (i % 2), 100.01, 100.0, 100.0) for i in range(7)]
        sim = Simulation(ReplayFeed(FrameSource.from_rows(rows)), timing(Counting(0.1), 0.1), TradeThroughFills(0.01))
        sim.run()
        return asked, sim.requotes_skipped

    asked, skipped = run(Retimed)
    ticks, _ = run(AskedEveryTick)
    assert len(asked) == 6 and len(ticks) > 590  # the last change is the last row: the replay ends there
    assert all(0.0 <= t - 10.0 * i <= 0.1 + 1e-9 for i, t in enumerate(asked))
    assert skipped == len(ticks) - len(asked)


class BookAtTimes:
    """A feed with a horizon known from the start (unlike a replay, which learns it at its last row)."""

    def __init__(self, horizon, books):
        self.horizon, self.books = horizon, books

    def attach(self, sim, rng):
        sim.state.horizon = self.horizon
        for t, bid, ask in self.books:
            sim.scheduler.schedule(t, 0, lambda book: sim.set_book(*book, 100.0, 100.0), (bid, ask))


@pytest.mark.parametrize("horizon", [10.0, 10.05])
def test_a_horizon_known_from_the_start_ends_the_stopped_timer_as_the_ticks_would(horizon):
    books = [(0.0, 99.99, 100.01), (1.0, 99.98, 100.01), (5.0, 99.99, 100.02)]
    skipping, every_tick = both_ways(lambda: BookAtTimes(horizon, books), lambda: SymmetricSpread(0.1, 100.0),
                                     TradeThroughFills(0.01))
    assert_same_runs(skipping, every_tick)
    assert skipping[5].scheduler.now == every_tick[5].scheduler.now == horizon


@pytest.mark.parametrize("options, fills, reason", [
    ({"latency_s": 0.001}, TradeThroughFills(0.01), "order-entry latency"),
    ({"feed_latency_s": 0.001}, TradeThroughFills(0.01), "market-data latency"),
    ({}, ExponentialFills(), "a fill model whose unchanged quote is not a no-op"),
])
def test_skipping_is_off_where_a_skipped_requote_could_have_changed_something(options, fills, reason):
    feed = ReplayFeed(FrameSource.from_rows(synthetic_rows())) if isinstance(fills, TradeThroughFills) \
        else SyntheticMarket()
    sim = Simulation(feed, Retimed(SymmetricSpread(0.1), 0.1), fills, **options)
    sim.run()
    assert not sim.skips_idle_requotes and sim.requotes_skipped == 0, reason


def test_a_strategy_that_lists_no_inputs_is_asked_at_every_tick():
    class Plain(Strategy):
        def quote(self, state):
            return Quote(state.mid - 0.05, state.mid + 0.05)

    sim = Simulation(ReplayFeed(FrameSource.from_rows(synthetic_rows())), Retimed(Plain(), 0.1),
                     TradeThroughFills(0.01))
    sim.run()
    assert not sim.skips_idle_requotes and sim.requotes_skipped == 0


def test_a_subclass_that_rewrites_quote_is_asked_at_every_tick_unless_it_restates_its_inputs():
    """SymmetricSpread reads the mid alone; a subclass that overrides quote may read the clock: its parent's
    promise is not taken for its own."""

    class ClockAware(SymmetricSpread):
        def quote(self, state):
            return super().quote(state) if state.time % 10.0 < 5.0 else Quote(None, None)

    class Restated(ClockAware):
        quote_inputs = ("mid",)

    feed = ReplayFeed(FrameSource.from_rows(synthetic_rows()))
    for strategy, skips in ((SymmetricSpread(0.1), True), (ClockAware(0.1), False), (Restated(0.1), True),
                            (InventoryCapped(ClockAware(0.1)), False), (InventoryCapped(Restated(0.1)), True)):
        sim = Simulation(feed, Retimed(strategy, 0.1), TradeThroughFills(0.01))
        sim.run()
        assert sim.skips_idle_requotes is skips and (sim.requotes_skipped > 0) is skips, strategy


@pytest.mark.parametrize("inputs, message", [
    (("mid", "imbalance"), "unknown MarketState field(s) imbalance"),
    ("mid", "must be a tuple of MarketState field names"),
    (("mid", "time"), "quote_inputs lists time: a quote that reads the clock must leave quote_inputs None"),
    (("time_left",), "quote_inputs lists time_left: a quote that reads the clock"),
    (("horizon", "inventory"), "quote_inputs lists horizon: a quote that reads the clock"),
])
def test_quote_inputs_are_checked(inputs, message):
    class Listing(SymmetricSpread):
        quote_inputs = inputs

    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Simulation(SyntheticMarket(), Listing(0.1), ExponentialFills())


def test_trade_from_must_be_a_time():
    with pytest.raises(ConfigError, match="trade_from"):
        Simulation(SyntheticMarket(), SymmetricSpread(0.1), ExponentialFills(), trade_from=math.nan)


# -- the strategies' side of the contract ------------------------------------------------------------------------

def contract_cases():
    cases = {name: make() for name, make in replay_strategies().items()}
    cases["as-infinite"] = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, max_inventory=10.0)
    cases["rolling A-S, fixed sigma"] = RollingAvellanedaStoikov(k=20.0, sigma=0.03, tick_size=0.01)
    cases["pegged to the touch"] = Pegged("touch", 0.02)
    cases["retimed"] = Retimed(RollingAvellanedaStoikov(k=20.0), 0.1)
    return cases


@pytest.mark.parametrize("name", list(contract_cases()))
def test_a_strategy_listing_its_inputs_answers_the_same_when_only_other_fields_move(name):
    """Asked again with its inputs unchanged and everything else moved (the clock, sizes, cash, the horizon), a
    strategy returns the same quote, and it is as if it had not been asked: a copy that never was answers every
    later state exactly as it does. Its inputs move at half the steps, sometimes twice at one instant."""
    asked, spared = contract_cases()[name], contract_cases()[name]
    inputs = asked.quote_inputs
    assert inputs is not None
    rng = np.random.default_rng(3)
    state = MarketState(time=0.0, mid=100.0, inventory=0.0, best_bid=99.99, best_ask=100.01, best_bid_size=500.0,
                        best_ask_size=500.0, horizon=1e6)
    for step in range(300):
        if rng.random() < 0.8:  # else a second state at the same instant
            state.time += float(rng.exponential(0.5))
        if rng.random() < 0.5:  # one of its inputs moves: it may answer anything
            state.mid = round(state.mid + 0.01 * int(rng.choice([-1, 1])), 2)
            state.best_bid, state.best_ask = round(state.mid - 0.01, 2), round(state.mid + 0.01, 2)
            state.inventory = 100.0 * int(rng.integers(-3, 4))
        quote = asked.quote(state)
        assert spared.quote(state) == quote, step
        for field, value in (("time", state.time + 0.001), ("best_bid_size", 7.0), ("best_ask_size", 9.0),
                             ("cash", 1234.5), ("horizon", state.time + 100.0)):
            setattr(state, field, value)
            assert asked.quote(state) == quote, (step, field)


def test_a_rolling_horizon_to_the_close_lists_no_inputs():
    """Its time left runs down with the clock, so it must be asked at every tick."""
    assert RollingAvellanedaStoikov(close=50_000.0).quote_inputs is None
    assert AvellanedaStoikov().quote_inputs is None and Strategy.quote_inputs is None


def test_the_volatility_estimate_is_the_same_however_often_an_unchanged_price_is_looked_at():
    """Observing the prices only when they change, or also at many instants in between, gives the same
    estimates, bit for bit; between changes the estimate holds still. (The prices stay put at a third of the
    steps, so the sparse observer sees repeated prices too.)"""
    rng = np.random.default_rng(11)
    times = np.cumsum(rng.exponential(1.0, 300))
    prices = 100.0 + 0.01 * np.cumsum(rng.choice([-1, 0, 1], 300))
    sparse, dense = RealisedVolatility(60.0, 0.02), RealisedVolatility(60.0, 0.02)
    for i, (t, p) in enumerate(zip(times, prices)):
        estimate = sparse.update(float(t), float(p))
        if i:
            before = dense.sigma
            for u in np.linspace(times[i - 1], t, 7)[1:-1]:  # the previous price, looked at again and again
                assert dense.update(float(u), float(prices[i - 1])) == before
        assert dense.update(float(t), float(p)) == estimate
