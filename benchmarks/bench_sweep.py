"""Benchmark (pytest-benchmark): ``mmsim sweep``'s runner on a 3 x 3 grid at 1000 paths per cell, with exact fills
(the default market: every cell on the event engine) and with the paper's step fills (every cell on the vectorised
engine since issue 14; on the event engine before), on one process and on every core:

    pytest benchmarks/bench_sweep.py --benchmark-only

The speed-up of processes needs the wall clock (the default timer); on a loaded machine compare the one-process
runs by CPU time instead (``--benchmark-timer time.process_time -k one-process``: a worker process's time is not
counted, so that timer is meaningless for ``all-cores``). Each records ``cells``, ``paths_per_cell``, ``fills``,
``workers``, ``engines`` and ``best_s`` in ``benchmark.extra_info``. Figures in ``benchmarks/README.md``.
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
@pytest.mark.parametrize("fills", ["exact", "step"])
def test_sweep_3x3_at_1000_paths(benchmark, tmp_path, workers, fills):
    """The default A-S market with ``fills``: 9 cells x 1000 paths, each cell's metrics and attribution, cells
    stored as they finish."""
    config = SweepConfig(GRID, market={"fills": fills}, paths=PATHS, seed=0)

    def run():
        return run_sweep(config, tmp_path / f"run-{next(_runs)}", workers=workers)

    table = benchmark.pedantic(run, rounds=2, iterations=1)
    assert len(table) == 9
    engines = sorted({config.cell_config(i).get("engine", "event") for i in range(config.size)})
    benchmark.extra_info.update(cells=9, paths_per_cell=PATHS, fills=fills, workers=workers, engines=engines,
                                best_s=round(benchmark.stats.stats.min, 2))
