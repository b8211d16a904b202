"""Risk metrics, each on a small example computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import path_metrics, risk_summary
from analytics.risk import inventory_distribution, max_drawdown, path_risk, sharpe, sortino
from analytics.risk import TRADING_DAYS_PER_YEAR, TRADING_SECONDS_PER_DAY, series_ratios, sharpe_se
from engine import ConfigError

# One path from t = 0 to 10: q = 0 on [0, 2), 1 on [2, 5), 3 on [5, 8), 0 on [8, 10].
MARKS = [(0, 0.0, 100.0, 0.0, 0.0, 0.0), (0, 4.0, 101.0, 1.0, -100.0, 1.0), (0, 10.0, 100.0, 0.0, 3.0, 3.0)]
FILLS = [(0, 2.0, 1, 100.0, 1.0, 100.5, 0.0, 1.0, -100.0),
         (0, 5.0, 1, 100.5, 2.0, 101.0, 0.0, 3.0, -301.0),
         (0, 8.0, -1, 101.0, 3.0, 100.5, 0.0, 0.0, 2.0)]
# Four quotes, one with the bid withdrawn: 7 quoted sides.
QUOTES = [(0, 0.0, 99.5, 100.5, 1.0, 1.0, 100.0, 0.0), (0, 2.0, 100.5, 101.5, 1.0, 1.0, 100.5, 1.0),
          (0, 5.0, np.nan, 101.0, 1.0, 3.0, 101.0, 3.0), (0, 8.0, 99.5, 101.0, 1.0, 1.0, 100.5, 0.0)]


@pytest.fixture
def hand(make_ledger):
    return make_ledger(fills=FILLS, quotes=QUOTES, marks=MARKS)


def test_sharpe_and_sortino_by_hand():
    """Sharpe = mean / std (ddof 1); Sortino = mean / sqrt(mean(min(x, 0)^2)); no loss gives inf; one value NaN."""
    assert sharpe([1.0, 2.0, 3.0]) == pytest.approx(2.0)
    assert sortino([1.0, -1.0, 2.0]) == pytest.approx((2 / 3) / math.sqrt(1 / 3))
    assert sortino([1.0, 2.0]) == math.inf
    assert math.isnan(sharpe([1.0])) and math.isnan(sharpe([2.0, 2.0])) and math.isnan(sortino([1.0]))
    assert sharpe(np.array([[1.0, 2.0, 3.0], [0.0, 2.0, 4.0]])) == pytest.approx([2.0, 1.0])


def test_max_drawdown_by_hand(make_ledger):
    """The largest fall of the P&L from a running peak: 3 -> 0.5 is 2.5, not 2 -> 0.5 nor the start."""
    mtm = [0.0, 2.0, 1.0, 3.0, 0.5, 1.0]
    marks = [(0, float(t), 100.0, 0.0, m, m) for t, m in enumerate(mtm)]
    assert max_drawdown(make_ledger(marks=marks).marks).loc[0] == pytest.approx(2.5)


def test_path_risk_by_hand(hand):
    """Time-weighted inventory moments, time at cap, fill ratio, fill rate and turnover of a worked path."""
    risk = path_risk(hand, cap=3.0).loc[0]
    assert risk["duration"] == 10.0
    assert risk["mean_q"] == pytest.approx((1 * 3 + 3 * 3) / 10)
    assert risk["var_q"] == pytest.approx((1 * 3 + 9 * 3) / 10 - 1.2**2)
    assert risk["time_at_cap"] == pytest.approx(3 / 10)
    assert risk["quoted_sides"] == 7
    assert risk["fill_ratio"] == pytest.approx(3 / 7)
    assert risk["fill_rate"] == pytest.approx(3 / 10)
    assert risk["turnover"] == pytest.approx(6.0)
    assert risk["turnover_value"] == pytest.approx(100.0 + 2 * 100.5 + 3 * 101.0)
    assert risk["max_drawdown"] == pytest.approx(0.0)
    assert math.isnan(path_risk(hand)["time_at_cap"].loc[0])


def test_inventory_distribution_by_hand(hand):
    """Shares of time at each level: 0 for 4 of 10 time units, 1 for 3, 3 for 3."""
    share = inventory_distribution(hand)
    assert share.to_dict() == pytest.approx({0.0: 0.4, 1.0: 0.3, 3.0: 0.3})


def test_series_ratios_by_hand(make_ledger):
    """Sharpe and Sortino of a four-step P&L match the hand values, scaled per run or per trading year."""
    # P&L increments 1, 2, -1, 2 per unit time: Sharpe sqrt(2)/2 per interval, times sqrt(4) on a synthetic
    # clock and sqrt(252 * 23400) per one-second interval on a real one; Sortino 1 / 0.5 likewise.
    mtm = [0.0, 1.0, 3.0, 2.0, 4.0]
    marks = make_ledger(marks=[(0, float(t), 100.0, 0.0, m, m) for t, m in enumerate(mtm)]).marks
    per_interval_sharpe, per_interval_sortino = 1 / math.sqrt(2), 1 / 0.5
    synthetic = series_ratios(marks, "synthetic", interval=1.0).loc[0]
    assert synthetic["ts_sharpe"] == pytest.approx(per_interval_sharpe * 2)
    assert synthetic["ts_sortino"] == pytest.approx(per_interval_sortino * 2)
    real = series_ratios(marks, "real", interval=1.0).loc[0]
    annual = math.sqrt(TRADING_DAYS_PER_YEAR * TRADING_SECONDS_PER_DAY)
    assert real["ts_sharpe"] == pytest.approx(per_interval_sharpe * annual)
    # The default synthetic interval is a hundredth of the path: the same P&L read on a finer grid.
    assert series_ratios(marks, "synthetic")["ts_sharpe"].notna().all()


def test_risk_summary_pools_paths():
    """Time-averaged variance pools paths: mean(mean_q2) - mean(mean_q)^2; final variance is across paths."""
    per_path = pd.DataFrame({
        "pnl": [1.0, 3.0], "final_q": [1.0, -1.0], "fills": [2, 4], "mean_q": [1.0, -1.0], "mean_q2": [2.0, 4.0],
        "time_at_cap": [0.0, 0.5], "max_drawdown": [1.0, 2.0], "ts_sharpe": [1.0, 2.0], "ts_sortino": [1.0, 3.0],
        "quoted_sides": [10, 10], "fill_rate": [2.0, 4.0], "turnover": [2.0, 4.0]})
    out = risk_summary(per_path)
    assert out["inventory_var_time"] == pytest.approx(3.0 - 0.0)
    assert out["inventory_var_final"] == pytest.approx(2.0)
    assert out["fill_ratio"] == pytest.approx(6 / 20)
    assert out["sharpe"] == pytest.approx(2.0 / math.sqrt(2.0))
    assert out["time_at_cap"] == pytest.approx(0.25)


def test_metrics_table_unchanged(small_runs):
    """path_metrics keeps the columns the mmsim run table reads, and its mean_q2 agrees with path_risk."""
    _, ledger = small_runs[0]
    metrics = path_metrics(ledger)
    assert list(metrics.columns) == ["pnl", "final_q", "fills", "mean_q2", "avg_spread"]
    risk = path_risk(ledger)
    assert np.allclose(metrics["mean_q2"], risk["var_q"] + risk["mean_q"] ** 2)


def test_bad_options_rejected(hand):
    """A non-positive cap or an unknown clock is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="cap"):
        path_risk(hand, cap=0.0)
    with pytest.raises(ConfigError, match="clock"):
        path_risk(hand, clock="wall")


def test_sharpe_standard_error_is_the_spread_of_the_estimates():
    """Over 2000 samples of 390 iid normal increments (a day of one-minute P&L, true per-interval Sharpe -0.13),
    the std of the estimated Sharpe ratios matches sharpe_se within 4 of its standard errors."""
    # The sample std of m = 2000 estimates has relative SE about 1/sqrt(2 (m - 1)) = 1.6%; 4 SE is 6.3%.
    rng = np.random.default_rng(5)
    samples = rng.normal(-0.13, 1.0, size=(2000, 390))
    estimates = sharpe(samples)
    predicted = np.mean([sharpe_se(x) for x in samples])
    assert abs(estimates.std(ddof=1) / predicted - 1) < 4 / math.sqrt(2 * 1999)
