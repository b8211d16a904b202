"""Own-fill intensity fit: recovery of A and k from simulator ledgers, censored quotes included."""

from __future__ import annotations

import numpy as np
import pytest

from analytics import fit_own_fills
from analytics.own_fills import quote_exposures
from engine import DataError, ExponentialFills, Ledger, Quote, run_paths
from feeds import SyntheticMarket
from strategies import Strategy
from tests.conftest import FixedDepth

A, K = 140.0, 1.5


class Ladder(Strategy):
    """Quotes at depths 0.2 .. 2.0 in turn, a new one at every requote."""

    def __init__(self) -> None:
        self.i = 0

    def quote(self, state):
        self.i += 1
        depth = 0.2 + 0.3 * (self.i % 7)
        return Quote(state.mid - depth, state.mid + depth)


class SlowLadder(Ladder):
    """The ladder, requoted on a timer only: between requotes the mid moves and the depth with it."""

    requote_on_tick = False
    requote_interval_s = 0.05


@pytest.mark.parametrize("strategy", [Ladder(), SlowLadder()], ids=["requote-on-tick", "timer"])
def test_A_and_k_are_recovered_within_3_standard_errors_from_a_ledger(strategy):
    """From a simulator ledger (exact exponential fills, most quotes cancelled unfilled) the MLE is within 3 SE."""
    ledger = run_paths(SyntheticMarket(T=1.0, A=A, k=K), strategy, ExponentialFills(), paths=30, seed=11)
    pieces = quote_exposures(ledger)
    assert (pieces["fills"] == 0).sum() > 5 * pieces["fills"].sum()  # right-censored quotes dominate
    fit = fit_own_fills(ledger)
    assert abs(fit.A - A) < 3 * fit.A_se and abs(fit.k - K) < 3 * fit.k_se, fit
    assert fit.A_se < 0.1 * A and fit.k_se < 0.1 * K and fit.events == len(ledger.fills)


def test_exposure_adds_up_to_the_time_each_side_was_quoted():
    """Requoting at every tick with unit sizes, the two sides rest for the whole horizon of every path."""
    ledger = run_paths(SyntheticMarket(T=0.5, A=A, k=K), Ladder(), ExponentialFills(), paths=3, seed=2)
    pieces = quote_exposures(ledger)
    assert pieces["exposure"].sum() == pytest.approx(2 * 3 * 0.5)
    np.testing.assert_allclose(sorted(set(pieces["depth"].round(9))), 0.2 + 0.3 * np.arange(7))


def test_time_unit_converts_A_to_per_second():
    """With a ledger clock of one minute per unit, A comes out 60 times smaller and k unchanged."""
    ledger = run_paths(SyntheticMarket(T=1.0, A=A, k=K), Ladder(), ExponentialFills(), paths=5, seed=1)
    per_unit, per_second = fit_own_fills(ledger), fit_own_fills(ledger, time_unit_s=60.0)
    assert per_second.A == pytest.approx(per_unit.A / 60.0) and per_second.k == pytest.approx(per_unit.k)


def test_a_single_depth_or_no_fill_cannot_identify_the_intensity():
    """All quotes at one depth leave k unidentified; a ledger without fills leaves A unidentified."""
    ledger = run_paths(SyntheticMarket(T=0.2, A=A, k=K, sigma=0.0), FixedDepth(1.0), ExponentialFills(), paths=2)
    with pytest.raises(DataError, match="same depth: k cannot be estimated"):
        fit_own_fills(ledger)
    empty = run_paths(SyntheticMarket(T=0.2, A=0.0, k=K), Ladder(), ExponentialFills(), paths=2)
    with pytest.raises(DataError, match="no fills"):
        fit_own_fills(empty)


def test_a_fill_that_matches_no_live_quote_is_reported():
    """A fill whose price differs from the quote live before it is a broken ledger, named with path and time."""
    ledger = run_paths(SyntheticMarket(T=0.2, A=A, k=K), Ladder(), ExponentialFills(), paths=1, seed=3)
    fills = ledger.fills.copy()
    fills.loc[0, "price"] += 0.5
    with pytest.raises(DataError, match=r"fill on path 0 at t=.* does not match the (bid|ask) live before it"):
        quote_exposures(Ledger.from_frames(fills, ledger.quotes, ledger.marks))
