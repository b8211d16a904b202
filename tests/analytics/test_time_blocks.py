"""Blocks of time cut from one path, their realised variance and regimes, and the two-sample bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from analytics import attribute
from analytics.inference import PairedBootstrap, two_sample_estimate
from analytics.time_blocks import (block_edges, block_metrics, block_of, past_thresholds, regime_labels,
                                   split_ledger, tercile_thresholds, window_variance)
from engine import ConfigError, ExponentialFills, run_paths
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov


@pytest.fixture(scope="module")
def ledger():
    """One path of the paper's market (200 steps of 0.005) traded by A-S: fills, marks and quotes."""
    return run_paths(SyntheticMarket(), AvellanedaStoikov(), ExponentialFills(), paths=1, seed=3)


def test_block_of_puts_an_edge_in_the_block_it_ends_and_outside_times_nowhere():
    edges = np.array([0.0, 1.0, 2.0])
    assert block_of(np.array([-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5]), edges).tolist() == [-1, -1, 0, 0, 1, 1, -1]


def test_block_edges_keep_whole_blocks_only():
    assert block_edges(10.0, 35.0, 10.0).tolist() == [10.0, 20.0, 30.0]
    with pytest.raises(ConfigError, match="holds none"):
        block_edges(0.0, 5.0, 10.0)


def test_blocks_add_up_to_the_path_and_each_keeps_the_attribution_identity(ledger):
    """Cut at edges, each block's P&L is spread capture + inventory P&L - fees, and the blocks' P&Ls add up to
    the path's mark-to-market change between the first and last edge (nothing lost or counted twice at edges)."""
    edges = block_edges(0.0, 1.0, 0.1)
    parts = attribute(split_ledger(ledger, edges))
    assert len(parts) == 10
    np.testing.assert_allclose(parts["residual"], 0.0, atol=1e-9)
    marks = ledger.marks
    last = [marks.loc[marks["time"] <= e, "mtm"].iloc[-1] for e in (edges[0], edges[-1])]
    assert parts["pnl"].sum() == pytest.approx(last[1] - last[0], abs=1e-9)
    fills = ledger.fills
    assert len(split_ledger(ledger, edges).fills) == ((fills["time"] > 0) & (fills["time"] <= 1)).sum()


def test_block_metrics_turnover_and_costs_are_those_of_the_fills_in_the_block(ledger):
    edges = block_edges(0.0, 1.0, 0.25)
    table = block_metrics(ledger, edges, (0.01,))
    fills = ledger.fills
    inside = fills[(fills["time"] > 0.25) & (fills["time"] <= 0.5)]
    assert table.loc[1, "turnover"] == pytest.approx(inside["size"].sum())
    assert table.loc[1, "fills"] == len(inside)
    assert (table["mean_q2"] >= table["mean_q"] ** 2 - 1e-9).all()  # Jensen: a variance is never negative


def test_window_variance_is_the_sum_of_squared_one_second_moves():
    """A mid that steps by 0.5 every second has realised variance 0.25 per second: 2.5 over 10 s."""
    ts = np.arange(0.0, 100.0)
    mid = 100.0 + 0.5 * np.arange(100)
    np.testing.assert_allclose(window_variance(ts, mid, np.array([0.0, 30.0]), 10.0), [2.5, 2.5])


def test_regimes_split_at_the_thresholds():
    assert regime_labels(np.array([0.5, 1.0, 1.5, 2.0, 3.0]), (1.0, 2.0)).tolist() == [0, 0, 1, 1, 2]
    assert regime_labels(np.array([1.5, 1.5]), np.array([[1.0, 2.0], [2.0, 3.0]])).tolist() == [1, 0]


def test_thresholds_never_look_ahead():
    """Changing the mid after a block's start changes no threshold of that block or earlier ones."""
    rng = np.random.default_rng(0)
    ts = np.arange(0.0, 3600.0)
    mid = 100 + np.cumsum(rng.normal(0, 0.01, ts.size))
    edges = block_edges(600.0, 3600.0, 300.0)
    before = past_thresholds(ts, mid, 0.0, edges, 300.0)
    changed = mid.copy()
    changed[ts > edges[4]] += np.cumsum(rng.normal(0, 0.1, (ts > edges[4]).sum()))
    after = past_thresholds(ts, changed, 0.0, edges, 300.0)
    np.testing.assert_array_equal(before[:5], after[:5])
    assert not np.array_equal(before[6:], after[6:])
    assert tercile_thresholds(ts, mid, 0.0, 600.0, 300.0) == tuple(before[0])
    with pytest.raises(ConfigError, match="shorter than one"):
        tercile_thresholds(ts, mid, 0.0, 200.0, 300.0)


def test_two_sample_bootstrap_se_of_a_difference_of_means_is_the_textbook_one():
    """The SE of mean(b) - mean(a) for independent samples is sqrt(s_a^2/n_a + s_b^2/n_b) (here 0.1118). The
    bootstrap's SE estimate from R = 2000 resamples has relative sampling error about 1/sqrt(2R) = 1.6%, and the
    plug-in variance is low by the factor (n-1)/n (0.5% at n = 200); 8% is five such errors."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 200), rng.normal(1, 1.5, 200)
    e = two_sample_estimate(PairedBootstrap(200, 2000, 1), PairedBootstrap(200, 2000, 2),
                            lambda x, y: y.mean(axis=1) - x.mean(axis=1), [a], [b])
    expected = np.sqrt(a.var(ddof=1) / 200 + b.var(ddof=1) / 200)
    assert e.value == pytest.approx(b.mean() - a.mean())
    assert e.se == pytest.approx(expected, rel=0.08)
    assert e.low < e.value < e.high
