"""Monte Carlo over many independent, seeded paths of the event engine, on one or several processes."""

from __future__ import annotations

import copy
import gc
import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import closing

import numpy as np

from engine.errors import ConfigError
from engine.ledger import Ledger
from engine.pool import WorkerPool
from engine.simulation import Simulation
from engine.types import Fees

#: The most events one path may have: a path's ledger and its drawn arrays are held in memory while it runs
#: (a few hundred bytes per event, so about 3 GB at this bound, and some 20 s at 600,000 events per second).
MAX_EVENTS_PER_PATH = 10_000_000
#: Seconds between two collections of the cycles finished paths leave behind.
COLLECT_INTERVAL_S = 5.0
#: A run is cut into at least this many tasks (when it has that many paths), so that workers share the work.
MIN_TASKS = 8
#: A task holds at most about this many events (ledger rows), so that its memory is bounded.
TASK_EVENTS = 50_000


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


def path_ranges(paths: int, events_per_path: float | None = None) -> Iterator[tuple[int, int]]:
    """The tasks a run of ``paths`` paths is cut into: consecutive ranges ``[a, b)`` of paths.

    They depend only on ``paths`` and the expected events per path, never on the number of workers: at least
    :data:`MIN_TASKS` ranges when there are that many paths (to spread the work), and at most about
    :data:`TASK_EVENTS` events per range (to bound the memory a task's ledger needs).
    """
    size = -(-paths // MIN_TASKS)
    if events_per_path:
        size = min(size, max(1, int(TASK_EVENTS // events_per_path)))
    return ((a, min(a + size, paths)) for a in range(0, paths, size))


_last_collect = time.monotonic()


def _collect_cycles() -> None:
    """A finished path leaves reference cycles (a simulation and the objects that call back into it: its resting
    quotes, its fill model's state), and the automatic collector reaches old cycles too rarely: a long run grew by
    tens of MB a second. Collect every :data:`COLLECT_INTERVAL_S` (a collection takes 35 to 100 ms, so this
    costs 1 to 2%)."""
    global _last_collect
    if time.monotonic() - _last_collect >= COLLECT_INTERVAL_S:
        gc.collect()
        _last_collect = time.monotonic()


def _run_range(feed, strategy, fill_model, seed, start, stop, latency_s, fees, progress=None) -> Ledger:
    ledger = Ledger()
    for path in range(start, stop):
        Simulation(feed, copy.deepcopy(strategy), fill_model, seed=path_seed(seed, path), latency_s=latency_s,
                   fees=fees, ledger=ledger, path=path).run()
        _collect_cycles()
        if progress is not None:
            progress(1)
    return ledger


def iter_ledgers(feed, strategy, fill_model, *, paths: int, seed: int = 0, latency_s: float = 0.0,
                 fees: Fees = Fees(), workers: int = 1,
                 progress: Callable[[int], None] | None = None) -> Iterator[Ledger]:
    """Run ``paths`` independent paths and yield their ledgers task by task (:func:`path_ranges`), in path order.

    Memory stays bounded whatever ``paths`` is: only a window of tasks is in flight. Parameters as for
    :func:`run_paths`. Ctrl-C (or any error) stops the workers at once (:class:`engine.pool.WorkerPool`); a
    caller that stops iterating early should close the generator (``contextlib.closing``) to stop them at once.
    """
    check_paths_and_seed(paths, seed)
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ConfigError(f"workers must be a whole number >= 1, got {workers!r}")
    ranges = path_ranges(int(paths), getattr(feed, "expected_events", None))
    workers = min(int(workers), int(paths), os.cpu_count() or 1)
    if workers == 1:
        for a, b in ranges:
            yield _run_range(feed, strategy, fill_model, seed, a, b, latency_s, fees, progress)
        return
    ranges, done = itertools.tee(ranges)  # ``done`` trails ``ranges`` by the window in flight
    tasks = ((feed, strategy, fill_model, seed, a, b, latency_s, fees) for a, b in ranges)
    with closing(WorkerPool(workers).ordered(_run_range, tasks)) as parts:  # closing it stops the workers
        for part, (a, b) in zip(parts, done):
            if progress is not None:
                progress(b - a)
            yield part


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
        Called with the number of paths just finished (per path here; with workers, per task).

    Returns
    -------
    Ledger
        Rows in path order. It holds every path: for runs too large for memory, use :func:`iter_ledgers`.
    """
    ledger = Ledger()
    for part in iter_ledgers(feed, strategy, fill_model, paths=paths, seed=seed, latency_s=latency_s, fees=fees,
                             workers=workers, progress=progress):
        ledger.fill_rows += part.fill_rows
        ledger.quote_rows += part.quote_rows
        ledger.mark_rows += part.mark_rows
    return ledger
