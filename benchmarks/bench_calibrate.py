"""Benchmark: calibrate the full AAPL day (read the LOBSTER files, MLE, least squares, fit check, sigma).

Target: under 2 s. Run with ``python -m pytest benchmarks/bench_calibrate.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import calibrate
from feeds import read_lobster

LOBSTER = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lobster"
AAPL = LOBSTER / "AAPL_2012-06-21_34200000_57600000_message_1.csv"


@pytest.fixture
def aapl() -> Path:
    if not AAPL.is_file():
        pytest.skip(f"real LOBSTER sample not found at {LOBSTER}")
    return AAPL


def test_calibrate_full_aapl_day(benchmark, aapl):
    """Read and calibrate the whole AAPL session (118,497 messages) in under 2 s."""
    result = benchmark.pedantic(lambda: calibrate(read_lobster(aapl)), rounds=7, iterations=1, warmup_rounds=1)
    assert result.fit.passed
    assert benchmark.stats.stats.median < 2.0
