"""Per-path and across-path metrics on a hand-built ledger."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import Ledger, path_metrics, summarize
from engine.ledger import FILL_COLUMNS, MARK_COLUMNS, QUOTE_COLUMNS

NAN = math.nan


def hand_ledger() -> Ledger:
    # Path 0: buys at 99.5 at t=0.5, sells at 101.2 at t=1.5; horizon 2. Path 1: never quotes, loses 1.
    marks = pd.DataFrame([(0, 0.0, 100.0, 0.0, 0.0, 0.0), (0, 1.0, 101.0, 1.0, -99.5, 1.5),
                          (0, 2.0, 101.0, 0.0, 1.7, 1.7), (1, 0.0, 100.0, 0.0, 0.0, 0.0),
                          (1, 2.0, 100.0, 0.0, -1.0, -1.0)], columns=MARK_COLUMNS)
    fills = pd.DataFrame([(0, 0.5, 1, 99.5, 1.0, 100.0, 0.0, 1.0, -99.5),
                          (0, 1.5, -1, 101.2, 1.0, 101.0, 0.0, 0.0, 1.7)], columns=FILL_COLUMNS)
    quotes = pd.DataFrame([(0, 0.0, 99.5, 100.5, 1, 1, 100.0, 0.0), (0, 1.0, 100.0, 102.0, 1, 1, 101.0, 1.0),
                           (0, 1.5, NAN, 102.0, 1, 1, 101.0, 0.0)], columns=QUOTE_COLUMNS)
    return Ledger.from_frames(fills=fills, quotes=quotes, marks=marks)


def test_path_metrics_match_hand_computed_values():
    """pnl, final q, fill count, time-averaged q^2 and two-sided spread, by hand."""
    m = path_metrics(hand_ledger())
    assert list(m.pnl) == pytest.approx([1.7, -1.0])
    assert list(m.final_q) == [0.0, 0.0]
    assert list(m.fills) == [2, 0]
    # q = 1 on [0.5, 1.5) out of [0, 2]: mean q^2 = 1 / 2.
    assert list(m.mean_q2) == pytest.approx([0.5, 0.0])
    # Two-sided for 1.5 time units: spread 1 for 1, spread 2 for 0.5 -> 2 / 1.5; path 1 never quoted.
    assert m.avg_spread[0] == pytest.approx(2 / 1.5)
    assert np.isnan(m.avg_spread[1])


def test_summary_across_paths_by_hand():
    """Mean, sample std (ddof = 1) and Sharpe = mean / std of the final P&L across paths."""
    s = summarize(path_metrics(hand_ledger()))
    std = abs(1.7 - -1.0) / math.sqrt(2)
    assert s["paths"] == 2
    assert s["pnl_mean"] == pytest.approx(0.35)
    assert s["pnl_std"] == pytest.approx(std)
    assert s["sharpe"] == pytest.approx(0.35 / std)
    assert s["fills_mean"] == 1.0 and s["mean_q2"] == pytest.approx(0.25)
    assert s["avg_spread"] == pytest.approx(2 / 1.5)


def test_ledger_round_trips_through_parquet_exactly(tmp_path):
    """save then load gives the same tables, bit for bit."""
    ledger = hand_ledger()
    ledger.save(tmp_path)
    back = Ledger.load(tmp_path)
    for name in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(ledger, name), check_exact=True)


def test_saved_files_get_the_usual_permissions(tmp_path):
    """Atomic writes leave files readable by others as a plain open() would (not mkstemp's 0600)."""
    import os
    hand_ledger().save(tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "marks.parquet").stat().st_mode & 0o777 == 0o666 & ~umask
