"""The ``mmsim run`` recipe: several strategies over the same seeded synthetic paths, side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import pandas as pd

from analytics import Ledger, path_metrics, summarize
from engine import Fees, run_paths, strategy_name


@attrs.frozen
class StrategyResult:
    """One strategy's run: its name, the ledger, the per-path metrics and their summary."""

    name: str
    ledger: Ledger
    per_path: pd.DataFrame
    summary: dict


def result_names(strategies: Sequence) -> list[str]:
    """The strategies' names, made unique by a numeric suffix when two share one."""
    names, seen = [], {}
    for strategy in strategies:
        name = strategy_name(strategy)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return names


def compare(feed, strategies: Sequence, fill_model, *, paths: int, seed: int, latency_s: float = 0.0,
            fees: Fees = Fees(), workers: int = 1,
            progress: Callable[[int], None] | None = None) -> list[StrategyResult]:
    """Run every strategy over the same ``paths`` seeded paths (common random numbers) and summarise each.

    Names in the results are :func:`result_names`.
    """
    results = []
    for name, strategy in zip(result_names(strategies), strategies):
        ledger = run_paths(feed, strategy, fill_model, paths=paths, seed=seed, latency_s=latency_s, fees=fees,
                           workers=workers, progress=progress)
        per_path = path_metrics(ledger)
        results.append(StrategyResult(name, ledger, per_path, {"strategy": name, **summarize(per_path)}))
    return results
