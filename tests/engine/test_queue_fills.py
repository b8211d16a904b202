"""The full-depth queue model on tiny level-2 LOBSTER files whose fills are known exactly.

The book at the start (resting, no type-1 rows): bids 99.95 x 100 (id 1), 99.94 x 100 (id 3), 99.93 x 100 (id 5,
out of a level-2 view); asks 100.05 x 100 (id 2), 100.06 x 100 (id 4). The strategy's quote goes live at the
first message (t = 0). Message rows: (time, type, id, size, price, direction).
"""

from __future__ import annotations

import pytest

from engine import ConfigError, Simulation
from engine.queue_fills import QueueFills
from feeds import FrameSource, ReplayFeed, quote_row
from feeds.lobster_book import LobsterBookFeed, LobsterBookSource
from tests.engine.test_replay_fills import Plan, fills, run_checked
from tests.lobster_files import write_lobster

RESTING = [(1, 100, 99.95, 1), (3, 100, 99.94, 1), (5, 100, 99.93, 1), (2, 100, 100.05, -1), (4, 100, 100.06, -1)]
START = (0.0, 1, 90, 1, 100.06, -1)  # a 1-share ask at the second level: the first row; the quote goes live then


def replay(tmp_path, messages, plan, *, latency_s=0.0):
    """Replay the messages (after START) against the plan with exact queues; check the P&L identity."""
    message = write_lobster(tmp_path, [START, *messages], 2, RESTING)
    return run_checked(Simulation(LobsterBookFeed(LobsterBookSource(message)), plan, QueueFills(0.01),
                                  latency_s=latency_s))


def test_executions_ahead_fill_nothing_and_the_part_of_the_aggressor_that_reaches_us_fills_us(tmp_path):
    """Joining 99.95 behind 100: the 100 ahead trade, then 30 of the order behind us trade: we fill those 30."""
    sim = replay(tmp_path, [(1.0, 1, 11, 50, 99.95, 1), (2.0, 4, 1, 100, 99.95, 1), (2.0, 4, 11, 30, 99.95, 1)],
                 Plan((0, 99.95, 100.20, 100)))
    assert fills(sim) == [(2.0, 1, 99.95, 30.0)]
    assert sim.fills.stats["fills_at_touch"] == 1 and sim.fills.queue_s == [2.0]


def test_cancels_ahead_move_us_up_exactly(tmp_path):
    """The order ahead is cancelled: the next execution at our price, of an order behind us, fills us."""
    sim = replay(tmp_path, [(1.0, 3, 1, 100, 99.95, 1), (1.5, 1, 11, 80, 99.95, 1), (2.0, 4, 11, 40, 99.95, 1)],
                 Plan((0, 99.95, 100.20, 100)))
    assert fills(sim) == [(2.0, 1, 99.95, 40.0)]


def test_no_fill_while_size_is_still_ahead(tmp_path):
    """An order behind us trades while 60 of the untracked 100 are still taken to be ahead: no fill."""
    sim = replay(tmp_path, [(1.0, 1, 11, 50, 99.95, 1), (2.0, 4, 1, 40, 99.95, 1), (3.0, 4, 11, 50, 99.95, 1)],
                 Plan((0, 99.95, 100.20, 100)))
    assert fills(sim) == []


def test_a_quote_behind_the_touch_fills_when_a_sweep_reaches_its_place(tmp_path):
    """Our bid at 99.94, second level: a sweep takes 99.95, the 100 ahead at 99.94, then 30 of an order behind
    us: we fill 30, counted behind the touch (the best was 99.95 as the instant began)."""
    sim = replay(tmp_path, [(1.0, 1, 11, 50, 99.94, 1), (2.0, 4, 1, 100, 99.95, 1), (2.0, 4, 3, 100, 99.94, 1),
                            (2.0, 4, 11, 30, 99.94, 1)], Plan((0, 99.94, 100.20, 100)))
    assert fills(sim) == [(2.0, 1, 99.94, 30.0)]
    assert sim.fills.stats["fills_behind_touch"] == 1 and sim.fills.stats["fills_at_touch"] == 0


def test_executions_through_our_price_fill_by_their_size(tmp_path):
    """Our bid improves to 99.96: a 60-share execution at 99.95 went through it and fills 60."""
    sim = replay(tmp_path, [(1.0, 4, 1, 60, 99.95, 1)], Plan((0, 99.96, 100.20, 100)))
    assert fills(sim) == [(1.0, 1, 99.96, 60.0)]
    assert sim.fills.stats["fills_through"] == 1


def test_an_order_posted_through_our_price_fills_by_its_displayed_size_only(tmp_path):
    """A 20-share sell posted at our 99.97 bid fills 20 of our 100, not the whole quote (no phantom fill)."""
    sim = replay(tmp_path, [(1.0, 1, 11, 20, 99.97, -1)], Plan((0, 99.97, 100.20, 100)))
    assert fills(sim) == [(1.0, 1, 99.97, 20.0)]
    assert sim.fills.stats["fills_book_through"] == 1


def test_hidden_executions_at_our_price_neither_fill_nor_move_us(tmp_path):
    """A hidden 500 at our price changes nothing: the untracked 100 ahead still takes the next 100."""
    sim = replay(tmp_path, [(1.0, 1, 11, 50, 99.95, 1), (2.0, 5, 0, 500, 99.95, 1), (3.0, 4, 1, 100, 99.95, 1),
                            (4.0, 4, 11, 10, 99.95, 1)], Plan((0, 99.95, 100.20, 100)))
    assert fills(sim) == [(4.0, 1, 99.95, 10.0)]


def test_beyond_the_last_level_only_a_print_through_our_price_fills_capped_by_its_size(tmp_path):
    """A bid at 99.90, deeper than the two levels in view: executions at 99.94 do not reach it; a hidden print at
    99.89 went through it and fills by its 15 shares."""
    sim = replay(tmp_path, [(1.0, 4, 3, 100, 99.94, 1), (2.0, 5, 0, 15, 99.89, 1)], Plan((0, 99.90, 100.20, 100)))
    assert fills(sim) == [(2.0, 1, 99.90, 15.0)]


def test_the_quote_joins_the_queue_when_it_reaches_the_market_after_the_latency(tmp_path):
    """With 1 s of latency the bid joins at t=1, behind the order that arrived at t=0.5: that order's execution
    at t=2 (after the 100 ahead) fills nothing; had the quote joined at once, it would have filled 30."""
    messages = [(0.5, 1, 11, 50, 99.95, 1), (2.0, 4, 1, 100, 99.95, 1), (2.0, 4, 11, 30, 99.95, 1)]
    assert fills(replay(tmp_path, messages, Plan((0, 99.95, 100.20, 100)))) == [(2.0, 1, 99.95, 30.0)]
    assert fills(replay(tmp_path, messages, Plan((0, 99.95, 100.20, 100)), latency_s=1.0)) == []


def test_the_model_needs_a_feed_that_keeps_the_book():
    """On a level-1 tick feed there is no book to queue in: a configuration error saying what to use."""
    sim = Simulation(ReplayFeed(FrameSource.from_rows([quote_row(0.0, 99.95, 100.05)])), Plan((0, 99.9, 100.1, 1)),
                     QueueFills(0.01))
    with pytest.raises(ConfigError, match="keeps the full book"):
        sim.run()
