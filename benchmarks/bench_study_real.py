"""Real-day study benchmark: one cell of ``mmsim study --real`` (five full-day replays and their blocks) on the
AAPL day (level 1) and the GOOG day (level 10, exact L3 queues). The time per cell is what docs/sweeps.md scales
to a year of days for 500 stocks. Run with::

    python -m pytest benchmarks/bench_study_real.py --benchmark-only --benchmark-timer time.process_time

Needs ``<repo>/../shared/data/lobster``; skipped otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mmsim.real_days import find_days
from mmsim.real_study import RealStudy

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lobster"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"needs the LOBSTER sample at {DATA}")


@pytest.mark.parametrize("day", ["AAPL 2012-06-21", "GOOG 2012-06-21"])
def test_one_study_cell_per_day(benchmark, day):
    days = [d for d in find_days([str(DATA)]) if d.name == day]
    study = RealStudy(days, skews=(1.0,))
    row = benchmark.pedantic(study.run, args=(0,), rounds=2, iterations=1)
    assert set(row["strategies"]) == {"as-rolling", "as-close", "glft", "naive", "naive-capped"}
    benchmark.extra_info.update(day=day, queue=row["strategies"]["as-rolling"]["queue"],
                                replay_s={k: v["wall_s"] for k, v in row["strategies"].items()},
                                best_s=round(benchmark.stats.stats.min, 2))
