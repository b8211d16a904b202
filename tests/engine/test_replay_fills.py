"""The replay fill model on tiny hand-built feeds whose fills are known exactly.

The market in most tests: best bid 99.95 x 100, best ask 100.05 x 100, tick 0.01. A SELL trade hits bids (ours
included), a BUY lifts asks.
"""

from __future__ import annotations

import math

import pytest

from analytics.replay_summary import replay_summary
from engine import BUY, SELL, ConfigError, Fees, Quote, Simulation
from engine.replay_fills import TradeThroughFills
from feeds import FrameSource, ReplayFeed, quote_row, trade_row
from strategies import Strategy

BOOK = quote_row(0.0, 99.95, 100.05, 100, 100)


class Plan(Strategy):
    """Quotes ``steps[i] = (from_time, bid, ask, size)``: the last step whose time has come. Requotes only on its
    timer (``every``), so fills and book changes never move the quote by themselves."""

    requote_on_tick = False
    requote_on_fill = False

    def __init__(self, *steps, every=None):
        self.steps = steps
        self.requote_interval_s = every

    def quote(self, state):
        _, bid, ask, size = [s for s in self.steps if s[0] <= state.time][-1]
        return Quote(bid, ask, size, size)


def replay(rows, strategy, *, latency_s=0.0, fees=Fees(), **model):
    """Run the rows against the strategy; check the P&L identity; return the simulation."""
    return run_checked(Simulation(ReplayFeed(FrameSource.from_rows(rows)), strategy,
                                  TradeThroughFills(0.01, **model), latency_s=latency_s, fees=fees))


def run_checked(sim):
    """Run the simulation; check the P&L identity; return it."""
    sim.run()
    s = replay_summary(sim.ledger)  # tolerance: the cash account's rounding scales with the notional traded
    assert s["pnl"] == pytest.approx(s["spread_capture"] + s["inventory_pnl"] - s["fees"],
                                     abs=1e-12 * (s["notional"] + 1.0))
    return sim


def fills(sim):
    """The fills as (time, side, price, size) tuples."""
    f = sim.ledger.fills
    return [(t, int(side), round(p, 6), sz) for t, side, p, sz in zip(f.time, f.side, f.price, f["size"])]


def test_trade_through_our_price_fills_up_to_the_trade_size():
    """A sell below our bid fills it by the trade's size; a buy above our ask fills at most our size."""
    sim = replay([BOOK, trade_row(1.0, 99.95, 30, SELL), trade_row(2.0, 100.05, 150, BUY)],
                 Plan((0, 99.97, 100.03, 100)))
    assert fills(sim) == [(1.0, 1, 99.97, 30.0), (2.0, -1, 100.03, 100.0)]
    assert sim.fills.stats["fills_through"] == 2


def test_partial_fills_leave_the_rest_resting_until_filled():
    """A 30-lot through our 100-lot bid fills 30; a later 100-lot fills only the 70 left."""
    sim = replay([BOOK, trade_row(1.0, 99.95, 30, SELL), trade_row(2.0, 99.95, 100, SELL),
                  trade_row(3.0, 99.95, 100, SELL)], Plan((0, 99.97, 100.03, 100)))
    assert fills(sim) == [(1.0, 1, 99.97, 30.0), (2.0, 1, 99.97, 70.0)]


def test_trade_at_our_price_first_eats_the_displayed_queue_ahead():
    """Joining the best bid behind 100 displayed: a 60 trade fills nothing, a 70 trade fills the 30 beyond it."""
    sim = replay([BOOK, trade_row(1.0, 99.95, 60, SELL), trade_row(2.0, 99.95, 70, SELL)],
                 Plan((0, 99.95, 100.10, 100)))
    assert fills(sim) == [(2.0, 1, 99.95, 30.0)]
    assert sim.fills.stats["fills_at_price"] == 1


def test_trade_at_our_price_without_queue_ahead_fills_at_once():
    """A bid that improves the best has nothing ahead: a trade at its price fills it by the trade's size."""
    sim = replay([BOOK, trade_row(1.0, 99.96, 40, SELL)], Plan((0, 99.96, 100.10, 100)))
    assert fills(sim) == [(1.0, 1, 99.96, 40.0)]


def test_touch_mode_ignores_the_queue_ahead():
    """With queue='touch' the first trade at our price fills us although 100 were displayed ahead."""
    sim = replay([BOOK, trade_row(1.0, 99.95, 60, SELL)], Plan((0, 99.95, 100.10, 100)), queue="touch")
    assert fills(sim) == [(1.0, 1, 99.95, 60.0)]


def test_trades_on_the_other_side_or_away_from_our_price_do_not_fill():
    """A buy never fills our bid, and a sell above our bid does not reach it."""
    sim = replay([BOOK, trade_row(1.0, 99.93, 50, BUY), trade_row(2.0, 99.95, 50, SELL)],
                 Plan((0, 99.94, 100.10, 100)))
    assert fills(sim) == []


def test_quote_behind_the_best_gets_the_whole_level_ahead_when_it_becomes_the_best():
    """Behind the best nothing is known; once our level is the best, all its displayed size is ahead of us."""
    sim = replay([BOOK, trade_row(1.0, 99.95, 100, SELL), quote_row(1.0, 99.94, 100.05, 200, 100),
                  trade_row(2.0, 99.94, 250, SELL)], Plan((0, 99.94, 100.10, 100)))
    assert fills(sim) == [(2.0, 1, 99.94, 50.0)]


def test_cancels_come_from_behind_unless_the_level_gets_thinner_than_the_queue_ahead():
    """Size added at our level does not move us; a fall to 40 displayed leaves at most 40 ahead."""
    sim = replay([BOOK, quote_row(1.0, 99.95, 100.05, 150, 100), quote_row(2.0, 99.95, 100.05, 40, 100),
                  trade_row(3.0, 99.95, 50, SELL)], Plan((0, 99.95, 100.10, 100)))
    assert fills(sim) == [(3.0, 1, 99.95, 10.0)]


def test_a_level_that_empties_leaves_nothing_ahead_of_us():
    """When the best bid drops below our price the level was emptied: orders coming back queue behind us."""
    sim = replay([BOOK, quote_row(1.0, 99.94, 100.05, 100, 100), quote_row(2.0, 99.95, 100.05, 80, 100),
                  trade_row(3.0, 99.95, 30, SELL)], Plan((0, 99.95, 100.10, 100)))
    assert fills(sim) == [(3.0, 1, 99.95, 30.0)]


def test_book_moving_through_a_resting_quote_fills_it_whole_at_its_price():
    """A new best ask at our improving bid would have traded with it: the whole bid fills at the old mid."""
    sim = replay([BOOK, quote_row(1.0, 99.95, 99.97, 100, 300)], Plan((0, 99.97, 100.10, 100)))
    assert fills(sim) == [(1.0, 1, 99.97, 100.0)]
    assert sim.ledger.fills.mid.iloc[0] == pytest.approx(100.0)
    assert sim.fills.stats["fills_book_through"] == 1


def test_prices_round_onto_the_tick_grid_bid_down_ask_up():
    """99.957 goes live as 99.95 and 100.031 as 100.04."""
    sim = replay([BOOK], Plan((0, 99.957, 100.031, 100)))
    q = sim.ledger.quotes.iloc[0]
    assert (q.bid, q.ask) == (99.95, 100.04)


def test_post_only_clamp_slides_a_crossing_side_one_tick_inside_the_opposite_best():
    """A bid at 100.06 against a 100.05 ask goes live at 100.04; an ask at 99.90 against a 99.95 bid at 99.96."""
    bid_cross = replay([BOOK], Plan((0, 100.06, 100.10, 100)))
    ask_cross = replay([BOOK], Plan((0, 99.80, 99.90, 100)))
    assert (bid_cross.ledger.quotes.bid.iloc[0], bid_cross.ledger.quotes.ask.iloc[0]) == (100.04, 100.10)
    assert (ask_cross.ledger.quotes.bid.iloc[0], ask_cross.ledger.quotes.ask.iloc[0]) == (99.80, 99.96)
    assert bid_cross.fills.stats["post_only_clamped"] == 1


def test_post_only_withdraw_drops_a_side_at_the_opposite_best():
    """With post_only='withdraw' a bid at the best ask is not sent; the ask still goes live."""
    sim = replay([BOOK], Plan((0, 100.05, 100.10, 100)), post_only="withdraw")
    q = sim.ledger.quotes.iloc[0]
    assert math.isnan(q.bid) and q.ask == 100.10
    assert sim.fills.stats["post_only_withdrawn"] == 1


def test_latency_race_a_trade_before_the_new_quote_is_live_meets_the_old_one():
    """During the order-entry latency a trade fills the stale quote; after it the new quote is the one met."""
    # Requote at t=1 from bid 99.97 to 99.90 with 0.5 s latency: a sell at 99.93 at t=1.2 fills the stale
    # 99.97 bid; the same sell at t=1.6, after the new bid is live, fills nothing.
    plan = Plan((0, 99.97, 100.10, 10), (1.0, 99.90, 100.10, 10), every=1.0)
    sim = replay([BOOK, trade_row(1.2, 99.93, 5, SELL), trade_row(1.6, 99.93, 5, SELL),
                  quote_row(3.0, 99.95, 100.05, 100, 100)], plan, latency_s=0.5)
    assert fills(sim) == [(1.2, 1, 99.97, 5.0)]


def test_a_trade_at_the_instant_the_quote_goes_live_still_meets_the_old_one():
    """Market orders run before quotes go live at one instant (the scheduler's priorities)."""
    plan = Plan((0, 99.97, 100.10, 10), (1.0, 99.90, 100.10, 10), every=1.0)
    sim = replay([BOOK, trade_row(1.5, 99.93, 5, SELL), quote_row(3.0, 99.95, 100.05, 100, 100)], plan,
                 latency_s=0.5)
    assert fills(sim) == [(1.5, 1, 99.97, 5.0)]


def test_requote_at_the_same_price_keeps_the_queue_place_and_an_identical_one_sends_nothing():
    """A same-price requote keeps its queue place, an identical one sends nothing, a top-up is sent."""
    # 60 of the 100 ahead trade; a requote at the same price with a new size keeps 40 ahead; a requote that
    # changes nothing sends nothing, one that tops up a partly filled side is sent.
    plan = Plan((0, 99.95, 100.10, 100), (2.0, 99.95, 100.10, 200), every=1.0)
    sim = replay([BOOK, trade_row(1.5, 99.95, 60, SELL), trade_row(3.5, 99.95, 50, SELL),
                  quote_row(5.0, 99.95, 100.05, 100, 100)], plan)
    assert fills(sim) == [(3.5, 1, 99.95, 10.0)]
    # t=0 first quote; t=2 new size; t=4 top-up of the 190 left after the fill at 3.5
    assert list(sim.ledger.quotes.time) == [0.0, 2.0, 4.0]
    assert list(sim.ledger.quotes.bid_size) == [100.0, 200.0, 200.0]
    assert sim.fills.stats["quotes_unchanged"] == 3  # the timer at t=1, 3 and 5


def test_fees_and_rebates_are_recorded_on_each_fill():
    """1 bp of value plus 0.002 per share on a 30-share fill at 99.97; a rebate is a negative fee."""
    rows = [BOOK, trade_row(1.0, 99.95, 30, SELL)]
    paid = replay(rows, Plan((0, 99.97, 100.03, 100)), fees=Fees(bps=1.0, per_unit=0.002))
    rebate = replay(rows, Plan((0, 99.97, 100.03, 100)), fees=Fees(per_unit=-0.002))
    assert paid.ledger.fills.fee.iloc[0] == pytest.approx(99.97 * 30 * 1e-4 + 30 * 0.002)
    assert rebate.ledger.fills.fee.iloc[0] == pytest.approx(-0.06)
    assert paid.state.cash == pytest.approx(-99.97 * 30 - paid.ledger.fills.fee.iloc[0])


@pytest.mark.parametrize("kwargs", [{"tick_size": 0}, {"tick_size": 0.01, "queue": "fifo"},
                                    {"tick_size": 0.01, "post_only": "reject"}])
def test_invalid_settings_raise_config_error(kwargs):
    """A non-positive tick or an unknown queue / post-only rule is refused on construction, naming the field."""
    with pytest.raises(ConfigError, match=next(iter(set(kwargs) - {"tick_size"}), "tick_size")):
        TradeThroughFills(**kwargs)


def test_market_orders_without_a_price_are_refused():
    """The model needs trade prices: a synthetic order with only a depth is a configuration error."""
    run = TradeThroughFills(0.01).attach(None, None)
    with pytest.raises(ConfigError, match="price"):
        run.on_market_order(BUY, 1.0, 0.1, None)
