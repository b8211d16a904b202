"""Random mid-price paths on a time grid: the grid, the regime-switching variances and the increments.

Pure functions of a generator and parameters, shared by the synthetic feed (one path per generator, in
:mod:`feeds.synthetic`) and the vectorised Monte Carlo engine (:mod:`engine.vectorised`), so both engines draw
the same market from the same seed.
"""

from __future__ import annotations

import numpy as np

INCREMENTS = ("binary", "gaussian", "gbm")


def tick_times(steps: int, dt: float, T: float) -> np.ndarray:
    """The clock of a time-stepped market: ``steps`` ticks at ``dt, 2 dt, ...``, the last at the horizon ``T``.

    The synthetic feed moves the mid at these times, :class:`engine.StepFills` settles at them and the vectorised
    engine steps on them. The last is ``T`` itself: ``steps * dt`` can round past it (``35 * 0.005 > 0.175``) and a
    run stops at its horizon, so a tick there would be lost.
    """
    times = np.arange(1, steps + 1) * dt
    times[-1] = T
    return times


def tick_variances(rng: np.random.Generator, *, steps: int, dt: float, T: float, sigma: float,
                   sigma_volatile: float | None = None, to_volatile_rate: float = 1.0,
                   to_calm_rate: float = 1.0) -> np.ndarray:
    """Variance of each of the ``steps`` increments of one path.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the regime path (nothing is drawn without regimes).
    steps, dt, T : int, float, float
        Number of steps, their length and the horizon ``T = steps * dt`` (time units).
    sigma : float
        Volatility of the calm regime (price units, or relative for ``gbm``, per square-root time unit).
    sigma_volatile : float or None
        Volatility of the volatile regime; ``None`` for a single regime (every variance is ``sigma^2 dt``).
    to_volatile_rate, to_calm_rate : float
        Switching rates per time unit of the two-state Markov chain, which starts calm.

    Returns
    -------
    numpy.ndarray
        ``steps`` variances: the integrated variance of the regime path over each step, exactly.
    """
    if sigma_volatile is None:
        return np.full(steps, sigma**2 * dt)
    # Regime path: alternating sojourns, calm first; V(t) is the integrated variance, linear between switches.
    knots, variance, t, calm = [0.0], [0.0], 0.0, True
    while t < T:
        stay = rng.exponential(1.0 / (to_volatile_rate if calm else to_calm_rate))
        end = min(t + stay, T)
        vol = sigma if calm else sigma_volatile
        variance.append(variance[-1] + vol**2 * (end - t))
        knots.append(end)
        t, calm = end, not calm
    grid = np.arange(steps + 1) * dt
    return np.diff(np.interp(grid, knots, variance))


def mid_increments(rng: np.random.Generator, variances: np.ndarray, kind: str) -> np.ndarray:
    """Increments of the mid with the given variances (log-increments for ``gbm``).

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws one number per increment, after whatever drew ``variances``.
    variances : numpy.ndarray
        Variance of each increment (from :func:`tick_variances`).
    kind : {"binary", "gaussian", "gbm"}
        ``binary``: +/- the standard deviation with equal probability (the paper's); ``gaussian``: normal;
        ``gbm``: normal log-increment with the ``-variance / 2`` drift that keeps the mid a martingale.

    Returns
    -------
    numpy.ndarray
        One increment per variance.
    """
    n = len(variances)
    if kind == "binary":
        return np.where(rng.random(n) < 0.5, 1.0, -1.0) * np.sqrt(variances)
    shocks = rng.standard_normal(n) * np.sqrt(variances)
    return shocks - 0.5 * variances if kind == "gbm" else shocks


def market_variances(market, rng: np.random.Generator) -> np.ndarray:
    """:func:`tick_variances` of one path of ``market``: any object with the attributes of
    :class:`feeds.SyntheticMarket` (``steps``, ``dt``, ``T``, ``sigma``, ``sigma_volatile``, ``to_volatile_rate``,
    ``to_calm_rate``)."""
    return tick_variances(rng, steps=market.steps, dt=market.dt, T=market.T, sigma=market.sigma,
                          sigma_volatile=market.sigma_volatile, to_volatile_rate=market.to_volatile_rate,
                          to_calm_rate=market.to_calm_rate)


def market_increments(market, rng: np.random.Generator) -> np.ndarray:
    """The mid increments of one path of ``market`` (as for :func:`market_variances`, plus ``increments``):
    the regime variances, then the increments, both from ``rng``."""
    return mid_increments(rng, market_variances(market, rng), market.increments)
