"""Uncertainty of statistics computed over independent paths: standard errors and paired bootstrap intervals.

Paths of a Monte Carlo run are independent and identically distributed, and every strategy meets the same
seeded markets (common random numbers), so path ``i`` of one strategy and path ``i`` of another are a pair.
The paired bootstrap resamples path indices once and applies the same resample to every array: differences and
ratios between strategies (or scenarios run with the same seeds) then keep the benefit of the pairing.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from engine import ConfigError


def mean_se(x) -> tuple[float, float]:
    """Mean and standard error of the mean, ``std(x, ddof=1) / sqrt(n)`` (NaN SE below two values)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return np.nan, np.nan
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else np.nan
    return float(x.mean()), se


@attrs.frozen
class Estimate:
    """A statistic, its bootstrap standard error and a percentile confidence interval."""

    value: float
    se: float
    low: float
    high: float
    level: float = 0.95

    def excludes(self, point: float) -> bool:
        """True when ``point`` lies outside the confidence interval."""
        return bool(point < self.low or point > self.high)


def check_bootstrap(n: int, resamples: int) -> None:
    """Raise :class:`ConfigError` unless a bootstrap of ``n`` paths and ``resamples`` resamples is meaningful
    (``n >= 2``, ``resamples >= 100``): callers check this before any simulation."""
    if n < 2:
        raise ConfigError(f"the bootstrap needs at least 2 paths, got {n}")
    if resamples < 100:
        raise ConfigError(f"resamples must be >= 100, got {resamples}")


class PairedBootstrap:
    """Resamples of ``n`` path indices, drawn once and shared by every statistic.

    Parameters
    ----------
    n : int
        Number of paths (>= 2).
    resamples : int
        Number of bootstrap resamples (>= 100).
    seed : int
        Seeds the resampling (deterministic).
    """

    def __init__(self, n: int, resamples: int = 2000, seed: int = 0) -> None:
        check_bootstrap(n, resamples)
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        self.n = n
        self.indices = rng.integers(0, n, size=(resamples, n))

    def estimate(self, statistic: Callable[..., np.ndarray], *arrays, level: float = 0.95) -> Estimate:
        """Bootstrap ``statistic`` of the per-path ``arrays``.

        Parameters
        ----------
        statistic : callable
            Called with one 2-D array per input, resamples along the rows and paths along axis 1; returns one
            value per row. Called once more on the original arrays (as one row each) for the point estimate.
        *arrays : array_like
            One value per path each, all of length ``n``, in path order.
        level : float
            Coverage of the percentile interval.

        Returns
        -------
        Estimate
        """
        data = [np.asarray(a, dtype=float) for a in arrays]
        for a in data:
            if a.shape != (self.n,):
                raise ConfigError(f"bootstrap arrays must have {self.n} values, got shape {a.shape}")
        value = float(statistic(*(a[None, :] for a in data))[0])
        samples = np.asarray(statistic(*(a[self.indices] for a in data)), dtype=float)
        return _percentile_estimate(value, samples, level)


def _percentile_estimate(value: float, samples: np.ndarray, level: float) -> Estimate:
    """The point estimate with the bootstrap SE and percentile interval of the finite ``samples``."""
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return Estimate(value, np.nan, np.nan, np.nan, level)
    tail = 50 * (1 - level)
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Estimate(value, float(samples.std(ddof=1)) if samples.size > 1 else np.nan, float(low), float(high),
                    level)


def two_sample_estimate(first: PairedBootstrap, second: PairedBootstrap, statistic: Callable[..., np.ndarray],
                        first_arrays, second_arrays, level: float = 0.95) -> Estimate:
    """Bootstrap a statistic of two independent samples (two regimes, say), each resampled by its own
    :class:`PairedBootstrap` (paired within a sample: the same resample for every array of it).

    ``statistic(*first_arrays, *second_arrays)`` is called as in :meth:`PairedBootstrap.estimate`, with
    resamples along the rows; both bootstraps must draw the same number of resamples.
    """
    if first.indices.shape[0] != second.indices.shape[0]:
        raise ConfigError("the two bootstraps must draw the same number of resamples")
    one = [np.asarray(a, dtype=float) for a in first_arrays]
    two = [np.asarray(a, dtype=float) for a in second_arrays]
    value = float(statistic(*(a[None, :] for a in one), *(a[None, :] for a in two))[0])
    samples = np.asarray(statistic(*(a[first.indices] for a in one), *(a[second.indices] for a in two)), dtype=float)
    return _percentile_estimate(value, samples, level)


def variance(x: np.ndarray) -> np.ndarray:
    """Row-wise sample variance (ddof = 1), for :meth:`PairedBootstrap.estimate`."""
    return x.var(axis=1, ddof=1)
