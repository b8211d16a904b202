"""Volatility of the mid price: realised volatility at a sampling interval, and its exponentially weighted variant.

Units: sigma in price units per square-root second (the Avellaneda-Stoikov sigma, for an arithmetic mid).
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from analytics.mle import Z95
from engine import ConfigError
from engine.errors import check_positive


@attrs.frozen
class VolatilityEstimate:
    """A volatility estimate.

    Attributes
    ----------
    sigma : float
        Price units per square-root second.
    se : float
        Standard error from the Gaussian likelihood's observed Fisher information, ``sigma / sqrt(2 n)`` (``n``
        the effective number of returns).
    se_robust : float
        Standard error that does not assume Gaussian returns: from the sample variance of the squared returns
        (larger when returns have fat tails).
    returns : int
        Returns used.
    interval_s : float
        Sampling interval, seconds.
    halflife_s : float or None
        Half-life of the weights (EWMA only).
    """

    sigma: float
    se: float
    se_robust: float
    returns: int
    interval_s: float
    halflife_s: float | None = None

    @property
    def ci95(self) -> tuple[float, float]:
        return self.sigma - Z95 * self.se, self.sigma + Z95 * self.se

    def to_dict(self) -> dict:
        return {"sigma": self.sigma, "se": self.se, "se_robust": self.se_robust, "ci95": list(self.ci95),
                "returns": self.returns, "interval_s": self.interval_s, "halflife_s": self.halflife_s}


def sampled_returns(ts: np.ndarray, mid: np.ndarray, interval_s: float) -> np.ndarray:
    """Changes of the mid between the times ``ts[0], ts[0] + interval_s, ...`` (the last mid at or before each).

    Raises
    ------
    ConfigError
        If the data hold fewer than two intervals.
    """
    interval_s = check_positive("interval_s", interval_s)
    n = int(math.floor((ts[-1] - ts[0]) / interval_s + 1e-9))
    if n < 2:
        raise ConfigError(f"the sampling interval {interval_s:g} s is too long: the data span "
                          f"{ts[-1] - ts[0]:g} s, fewer than two intervals")
    grid = ts[0] + interval_s * np.arange(n + 1)
    sampled = mid[np.searchsorted(ts, grid, side="right") - 1]
    return np.diff(sampled)


def _estimate(squares: np.ndarray, weights: np.ndarray, interval_s: float, halflife_s: float | None
              ) -> VolatilityEstimate:
    """Weighted mean of squared returns per second, with its standard errors."""
    weights = weights / weights.sum()
    variance = float(weights @ squares) / interval_s
    sigma = math.sqrt(variance)
    n_eff = 1.0 / float(weights @ weights)
    # Var(sum w r^2) = sum w^2 Var(r^2); the delta method turns it into a standard error of sigma.
    var_of_squares = float(weights @ (squares - weights @ squares) ** 2) * n_eff / max(n_eff - 1.0, 1.0)
    se_robust = math.sqrt(var_of_squares / n_eff) / interval_s / (2.0 * sigma) if sigma > 0 else math.nan
    return VolatilityEstimate(sigma=sigma, se=sigma / math.sqrt(2.0 * n_eff), se_robust=se_robust,
                              returns=len(squares), interval_s=interval_s, halflife_s=halflife_s)


def realised_volatility(ts: np.ndarray, mid: np.ndarray, interval_s: float) -> VolatilityEstimate:
    """Realised volatility: ``sigma^2 = sum r_i^2 / (n Delta)`` over the ``n`` mid changes ``r_i`` at interval
    ``Delta``.

    It is the maximum-likelihood estimate for a driftless Brownian mid, ``r_i ~ N(0, sigma^2 Delta)``, whose
    log-likelihood ``-n ln sigma - sum r_i^2 / (2 sigma^2 Delta)`` has observed information ``2 n / sigma^2``,
    so ``se = sigma / sqrt(2 n)``. A short interval picks up microstructure noise (bid-ask bounce of the mid),
    a long one has few returns: plot sigma against the interval to choose.

    Parameters
    ----------
    ts, mid : ndarray
        Times (seconds, non-decreasing) and mid prices after each update.
    interval_s : float
        Sampling interval, seconds.
    """
    squares = sampled_returns(ts, mid, interval_s) ** 2
    return _estimate(squares, np.ones(len(squares)), interval_s, None)


def ewma_volatility(ts: np.ndarray, mid: np.ndarray, interval_s: float, halflife_s: float) -> VolatilityEstimate:
    """Exponentially weighted volatility at the end of the data: ``sigma^2 = sum w_i r_i^2 / Delta`` with weights
    ``w_i`` proportional to ``2^(-age_i / halflife)`` (the RiskMetrics recursion
    ``v <- lambda v + (1 - lambda) r^2 / Delta``, ``lambda = 2^(-Delta / halflife)``, started from the data).

    Its standard error uses the effective number of returns ``1 / sum w_i^2``.
    """
    halflife_s = check_positive("halflife_s", halflife_s)
    squares = sampled_returns(ts, mid, interval_s) ** 2
    age = np.arange(len(squares))[::-1] * interval_s
    return _estimate(squares, np.exp2(-age / halflife_s), interval_s, halflife_s)
