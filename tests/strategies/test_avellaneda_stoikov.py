"""Avellaneda-Stoikov quotes against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ConfigError, MarketState
from strategies import AvellanedaStoikov

# gamma = 0.1, sigma = 2, k = 1.5: gamma sigma^2 = 0.4 and (2 / gamma) ln(1 + gamma / k) = 20 ln(16/15).
LN_16_15 = 0.0645385211375712


@pytest.mark.parametrize("t, q, bid, ask", [
    # t = 0, q = 0: r = 100, spread = 0.4 + 20 ln(16/15) = 1.690770423; quotes r -/+ 0.845385211.
    (0.0, 0.0, 100 - 0.845385211375712, 100 + 0.845385211375712),
    # t = 0.5, q = 3: r = 100 - 3 * 0.4 * 0.5 = 99.4; spread = 0.2 + 1.290770423 = 1.490770423.
    (0.5, 3.0, 99.4 - 0.745385211375712, 99.4 + 0.745385211375712),
    # t = 0.75, q = -2: r = 100 + 2 * 0.4 * 0.25 = 100.2; spread = 0.1 + 1.290770423 = 1.390770423.
    (0.75, -2.0, 100.2 - 0.695385211375712, 100.2 + 0.695385211375712),
    # t = T: no inventory term, spread = 20 ln(16/15) only.
    (1.0, 5.0, 100 - 10 * LN_16_15, 100 + 10 * LN_16_15),
])
def test_quotes_equal_hand_computed_values(t, q, bid, ask):
    """bid/ask = s - q gamma sigma^2 (T-t) -/+ [gamma sigma^2 (T-t) + (2/gamma) ln(1+gamma/k)] / 2."""
    strategy = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5)
    quote = strategy.quote(MarketState(time=t, horizon=1.0, mid=100.0, inventory=q))
    assert quote.bid == pytest.approx(bid, abs=1e-12)
    assert quote.ask == pytest.approx(ask, abs=1e-12)


def test_quotes_work_on_arrays_of_paths():
    """The same quote() serves many paths at once when mid and inventory are arrays."""
    strategy = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5)
    state = MarketState(time=0.5, horizon=1.0, mid=np.array([100.0, 101.0]), inventory=np.array([3.0, 0.0]))
    quote = strategy.quote(state)
    np.testing.assert_allclose(quote.bid, [99.4 - 0.745385211375712, 101 - 0.745385211375712])


def test_average_spread_is_the_time_average_over_the_quote_grid():
    """average_spread(T, dt) = gamma sigma^2 (T + dt) / 2 + (2/gamma) ln(1 + gamma/k); continuous without dt."""
    strategy = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5)
    assert strategy.average_spread(1.0, 0.005) == pytest.approx(0.4 * 0.5025 + 20 * LN_16_15, abs=1e-12)
    assert strategy.average_spread(1.0) == pytest.approx(0.2 + 20 * LN_16_15, abs=1e-12)
    grid = np.arange(200) * 0.005
    assert strategy.average_spread(1.0, 0.005) == pytest.approx(strategy.spread(1.0 - grid).mean(), abs=1e-12)


@pytest.mark.parametrize("field, value", [("gamma", 0.0), ("gamma", -1.0), ("k", 0.0), ("sigma", -0.1),
                                          ("gamma", float("nan")), ("k", float("inf"))])
def test_invalid_parameters_are_refused_naming_the_field(field, value):
    """gamma > 0, k > 0, sigma >= 0 and all finite, or a ConfigError naming the field."""
    with pytest.raises(ConfigError, match=field):
        AvellanedaStoikov(**{field: value})


def test_an_infinite_horizon_is_refused_clearly():
    """Without a horizon the finite-horizon formula has no meaning: a clear error, not infinite quotes."""
    with pytest.raises(ConfigError, match="finite horizon"):
        AvellanedaStoikov().quote(MarketState(time=0.0, mid=100.0, inventory=0.0))
