"""Plots never hand matplotlib an axis it cannot draw."""

from __future__ import annotations

import pytest

from analytics import analyse
from analytics.plots import png_bytes, time_limits
from analytics.report import figures
from tests.analytics.conftest import ledger_from_rows

EPOCH_S = 1_340_000_000.0  # June 2012 in seconds since the epoch, as generic tick files' times read


def test_a_collapsed_time_axis_is_a_small_window_not_an_autoscaled_one():
    """An axis from one instant to itself gets a +/- 1 s window (matplotlib would widen it by ~5% of 1.3e9)."""
    assert time_limits(EPOCH_S, EPOCH_S) == (EPOCH_S - 1.0, EPOCH_S + 1.0)
    assert time_limits(10.0, 70.0) == (10.0, 70.0)
    lo, hi = time_limits(float("nan"), float("inf"))
    assert hi - lo == 2.0


@pytest.mark.parametrize("clock", ["real", "synthetic"])
def test_a_report_whose_run_lasts_no_time_draws_at_once(clock):
    """The case of issue 15: a replay whose every row is at one epoch instant. Each time axis of the report
    spans 2 s with a handful of ticks (it used to autoscale to ~134 million seconds and draw a tick a second)."""
    t = EPOCH_S
    ledger = ledger_from_rows(
        fills=[(0, t, 1, 99.99, 100.0, 100.0, 0.0, 100.0, -9999.0)],
        quotes=[(0, t, 99.99, 100.01, 100.0, 100.0, 100.0, 0.0)],
        marks=[(0, t, 100.0, 0.0, 0.0, 0.0), (0, t, 100.0, 100.0, -9999.0, 1.0)])
    drawn = figures([analyse("collapsed", ledger, clock=clock)], clock)
    timed = 0
    for key, (fig, _) in drawn.items():
        for ax in fig.axes:
            assert len(ax.get_xticks()) <= 12, key
            lo, hi = ax.get_xlim()
            if lo > EPOCH_S - 10:  # a time axis (the others are P&L, inventory or horizons)
                timed += 1
                assert (lo, hi) == (EPOCH_S - 1.0, EPOCH_S + 1.0), key
        assert png_bytes(fig).startswith(b"\x89PNG")
    assert timed >= 2  # at least the position and the quotes figure (and the equity curve on a real clock)
