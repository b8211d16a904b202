"""The ``mmsim run`` recipe: several strategies over the same seeded synthetic paths, side by side.

A run of any size fits in bounded memory: the paths arrive task by task (:func:`engine.montecarlo.iter_ledgers`),
each task's ledger and per-path metrics can be appended to files at once, the summary is kept running
(:class:`analytics.metrics.RunningSummary`), and only the first paths' ledger is kept for the report.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from contextlib import ExitStack, closing
from pathlib import Path

import attrs

from analytics import Ledger, path_metrics
from analytics.metrics import RunningSummary
from engine import ConfigError, Fees, iter_ledgers, strategy_name
from engine.ledger import TABLES, LedgerWriter, ParquetAppender
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

#: Per-path metrics file written beside a streamed ledger.
PATHS_FILE = "paths.parquet"


@attrs.frozen
class StrategyResult:
    """One strategy's run: its name, the ledger of its first ``paths_kept`` paths (all of them unless
    :func:`compare` was given ``keep_paths``), and the summary over every path."""

    name: str
    ledger: Ledger
    summary: dict
    paths_kept: int


def result_names(strategies: Sequence) -> list[str]:
    """The strategies' names, made unique by a numeric suffix when two share one."""
    names, seen = [], {}
    for strategy in strategies:
        name = strategy_name(strategy)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return names


def compare(feed, strategies: Sequence, fill_model, *, paths: int, seed: int, latency_s: float = 0.0,
            fees: Fees = Fees(), workers: int = 1, progress: Callable[[int], None] | None = None,
            out: str | os.PathLike | None = None, keep_paths: int | None = None) -> list[StrategyResult]:
    """Run every strategy over the same ``paths`` seeded paths (common random numbers) and summarise each.

    Parameters
    ----------
    feed, strategies, fill_model
        The market, the strategies (names in the results are :func:`result_names`) and the fill model.
    paths, seed, latency_s, fees, workers, progress
        As for :func:`engine.run_paths`.
    out : path, optional
        When given, each strategy's ledger (``fills``, ``quotes``, ``marks.parquet``) and per-path metrics
        (:data:`PATHS_FILE`) are written into ``out/<name>/`` as the paths arrive.
    keep_paths : int, optional
        Keep in memory only the ledger of the first ``keep_paths`` paths (the same for every strategy); default:
        every path.

    Returns
    -------
    list of StrategyResult
        In the order of ``strategies``; every summary covers all ``paths``.

    Raises
    ------
    ConfigError
        Before any path runs, if a strategy cannot be copied (see :func:`check_copyable`).
    """
    for strategy in strategies:
        check_copyable(strategy)
    results = []
    for name, strategy in zip(result_names(strategies), strategies):
        folder = None if out is None else Path(out) / name
        kept, summary = {table: [] for table in TABLES}, RunningSummary()
        with ExitStack() as files:
            ledger_file = files.enter_context(LedgerWriter(folder)) if folder else None
            per_path_file = files.enter_context(ParquetAppender(folder / PATHS_FILE)) if folder else None
            parts = files.enter_context(closing(iter_ledgers(  # closed on any error: the workers stop at once
                feed, strategy, fill_model, paths=paths, seed=seed, latency_s=latency_s, fees=fees, workers=workers,
                progress=progress)))
            for part in parts:
                per_path = path_metrics(part)
                summary.add(per_path)
                if folder:
                    ledger_file.append(part)
                    per_path_file.append(per_path.reset_index())
                if keep_paths is None or part.mark_rows[0][0] < keep_paths:  # the frames are built already
                    for table, frames in kept.items():
                        frame = getattr(part, table)
                        frames.append(frame if keep_paths is None else frame[frame["path"] < keep_paths])
        ledger = Ledger.from_frames(**{t: pd.concat(frames, ignore_index=True) for t, frames in kept.items()})
        results.append(StrategyResult(name, ledger, {"strategy": name, **summary.summary()},
                                      paths if keep_paths is None else min(paths, keep_paths)))
    return results


def check_copyable(strategy) -> None:
    """Raise :class:`ConfigError` unless ``strategy`` pickles: every path starts from a copy of it, and worker
    processes receive it pickled (a lock, an open file or a lambda in its attributes cannot be)."""
    try:
        pickle.dumps(strategy)
    except Exception as exc:
        raise ConfigError(f"strategy {strategy_name(strategy)} cannot be copied for each path or sent to worker "
                          f"processes ({exc}): keep only plain data (numbers, arrays, lists) in its attributes"
                          ) from None
