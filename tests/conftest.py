"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import MarketState, Quote
from strategies import Strategy

REPO = Path(__file__).resolve().parents[1]
LOBSTER_DIR = REPO.parent / "shared" / "data" / "lobster"


@pytest.fixture(autouse=True)
def _work_in_tmp_path(tmp_path, monkeypatch) -> None:
    """Every test runs in its own empty folder: a command's default output (``./mmsim-out``) never lands in the
    checkout, and a folder left by an earlier run never meets the overwrite guard."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def lobster_dir() -> Path:
    """The real LOBSTER sample, or skip: a user's clone does not have ../shared."""
    if not LOBSTER_DIR.is_dir():
        pytest.skip(f"real LOBSTER sample not found at {LOBSTER_DIR} (only the project's own machines have it)")
    return LOBSTER_DIR


class FixedDepth(Strategy):
    """Quotes at a fixed depth on both sides of the mid (for fill-rate tests)."""

    def __init__(self, depth: float) -> None:
        self.depth = depth

    def quote(self, state):
        return Quote(state.mid - self.depth, state.mid + self.depth)


def assert_array_quotes_match_scalar_quotes(strategy, inventory) -> None:
    """``strategy.quote`` on arrays over paths equals its quote path by path (NaN where the scalar gives None)."""
    quote = strategy.quote(MarketState(mid=np.full(len(inventory), 100.0), inventory=np.asarray(inventory)))
    for i, q in enumerate(inventory):
        one = strategy.quote(MarketState(mid=100.0, inventory=float(q)))
        for side, scalar in ((quote.bid, one.bid), (quote.ask, one.ask)):
            assert np.isnan(side[i]) if scalar is None else side[i] == pytest.approx(scalar, abs=1e-12)
