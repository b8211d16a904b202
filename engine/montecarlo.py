"""Monte Carlo over many independent, seeded paths of the event engine, on one or several processes."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from engine.errors import ConfigError
from engine.ledger import Ledger
from engine.simulation import Simulation
from engine.types import Fees


def path_seed(seed: int, path: int) -> np.random.SeedSequence:
    """The seed of path ``path`` of a run seeded ``seed``: the ``path``-th child of ``SeedSequence(seed)``.

    It depends only on ``(seed, path)``, so a path is the same however the paths are split across processes,
    and every strategy run with the same seed meets the same markets (common random numbers).
    """
    return np.random.SeedSequence(seed, spawn_key=(path,))


def check_paths_and_seed(paths, seed) -> None:
    """Raise :class:`ConfigError` unless ``paths`` is a whole number >= 1 and ``seed`` one >= 0."""
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or paths < 1:
        raise ConfigError(f"paths must be a whole number >= 1, got {paths!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}")


def _run_range(feed, strategy, fill_model, seed, start, stop, latency_s, fees, progress=None) -> Ledger:
    ledger = Ledger()
    for path in range(start, stop):
        Simulation(feed, copy.deepcopy(strategy), fill_model, seed=path_seed(seed, path), latency_s=latency_s,
                   fees=fees, ledger=ledger, path=path).run()
        if progress is not None:
            progress(1)
    return ledger


def run_paths(feed, strategy, fill_model, *, paths: int, seed: int = 0, latency_s: float = 0.0,
              fees: Fees = Fees(), workers: int = 1, progress: Callable[[int], None] | None = None) -> Ledger:
    """Run ``paths`` independent paths and return one ledger whose rows carry the path number.

    Parameters
    ----------
    feed, strategy, fill_model
        As for :class:`Simulation`. The strategy is deep-copied for every path, so each path starts afresh.
    paths : int
        Number of paths (>= 1).
    seed : int
        Path ``i`` is seeded with :func:`path_seed` ``(seed, i)``.
    latency_s, fees
        As for :class:`Simulation`.
    workers : int
        Processes to spread the paths over (1: run here). The ledger is identical, bit for bit, for any value.
    progress : callable, optional
        Called with the number of paths just finished (in this process only; with workers, per chunk).

    Returns
    -------
    Ledger
        Rows in path order.
    """
    check_paths_and_seed(paths, seed)
    if not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ConfigError(f"workers must be a whole number >= 1, got {workers!r}")
    workers = min(int(workers), int(paths), os.cpu_count() or 1)
    if workers == 1:
        return _run_range(feed, strategy, fill_model, seed, 0, paths, latency_s, fees, progress)
    edges = np.linspace(0, paths, 4 * workers + 1).round().astype(int).tolist()
    chunks = [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    ledger = Ledger()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_range, feed, strategy, fill_model, seed, a, b, latency_s, fees) for a, b in chunks]
        for future, (a, b) in zip(futures, chunks):
            part = future.result()
            ledger.fill_rows += part.fill_rows
            ledger.quote_rows += part.quote_rows
            ledger.mark_rows += part.mark_rows
            if progress is not None:
                progress(b - a)
    return ledger
