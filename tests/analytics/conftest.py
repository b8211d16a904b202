"""Shared fixtures for the analytics tests: small runs and hand-built ledgers."""

from __future__ import annotations

import pandas as pd
import pytest

from engine import ExponentialFills, Ledger, run_paths
from engine.ledger import FILL_COLUMNS, MARK_COLUMNS, QUOTE_COLUMNS
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov, InventoryCapped, SymmetricSpread


def ledger_from_rows(fills=(), quotes=(), marks=()) -> Ledger:
    """A ledger over hand-written rows (tuples in the engine's column order)."""
    def frame(rows, columns):
        out = pd.DataFrame(list(rows), columns=list(columns), dtype=float)
        for name in ("path", "side"):
            if name in out:
                out[name] = out[name].astype("int64")
        return out
    return Ledger.from_frames(frame(fills, FILL_COLUMNS), frame(quotes, QUOTE_COLUMNS), frame(marks, MARK_COLUMNS))


@pytest.fixture(scope="session")
def small_runs() -> list[tuple[str, Ledger]]:
    """Three strategies over the same 6 short paths of the paper's market (T = 0.2)."""
    market = SyntheticMarket(T=0.2, impact=0.02)
    avellaneda = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5)
    spread = avellaneda.average_spread(market.T, market.dt)
    strategies = [("avellaneda-stoikov", avellaneda), ("naive", SymmetricSpread(spread)),
                  ("inventory-capped", InventoryCapped(SymmetricSpread(spread), 2.0))]
    return [(name, run_paths(market, s, ExponentialFills(), paths=6, seed=1)) for name, s in strategies]


@pytest.fixture(scope="session")
def day_run() -> list[tuple[str, Ledger]]:
    """One 20-minute path in seconds (a replay-like real-time clock) for two strategies."""
    market = SyntheticMarket(s0=50.0, T=1200.0, dt=1.0, sigma=0.01, A=0.2, k=50.0, impact=0.002)
    avellaneda = AvellanedaStoikov(gamma=0.1, sigma=0.01, k=50.0)
    spread = avellaneda.average_spread(market.T, market.dt)
    return [(name, run_paths(market, s, ExponentialFills(), paths=1, seed=3))
            for name, s in [("avellaneda-stoikov", avellaneda), ("naive", SymmetricSpread(spread))]]


@pytest.fixture
def make_ledger():
    """The :func:`ledger_from_rows` builder, as a fixture (test modules do not import conftest)."""
    return ledger_from_rows
