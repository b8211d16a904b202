"""The shared mid-path helpers: any object with the market's attributes draws the market's path."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from engine.paths import market_increments, tick_variances
from feeds import SyntheticMarket


def test_a_duck_typed_market_draws_what_synthetic_market_draws():
    """engine.paths on a plain namespace with SyntheticMarket's fields gives its increments, regimes included."""
    market = SyntheticMarket(T=2.0, dt=0.01, sigma=1.0, sigma_volatile=3.0, increments="gaussian")
    plain = SimpleNamespace(**{f: getattr(market, f) for f in ("steps", "dt", "T", "sigma", "sigma_volatile",
                                                                 "to_volatile_rate", "to_calm_rate", "increments")})
    np.testing.assert_array_equal(market_increments(plain, np.random.default_rng(5)),
                                  market.mid_increments(np.random.default_rng(5)))


def test_without_regimes_every_variance_is_sigma_squared_dt_and_nothing_is_drawn():
    """A single regime gives sigma^2 dt per step and leaves the generator untouched."""
    rng = np.random.default_rng(0)
    variances = tick_variances(rng, steps=4, dt=0.5, T=2.0, sigma=3.0)
    np.testing.assert_array_equal(variances, np.full(4, 4.5))
    assert rng.random() == np.random.default_rng(0).random()
