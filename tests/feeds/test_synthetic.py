"""The synthetic market's paths: increments, regimes, impact and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import ConfigError, ExponentialFills, run_paths
from feeds import SyntheticMarket
from strategies import SymmetricSpread


def test_binary_increments_are_plus_or_minus_sigma_sqrt_dt():
    """The paper's mid moves by exactly +/- sigma sqrt(dt), both signs about equally often."""
    market = SyntheticMarket()
    steps = market.mid_increments(np.random.default_rng(0))
    assert len(steps) == 200
    np.testing.assert_allclose(np.abs(steps), 2.0 * math.sqrt(0.005))
    assert abs((steps > 0).mean() - 0.5) < 3 * 0.5 / math.sqrt(200)


def test_regime_switching_raises_the_variance_by_the_time_spent_volatile():
    """With regimes, the mean tick variance lies between calm and volatile and matches half/half switching rates."""
    a, b, T = 2.0, 2.0, 200.0  # rates calm -> volatile, volatile -> calm; horizon
    market = SyntheticMarket(T=T, dt=0.01, sigma=1.0, sigma_volatile=3.0, to_volatile_rate=a, to_calm_rate=b)
    var = market.tick_variances(np.random.default_rng(1))
    assert var.min() >= 1.0 * 0.01 - 1e-12 and var.max() <= 9.0 * 0.01 + 1e-12
    # Stationary share of time volatile = a / (a + b). For a two-state Markov chain the time share over T has
    # variance ~ 2ab / ((a + b)^3 T) (the state's variance ab/(a+b)^2 times its integrated autocorrelation
    # 2/(a+b), over T): SE = 0.025 here. The test allows 3 SE.
    se = math.sqrt(2 * a * b / ((a + b) ** 3 * T))
    share = (var.mean() / 0.01 - 1.0) / (9.0 - 1.0)
    assert abs(share - a / (a + b)) < 3 * se


def test_gbm_mid_stays_positive_with_the_right_log_volatility():
    """Geometric increments keep the mid positive; log-returns have std sigma sqrt(dt)."""
    market = SyntheticMarket(increments="gbm", sigma=0.3, T=100.0, dt=0.01)
    steps = market.mid_increments(np.random.default_rng(2))
    assert steps.std() == pytest.approx(0.3 * 0.1, rel=3 / math.sqrt(2 * len(steps)))


def test_price_impact_moves_the_mid_after_each_market_order():
    """With sigma = 0 the mid only moves by impact, +impact per buy order and -impact per sell order."""
    market = SyntheticMarket(sigma=0.0, impact=0.01, T=0.5)
    ledger = run_paths(market, SymmetricSpread(1.0), ExponentialFills(), paths=1, seed=4)
    moves = np.diff(ledger.marks.mid.to_numpy())
    moves = moves[moves != 0]
    np.testing.assert_allclose(np.abs(moves), 0.01, atol=1e-9)
    assert len(moves) > 100


def test_same_seed_gives_every_strategy_the_same_market():
    """Strategies run with one seed see the same mid path (common random numbers) without impact."""
    a = run_paths(SyntheticMarket(T=0.3), SymmetricSpread(1.0), ExponentialFills(), paths=2, seed=9).marks
    b = run_paths(SyntheticMarket(T=0.3), SymmetricSpread(3.0), ExponentialFills(), paths=2, seed=9).marks
    mids = lambda m: m.drop_duplicates(["path", "time"], keep="last").set_index(["path", "time"]).mid
    assert mids(a).equals(mids(b))


@pytest.mark.parametrize("kwargs, field", [
    ({"sigma": -1}, "sigma"), ({"A": -1}, "A"), ({"k": 0}, "k"), ({"dt": 0}, "dt"), ({"s0": float("nan")}, "s0"),
    ({"T": 1.0, "dt": 0.3}, "whole number of steps"), ({"increments": "levy"}, "increments"),
    ({"sigma_volatile": -2}, "sigma_volatile"), ({"impact": -0.1}, "impact"),
])
def test_invalid_market_parameters_are_refused_naming_the_field(kwargs, field):
    """Each invalid parameter raises ConfigError naming it."""
    with pytest.raises(ConfigError, match=field):
        SyntheticMarket(**kwargs)
