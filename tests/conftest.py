"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Quote
from strategies import Strategy

REPO = Path(__file__).resolve().parents[1]
LOBSTER_DIR = REPO.parent / "shared" / "data" / "lobster"


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
