"""Markouts on a hand-built ledger with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analytics import markout_curve, markouts
from analytics.markouts import _weighted_mean_se, adverse_selection_cost
from engine import ConfigError

# Path 0: the mid is 100 on [0, 1), 101 on [1, 2), 99 on [2, 3), 102 from 3 (the end).
# Path 1 has its own mid (50, then 60 from t = 1), so a lookup must not cross paths.
MARKS = [(0, 0.0, 100.0, 0.0, 0.0, 0.0), (0, 1.0, 101.0, 0.0, 0.0, 0.0), (0, 2.0, 99.0, 0.0, 0.0, 0.0),
         (0, 3.0, 102.0, 0.0, 0.0, 0.0),
         (1, 0.0, 50.0, 0.0, 0.0, 0.0), (1, 1.0, 60.0, 0.0, 0.0, 0.0), (1, 3.0, 60.0, 0.0, 0.0, 0.0)]
FILLS = [
    (0, 0.5, 1, 99.5, 2.0, 100.0, 0.0, 0.0, 0.0),    # bought 2 at mid 100
    (0, 1.5, -1, 101.5, 1.0, 101.0, 0.0, 0.0, 0.0),  # sold 1 at mid 101
    # Sold 3 at t = 2 with the mid still 101: the mark at t = 2 (mid 99) was recorded after the fill, as the
    # price impact of the order that filled us would be.
    (0, 2.0, -1, 101.5, 3.0, 101.0, 0.0, 0.0, 0.0),
    (1, 0.5, 1, 49.0, 1.0, 50.0, 0.0, 0.0, 0.0),     # path 1: bought at mid 50, mid then jumps to 60
]
HORIZONS = (0.0, 1.0, 10.0)


@pytest.fixture
def marked(make_ledger):
    return markouts(make_ledger(fills=FILLS, marks=MARKS), HORIZONS)


def test_markouts_known_answers(marked):
    """m_h = -side (S(t+h) - S_t), S read as a step function; past the end the final mid is used."""
    expected = np.array([
        [0.0, -1.0, -2.0],    # bid at 100: 100, then 101 at t=1.5 (up: good for a buyer), then the final 102
        [0.0, -2.0, 1.0],     # ask at 101: 101, then 99 at t=2.5 (down: good for a seller), then 102
        [-2.0, 1.0, 1.0],     # ask at 101, t=2: the mark at t=2 (99) counts at h=0; 102 at t=3 and after
        [0.0, -10.0, -10.0],  # path 1 reads its own mids: 50, then 60
    ])
    assert marked[list(HORIZONS)].to_numpy() == pytest.approx(expected)


def test_markout_curve_size_weighted(marked):
    """The curve averages per unit, weighting by size, per side and over all fills."""
    curve = markout_curve(marked).set_index(["side", "horizon"])
    assert curve.loc[("ask", 1.0), "mean"] == pytest.approx((1 * -2.0 + 3 * 1.0) / 4)
    assert curve.loc[("bid", 1.0), "mean"] == pytest.approx((2 * -1.0 + 1 * -10.0) / 3)
    assert curve.loc[("all", 0.0), "mean"] == pytest.approx(3 * -2.0 / 7)
    assert curve.loc[("all", 0.0), "fills"] == 4


def test_adverse_selection_cost_per_path(marked):
    """The cost sums size x markout over each path's fills; a path without fills costs 0."""
    cost = adverse_selection_cost(marked, paths=[0, 1, 2])
    assert cost.loc[0, 1.0] == pytest.approx(2 * -1.0 + 1 * -2.0 + 3 * 1.0)
    assert cost.loc[1, 10.0] == pytest.approx(-10.0)
    assert cost.loc[2].tolist() == [0.0, 0.0, 0.0]


def test_weighted_se_matches_textbook():
    """The weighted SE is std / sqrt(n) with fills as units and the cluster-robust SE with paths as units."""
    # With equal sizes and paths as units it is the SE of the path sums' share.
    rng = np.random.default_rng(0)
    x = rng.normal(size=12)
    mean, se = _weighted_mean_se(x, np.ones(12), np.zeros(12))
    assert mean == pytest.approx(x.mean())
    assert se == pytest.approx(x.std(ddof=1) / np.sqrt(12))
    # 30 paths of 2 fills each: the SE is that of the mean of the per-path averages.
    x = rng.normal(size=60)
    groups = np.repeat(np.arange(30), 2)
    _, se = _weighted_mean_se(x, np.ones(60), groups)
    per_path = x.reshape(30, 2).mean(axis=1)
    assert se == pytest.approx(per_path.std(ddof=1) / np.sqrt(30))


def test_horizons_validated(make_ledger):
    """A negative horizon is a ConfigError naming the horizons."""
    with pytest.raises(ConfigError, match="horizons"):
        markouts(make_ledger(fills=FILLS, marks=MARKS), [1.0, -1.0])
