"""Avellaneda-Stoikov infinite-horizon quotes against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import ConfigError, MarketState
from strategies import InfiniteHorizonAS
from tests.conftest import assert_array_quotes_match_scalar_quotes

# gamma = 0.1, sigma = 2, k = 1.5, Q = 10: gamma^2 sigma^2 = 0.04, default omega = 0.04 * 11^2 / 2 = 2.42,
# base = (1/gamma) ln(1 + gamma/k) = 10 ln(16/15).
BASE = 10 * math.log(16 / 15)


def value(x, s, q, gamma, sigma, omega):
    """The paper's infinite-horizon value with frozen inventory: -exp(-gamma (x + q s)) / (omega - g^2 s^2 q^2 / 2)."""
    return -math.exp(-gamma * (x + q * s)) / (omega - 0.5 * (gamma * sigma * q) ** 2)


@pytest.mark.parametrize("lot", [1.0, 100.0])
def test_reservation_prices_solve_the_indifference_conditions(lot):
    """v(x - D r_b, s, q + D) = v(x, s, q) and v(x + D r_a, s, q - D) = v(x, s, q) on a grid of q, D = 1 and 100."""
    gamma, sigma = 0.1 / lot, 2.0  # the same risk per lot at either lot size keeps the numbers of order 1
    strategy = InfiniteHorizonAS(gamma=gamma, sigma=sigma, k=1.5, max_inventory=10 * lot, order_size=lot)
    omega, x, s = strategy.omega_used, 3.0, 100.0
    for q in np.arange(-9, 10) * lot:
        r_b, r_a = strategy.reservation_prices(s, q)
        v = value(x, s, q, gamma, sigma, omega)
        assert value(x - lot * r_b, s, q + lot, gamma, sigma, omega) == pytest.approx(v, rel=1e-9)
        assert value(x + lot * r_a, s, q - lot, gamma, sigma, omega) == pytest.approx(v, rel=1e-9)


def test_the_issue_figures_for_the_ask():
    """At gamma 0.1, sigma 2, omega 2.42: r_a - s = -3.54 at q = +9 and +6.44 at q = -9 (the printed formula gave
    -5.53 and +3.89)."""
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, max_inventory=10)
    assert strategy.reservation_prices(100.0, 9.0)[1] - 100 == pytest.approx(-3.54, abs=0.005)
    assert strategy.reservation_prices(100.0, -9.0)[1] - 100 == pytest.approx(6.44, abs=0.005)


def test_quotes_are_mirror_images():
    """ask(q) - s = s - bid(-q) for every q on the grid where both are quoted, and the spread is symmetric at 0."""
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, max_inventory=10)
    for q in np.arange(-9.0, 10.0):
        ask = strategy.quote(MarketState(mid=100.0, inventory=q)).ask
        bid = strategy.quote(MarketState(mid=100.0, inventory=-q)).bid
        assert ask - 100 == pytest.approx(100 - bid, abs=1e-12)
    at_zero = strategy.quote(MarketState(mid=100.0, inventory=0.0))
    assert at_zero.ask - 100 == pytest.approx(100 - at_zero.bid, abs=1e-12)
    assert at_zero.ask - 100 > BASE  # the reservation ask of the first share sold is above the mid


def test_the_side_that_would_breach_the_limit_is_withdrawn_at_both_ends():
    """At q = Q the bid is withdrawn (its logarithm reaches ln 0), at q = -Q the ask."""
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, max_inventory=10)
    assert strategy.quote(MarketState(mid=100.0, inventory=10.0)).bid is None
    assert strategy.quote(MarketState(mid=100.0, inventory=-10.0)).ask is None
    assert strategy.quote(MarketState(mid=100.0, inventory=-10.0)).bid is not None


def test_an_explicit_omega_is_used():
    """With omega = 1 at q = 0 both logarithms' arguments are 1 - 0.04/2 = 0.98: r_b = s + 10 ln 0.98 = 2s - r_a."""
    quote = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, omega=1.0).quote(MarketState(mid=50.0, inventory=0.0))
    assert quote.bid == pytest.approx(50 + 10 * math.log(0.98) - BASE, abs=1e-12)
    assert quote.ask == pytest.approx(50 - 10 * math.log(0.98) + BASE, abs=1e-12)


def test_a_side_is_withdrawn_where_the_logarithm_is_undefined():
    """With omega too small for q (2 omega <= gamma^2 sigma^2 q^2) both sides are withdrawn, on floats and arrays."""
    # 2 omega = 0.1 < 0.04 q^2 at q = 2
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, omega=0.05, max_inventory=10)
    quote = strategy.quote(MarketState(mid=100.0, inventory=2.0))
    assert quote.bid is None and quote.ask is None
    arrays = strategy.quote(MarketState(mid=np.full(2, 100.0), inventory=np.array([0.0, 2.0])))
    assert np.isnan(arrays.bid[1]) and np.isnan(arrays.ask[1])
    assert arrays.ask[0] == pytest.approx(strategy.quote(MarketState(mid=100.0, inventory=0.0)).ask)


def test_arrays_of_paths_give_the_scalar_quotes():
    """quote() on arrays equals quote() per path, NaN where a side is withdrawn at the limit."""
    assert_array_quotes_match_scalar_quotes(InfiniteHorizonAS(max_inventory=3), [0.0, 3.0, -3.0, 1.0])


@pytest.mark.parametrize("kwargs, field", [({"sigma": 0.0}, "sigma"), ({"omega": -1.0}, "omega"),
                                           ({"gamma": 0.0}, "gamma")])
def test_bad_parameters_are_config_errors(kwargs, field):
    """sigma, omega and gamma must be > 0."""
    with pytest.raises(ConfigError, match=field):
        InfiniteHorizonAS(**kwargs)
