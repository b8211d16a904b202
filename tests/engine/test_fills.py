"""Fill models: the empirical fill rate matches the intensity A exp(-k delta)."""

from __future__ import annotations

import math

import pytest

from engine import ASK, BID, ConfigError, ExponentialFills, Quote, StepFills, run_paths
from feeds import SyntheticMarket
from strategies import Strategy
from tests.conftest import FixedDepth

A, K, PATHS = 140.0, 1.5, 40


@pytest.mark.parametrize("depth", [0.25, 1.0, 2.0])
def test_exponential_fill_rate_matches_intensity_within_3_standard_errors(depth):
    """Fills per unit time at a fixed depth equal A exp(-k delta) on each side, within 3 Poisson SEs."""
    market = SyntheticMarket(T=1.0, A=A, k=K)
    fills = run_paths(market, FixedDepth(depth), ExponentialFills(), paths=PATHS, seed=42).fills
    expected = A * math.exp(-K * depth) * PATHS * market.T
    for side in (BID, ASK):
        count = int((fills.side == side).sum())
        # Fill counts are Poisson with mean = variance = expected.
        assert abs(count - expected) < 3 * math.sqrt(expected), (side, count, expected)


@pytest.mark.parametrize("depth", [0.25, 1.0, 2.0])
def test_step_fill_probability_matches_min_one_lambda_dt_within_3_standard_errors(depth):
    """The step model fills each side with probability min(1, A exp(-k delta) dt) per step (binomial count)."""
    market = SyntheticMarket(T=1.0, A=0.0, k=K)
    model = StepFills(A=A, k=K, dt=market.dt)
    fills = run_paths(market, FixedDepth(depth), model, paths=PATHS, seed=42).fills
    p = min(1.0, A * math.exp(-K * depth) * market.dt)
    n = PATHS * market.steps
    for side in (BID, ASK):
        count = int((fills.side == side).sum())
        assert abs(count - n * p) < 3 * math.sqrt(n * p * (1 - p)), (side, count, n * p)


def test_a_quote_through_the_mid_fills_on_every_market_order():
    """A bid above the mid (depth < 0) fills on every sell order: the rate is capped at A."""

    class BidAboveMid(Strategy):
        def quote(self, state):
            return Quote(state.mid + 0.1, None)

    market = SyntheticMarket(T=1.0, A=A, k=K, sigma=0.0)
    fills = run_paths(market, BidAboveMid(), ExponentialFills(), paths=5, seed=1).fills
    expected = A * 5
    assert abs(int((fills.side == BID).sum()) - expected) < 3 * math.sqrt(expected)


def test_step_fills_need_a_finite_horizon_longer_than_a_step():
    """A step longer than the horizon is refused with a clear error."""
    with pytest.raises(ConfigError, match="longer than the horizon"):
        run_paths(SyntheticMarket(T=0.01, dt=0.005, A=0), FixedDepth(1.0), StepFills(A=1, k=1, dt=0.5), paths=1)
