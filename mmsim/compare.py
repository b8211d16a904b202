"""The ``mmsim run`` recipe: several strategies over the same seeded synthetic paths, side by side."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence

import attrs
import pandas as pd

from analytics import Ledger, path_metrics, summarize
from engine import ConfigError, Fees, run_paths, strategy_name


@attrs.frozen
class StrategyResult:
    """One strategy's run: its name, the ledger, the per-path metrics and their summary."""

    name: str
    ledger: Ledger
    per_path: pd.DataFrame
    summary: dict


def compare(feed, strategies: Sequence, fill_model, *, paths: int, seed: int, latency_s: float = 0.0,
            fees: Fees = Fees(), workers: int = 1,
            progress: Callable[[int], None] | None = None) -> list[StrategyResult]:
    """Run every strategy over the same ``paths`` seeded paths (common random numbers) and summarise each.

    Names in the results are made unique by a numeric suffix when two strategies share one.

    Raises
    ------
    ConfigError
        Before any path runs, if a strategy cannot be copied (see :func:`check_copyable`).
    """
    for strategy in strategies:
        check_copyable(strategy)
    results, seen = [], {}
    for strategy in strategies:
        name = strategy_name(strategy)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}-{seen[name]}"
        ledger = run_paths(feed, strategy, fill_model, paths=paths, seed=seed, latency_s=latency_s, fees=fees,
                           workers=workers, progress=progress)
        per_path = path_metrics(ledger)
        results.append(StrategyResult(name, ledger, per_path, {"strategy": name, **summarize(per_path)}))
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
