"""Gueant-Lehalle-Fernandez-Tapia quotes against hand-computed values."""

from __future__ import annotations

import math

import pytest

from engine import ConfigError, MarketState, StepFills, run_vectorised
from feeds import SyntheticMarket
from strategies import GLFT
from tests.conftest import assert_array_quotes_match_scalar_quotes

# gamma = 0.1, sigma = 2, k = 1.5, A = 140:
#   base = (1/gamma) ln(1 + gamma/k) = 10 ln(16/15) = 0.6453852113757117
#   c = sqrt(sigma^2 gamma / (2 k A) (1 + gamma/k)^(1 + k/gamma)) = sqrt(0.4 / 420 * (16/15)^16)
#     = sqrt(0.4 / 420 * 2.8084039655764466) = 0.051717216121965996
BASE = 10 * math.log(16 / 15)
C = math.sqrt(0.4 / 420 * (16 / 15) ** 16)


def test_constants_match_the_hand_arithmetic():
    """The two constants written out above are what the formula gives."""
    assert BASE == pytest.approx(0.6453852113757117, abs=1e-15)
    assert C == pytest.approx(0.051717216121965996, abs=1e-15)


@pytest.mark.parametrize("q, bid, ask", [
    # q = 0: delta_b = base + c/2, delta_a = base + c/2 -> 99.3287561805633, 100.6712438194367.
    (0.0, 100 - (0.6453852113757117 + 0.5 * 0.051717216121965996),
     100 + (0.6453852113757117 + 0.5 * 0.051717216121965996)),
    # q = 3: delta_b = base + 3.5 c, delta_a = base - 2.5 c -> 99.1736045321974, 100.5160921710708.
    (3.0, 99.1736045321974, 100.5160921710708),
    # q = -4: delta_b = base - 3.5 c, delta_a = base + 4.5 c.
    (-4.0, 100 - (0.6453852113757117 - 3.5 * 0.051717216121965996),
     100 + (0.6453852113757117 + 4.5 * 0.051717216121965996)),
])
def test_quotes_equal_hand_computed_values(q, bid, ask):
    """bid = s - base - (2q+1)/2 c and ask = s + base - (2q-1)/2 c, independent of the time."""
    strategy = GLFT(gamma=0.1, sigma=2.0, k=1.5, A=140.0, max_inventory=10)
    for t in (0.0, 0.9):
        quote = strategy.quote(MarketState(time=t, horizon=1.0, mid=100.0, inventory=q))
        assert quote.bid == pytest.approx(bid, abs=1e-12)
        assert quote.ask == pytest.approx(ask, abs=1e-12)


def test_the_side_that_would_breach_the_limit_is_withdrawn():
    """At q = Q the bid is withdrawn, at q = -Q the ask; one step inside both sides quote."""
    strategy = GLFT(max_inventory=3)
    assert strategy.quote(MarketState(mid=100.0, inventory=3.0)).bid is None
    assert strategy.quote(MarketState(mid=100.0, inventory=3.0)).ask is not None
    assert strategy.quote(MarketState(mid=100.0, inventory=-3.0)).ask is None
    both = strategy.quote(MarketState(mid=100.0, inventory=2.0))
    assert both.bid is not None and both.ask is not None


def test_arrays_of_paths_give_the_scalar_quotes_and_nan_at_the_limit():
    """quote() on arrays equals quote() per path, with NaN where the limit withdraws a side."""
    assert_array_quotes_match_scalar_quotes(GLFT(max_inventory=3), [0.0, 3.0, -3.0, 2.0])


def test_runs_in_the_vectorised_engine_within_the_limit():
    """The vectorised engine runs it and no path's inventory leaves [-Q, Q]."""
    market = SyntheticMarket(T=0.2)
    result = run_vectorised(market, GLFT(max_inventory=2), StepFills(A=140, k=1.5, dt=market.dt), paths=50,
                            seed=1, record=True)
    assert result.ledger.marks["inventory"].abs().max() <= 2


@pytest.mark.parametrize("field", ["gamma", "k", "A", "max_inventory"])
def test_non_positive_parameters_are_config_errors(field):
    """gamma, k, A and Q must be > 0."""
    with pytest.raises(ConfigError, match=field):
        GLFT(**{field: 0.0})
