"""Benchmark (pytest-benchmark): ``mmsim sweep``'s runner on a 3 x 3 grid at 1000 paths per cell, on one process
and on every core. Wall clock (the point is the speed-up of processes), so run it with the default timer:

    pytest benchmarks/bench_sweep.py --benchmark-only

Each records ``cells``, ``paths_per_cell``, ``workers`` and ``best_s`` in ``benchmark.extra_info``; the speed-up is
the ratio of the two best times. Figures in ``benchmarks/README.md``.
"""

from __future__ import annotations

import itertools
import os

import pytest

from mmsim.sweep import SweepConfig, run_sweep

GRID = (("gamma", (0.01, 0.1, 1.0)), ("strategy_k", (1.0, 1.5, 3.0)))
PATHS = 1000
_runs = itertools.count()


@pytest.mark.parametrize("workers", [1, os.cpu_count() or 1], ids=["one-process", "all-cores"])
def test_sweep_3x3_at_1000_paths(benchmark, tmp_path, workers):
    """The default A-S market, event engine, exact fills: 9 cells x 1000 paths, cells stored as they finish."""
    config = SweepConfig(GRID, paths=PATHS, seed=0)

    def run():
        return run_sweep(config, tmp_path / f"run-{next(_runs)}", workers=workers)

    table = benchmark.pedantic(run, rounds=2, iterations=1)
    assert len(table) == 9
    benchmark.extra_info.update(cells=9, paths_per_cell=PATHS, workers=workers,
                                best_s=round(benchmark.stats.stats.min, 2))
