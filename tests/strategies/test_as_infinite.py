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


@pytest.mark.parametrize("q, bid, ask", [
    # q = 0: 2 omega - 0 = 4.84; bid arg 1 - 0.04/4.84 = 120/121, ask arg 1 + 0.04/4.84 = 122/121.
    (0.0, 100 + 10 * math.log(120 / 121) - BASE, 100 + 10 * math.log(122 / 121) + BASE),
    # q = 3: 4.84 - 0.36 = 4.48; bid arg 1 - 7 * 0.04/4.48 = 15/16; ask arg 1 - 5 * 0.04/4.48 = 107/112.
    (3.0, 100 + 10 * math.log(15 / 16) - BASE, 100 + 10 * math.log(107 / 112) + BASE),
    # q = -10: 4.84 - 4 = 0.84; bid arg 1 + 19 * 0.04/0.84 = 40/21; the ask would breach -Q: withdrawn.
    (-10.0, 100 + 10 * math.log(40 / 21) - BASE, None),
])
def test_quotes_equal_hand_computed_values(q, bid, ask):
    """bid = r_b - (1/g) ln(1+g/k), ask = r_a + (1/g) ln(1+g/k) with the paper's r_b, r_a and default omega."""
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, max_inventory=10)
    assert strategy.omega_used == pytest.approx(2.42)
    quote = strategy.quote(MarketState(time=0.3, horizon=1.0, mid=100.0, inventory=q))
    assert quote.bid == pytest.approx(bid, abs=1e-12)
    assert quote.ask == (None if ask is None else pytest.approx(ask, abs=1e-12))


def test_an_explicit_omega_is_used():
    """With omega = 1: q = 0 gives bid arg 1 - 0.04/2 = 0.98 and ask arg 1.02."""
    quote = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, omega=1.0).quote(MarketState(mid=50.0, inventory=0.0))
    assert quote.bid == pytest.approx(50 + 10 * math.log(0.98) - BASE, abs=1e-12)
    assert quote.ask == pytest.approx(50 + 10 * math.log(1.02) + BASE, abs=1e-12)


def test_a_side_is_withdrawn_where_the_logarithm_is_undefined():
    """With omega too small for q (2 omega <= gamma^2 sigma^2 q^2) both sides are withdrawn, on floats and arrays."""
    strategy = InfiniteHorizonAS(gamma=0.1, sigma=2.0, k=1.5, omega=0.02, max_inventory=10)  # q = 1 is the edge
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
