"""Volatility: realised volatility recovers sigma within its SE; the EWMA follows the recent regime."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.volatility import ewma_volatility, realised_volatility
from engine import ConfigError

SIGMA = 0.05  # price per sqrt(second)


def brownian_mid(sigmas: list[float], seconds_each: int, seed: int = 0):
    """A mid updated every 0.5 s with Gaussian steps, in consecutive regimes of the given sigmas."""
    rng = np.random.default_rng(seed)
    steps = np.concatenate([rng.normal(0.0, s * math.sqrt(0.5), 2 * seconds_each) for s in sigmas])
    ts = 0.5 * np.arange(len(steps) + 1)
    return ts, 100.0 + np.concatenate([[0.0], np.cumsum(steps)])


@pytest.mark.parametrize("interval_s", [1.0, 10.0])
def test_realised_volatility_recovers_sigma_within_3_standard_errors(interval_s):
    """On a Brownian mid sampled every interval, sigma is within 3 SE, and SE = sigma / sqrt(2 n)."""
    ts, mid = brownian_mid([SIGMA], 20_000, seed=1)
    est = realised_volatility(ts, mid, interval_s)
    assert abs(est.sigma - SIGMA) < 3 * est.se
    assert est.se == pytest.approx(est.sigma / math.sqrt(2 * est.returns))
    # Gaussian returns: both SEs agree. Their ratio is sqrt((K - 1) / 2) with K the sample kurtosis, whose SE is
    # sqrt(24 / n) at K = 3, so the ratio's relative SE is sqrt(24 / n) / 4 = sqrt(1.5 / n); allow 3 of them.
    assert est.se_robust == pytest.approx(est.se, rel=3 * math.sqrt(1.5 / est.returns))


def test_ewma_follows_the_latest_regime_where_realised_volatility_averages():
    """After a jump from sigma to 3 sigma, a short half-life EWMA reads the new level; the plain estimate does not."""
    ts, mid = brownian_mid([SIGMA, 3 * SIGMA], 10_000, seed=2)
    ewma = ewma_volatility(ts, mid, 5.0, halflife_s=600.0)
    plain = realised_volatility(ts, mid, 5.0)
    assert abs(ewma.sigma - 3 * SIGMA) < 3 * ewma.se
    assert abs(plain.sigma - 3 * SIGMA) > 10 * plain.se


def test_an_interval_longer_than_half_the_data_is_refused():
    """Fewer than two returns is a configuration error that names the interval."""
    ts, mid = brownian_mid([SIGMA], 10)
    with pytest.raises(ConfigError, match="sampling interval 15 s is too long"):
        realised_volatility(ts, mid, 15.0)
