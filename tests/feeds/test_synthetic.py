"""The synthetic market's paths: increments, regimes, impact and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.markouts import markout_curve, markouts
from engine import ConfigError, ExponentialFills, StepFills, run_paths, run_vectorised
from feeds import SyntheticMarket
from strategies import SymmetricSpread
from tests.conftest import FixedDepth


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
    ({"sigma_volatile": -2}, "sigma_volatile"), ({"impact": -0.1}, "impact"), ({"informed": 1.0}, "informed"),
    ({"informed": -0.1}, "informed"), ({"informed_k": 0.0}, "informed_k"),
])
def test_invalid_market_parameters_are_refused_naming_the_field(kwargs, field):
    """Each invalid parameter raises ConfigError naming it."""
    with pytest.raises(ConfigError, match=field):
        SyntheticMarket(**kwargs)


def test_informed_orders_trade_in_the_direction_of_the_next_tick_and_reach_deeper():
    """30% of the orders (within 4 binomial SE) take the side of the next tick and Exponential(0.75) depths; the
    others agree with the next tick half the time (4 SE)."""
    market = SyntheticMarket(T=20.0, informed=0.3, informed_k=0.75)
    rng = np.random.default_rng(3)
    increments = market.mid_increments(rng)
    times, sides, depths = market.market_orders(rng)
    new_sides, new_depths = market.inform(rng, times, sides, depths, increments)
    informed = new_depths != depths  # an informed order's depth is its draw times k / informed_k = 2
    n = times.size
    assert abs(informed.mean() - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n)
    next_move = np.sign(increments[(times / market.dt).astype(int)])
    assert (new_sides[informed] == next_move[informed]).all()
    agree = (new_sides[~informed] == next_move[~informed]).mean()
    assert abs(agree - 0.5) < 4 * math.sqrt(0.25 / (~informed).sum())
    deep = new_depths[informed]  # Exponential: the SE of the mean is the mean / sqrt(n)
    assert abs(deep.mean() - 1 / 0.75) < 4 * (1 / 0.75) / math.sqrt(deep.size)


def test_informed_orders_leave_the_mid_path_unchanged():
    """The informed market's mid path is the baseline's for the same seed: they foresee moves, not cause them."""
    mids = lambda m: m.drop_duplicates(["path", "time"], keep="last").set_index(["path", "time"]).mid
    base = run_paths(SyntheticMarket(T=0.3), SymmetricSpread(1.0), ExponentialFills(), paths=2, seed=9).marks
    informed = run_paths(SyntheticMarket(T=0.3, informed=0.5, informed_k=0.5), SymmetricSpread(1.0),
                         ExponentialFills(), paths=2, seed=9).marks
    assert mids(base).equals(mids(informed))


def test_deeper_quotes_meet_a_larger_share_of_informed_orders():
    """Markout one tick after each fill, per unit, is 0.1414 times the informed share of the flow at the quote's
    depth: s e^(-k_i d) / (s e^(-k_i d) + (1 - s) e^(-k d)), 0.239 at d = 0.3 and 0.381 at d = 1.2 (4 SE)."""
    market = SyntheticMarket(informed=0.2, informed_k=0.75)
    tick = market.sigma * math.sqrt(market.dt)
    for depth in (0.3, 1.2):
        ledger = run_paths(market, FixedDepth(depth), ExponentialFills(), paths=40, seed=2)
        # Fills within one step share the tick after it: the SE clusters by path (40 paths).
        curve = markout_curve(markouts(ledger, [market.dt])).set_index("side").loc["all"]
        share = 0.2 * math.exp(-0.75 * depth) / (0.2 * math.exp(-0.75 * depth) + 0.8 * math.exp(-1.5 * depth))
        assert abs(curve["mean"] - tick * share) < 4 * curve["se"]


def test_the_vectorised_engine_refuses_informed_orders():
    """It draws its own fills from A and k, so it would silently ignore the informed flow: a ConfigError."""
    market = SyntheticMarket(A=0.0, informed=0.2)
    with pytest.raises(ConfigError, match="informed"):
        run_vectorised(market, SymmetricSpread(1.0), StepFills(A=140.0, k=1.5, dt=market.dt), paths=2)
