"""The replay summary's P&L split on a replay small enough to work out by hand."""

from __future__ import annotations

import pytest

from analytics.replay_summary import replay_summary
from engine import BUY, SELL, Fees, Simulation
from engine.replay_fills import TradeThroughFills
from feeds import FrameSource, ReplayFeed, quote_row, trade_row
from strategies import Retimed, SymmetricSpread


def test_pnl_split_matches_a_hand_computation():
    """The P&L split of a two-fill replay (capture, inventory moves, fees) matches the hand computation 1.6."""
    # Quote 99.97 / 100.03 (100 each) once. Buy 30 at 99.97 with the mid at 100 (capture 0.9); the mid falls to
    # 99.95 (inventory -1.5); sell 50 at 100.03 (capture 4.0); the mid returns to 100 short 20 (inventory -1.0);
    # fees 0.01 a share on 80 shares: pnl = 0.9 + 4.0 - 1.5 - 1.0 - 0.8 = 1.6.
    rows = [quote_row(0.0, 99.95, 100.05), trade_row(1.0, 99.95, 30, SELL), quote_row(2.0, 99.90, 100.00),
            trade_row(3.0, 100.05, 50, BUY), quote_row(4.0, 99.95, 100.05)]
    once = Retimed(SymmetricSpread(0.06, 100), None, requote_on_tick=False, requote_on_fill=False)
    sim = Simulation(ReplayFeed(FrameSource.from_rows(rows)), once, TradeThroughFills(0.01),
                     fees=Fees(per_unit=0.01))
    s = replay_summary(sim.run())
    assert s["spread_capture"] == pytest.approx(4.9)
    assert s["inventory_pnl"] == pytest.approx(-2.5)
    assert s["fees"] == pytest.approx(0.8)
    assert s["pnl"] == pytest.approx(1.6)
    assert (s["fills"], s["buys"], s["sells"], s["volume"]) == (2, 1, 1, 80.0)
    assert s["notional"] == pytest.approx(30 * 99.97 + 50 * 100.03)
    assert (s["final_inventory"], s["max_abs_inventory"]) == (-20.0, 30.0)
    assert (s["start"], s["end"], s["quotes"]) == (0.0, 4.0, 1)


def test_a_replay_without_fills_has_zero_pnl_terms():
    """No fills: every term is zero and the counts are empty."""
    rows = [quote_row(0.0, 99.95, 100.05), quote_row(1.0, 99.96, 100.06)]
    sim = Simulation(ReplayFeed(FrameSource.from_rows(rows)), SymmetricSpread(1.0), TradeThroughFills(0.01))
    s = replay_summary(sim.run())
    assert (s["pnl"], s["spread_capture"], s["inventory_pnl"], s["fees"], s["fills"]) == (0, 0, 0, 0, 0)
    assert s["max_abs_inventory"] == 0.0
