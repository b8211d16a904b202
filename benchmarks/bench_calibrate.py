"""Benchmark: calibrate the full AAPL day by the quote-fill estimator (read the LOBSTER files, 13 replays of
hypothetical quotes, the fits, the out-of-sample check, sigma), and by the older trade-depth estimator.

Run with ``python -m pytest benchmarks/bench_calibrate.py``. About 7 s and 0.2 s on the development machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import calibrate, calibrate_trade_depth
from feeds import read_lobster

LOBSTER = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lobster"
AAPL = LOBSTER / "AAPL_2012-06-21_34200000_57600000_message_1.csv"


@pytest.fixture
def aapl() -> Path:
    if not AAPL.is_file():
        pytest.skip(f"real LOBSTER sample not found at {LOBSTER}")
    return AAPL


def test_calibrate_full_aapl_day(benchmark, aapl):
    """Read and calibrate the whole AAPL session (118,497 messages) by what resting quotes experience."""
    result = benchmark.pedantic(lambda: calibrate(read_lobster(aapl)), rounds=2, iterations=1)
    assert result.sanity["bid"]["ok"] and result.sanity["ask"]["ok"]


def test_calibrate_trade_depth_full_aapl_day(benchmark, aapl):
    """The trade-depth (Gumbel) alternative on the same day."""
    result = benchmark.pedantic(lambda: calibrate_trade_depth(read_lobster(aapl)), rounds=5, iterations=1)
    assert result.fit.passed
