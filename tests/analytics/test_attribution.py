"""The P&L attribution: a hand-checked example and the identity on random runs."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import attribute, attribution_summary, path_metrics
from engine import ConfigError, ExponentialFills, Fees, Ledger, Quote, StepFills, run_paths
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov, InventoryCapped, Strategy, SymmetricSpread


def test_attribution_by_hand(make_ledger):
    """Spread capture, inventory P&L and fees match a two-fill example worked out by hand."""
    # Buy 2 at 99 (mid 100), the mid goes to 102, sell 1 at 103 (mid 102) paying 0.5 in fees, mid ends at 101.
    marks = [(0, 0.0, 100.0, 0.0, 0.0, 0.0),
             (0, 1.0, 102.0, 2.0, -198.0, 6.0),
             (0, 2.0, 101.0, 1.0, -95.5, 5.5)]
    fills = [(0, 0.5, 1, 99.0, 2.0, 100.0, 0.0, 2.0, -198.0),
             (0, 1.5, -1, 103.0, 1.0, 102.0, 0.5, 1.0, -95.5)]
    out = attribute(make_ledger(fills=fills, marks=marks)).loc[0]
    assert out["spread_capture"] == pytest.approx(2 * 1.0 + 1 * 1.0)
    assert out["inventory_pnl"] == pytest.approx(2 * 2.0 + 1 * -1.0)
    assert out["fees"] == pytest.approx(0.5)
    assert out["pnl"] == pytest.approx(5.5)
    assert out["residual"] == pytest.approx(0.0, abs=1e-12)


def test_attribution_summary_by_hand(make_ledger):
    """The summary gives mean, standard error (ddof 1) and total of each component across paths."""
    marks = [(p, t, 100.0, 0.0, c, c) for p, c in ((0, 1.0), (1, 3.0)) for t, c in ((0.0, 0.0), (1.0, c))]
    fills = [(0, 0.5, -1, 101.0, 1.0, 100.0, 0.0, 0.0, 1.0), (1, 0.5, -1, 103.0, 1.0, 100.0, 0.0, 0.0, 3.0)]
    table = attribution_summary(attribute(make_ledger(fills=fills, marks=marks)))
    assert table.loc["spread_capture", "mean"] == pytest.approx(2.0)
    assert table.loc["spread_capture", "se"] == pytest.approx(math.sqrt(2.0) / math.sqrt(2.0))
    assert table.loc["pnl", "total"] == pytest.approx(4.0)


def test_attribution_needs_marks(make_ledger):
    """An empty ledger is a ConfigError, not an empty table."""
    with pytest.raises(ConfigError, match="no marks"):
        attribute(make_ledger())


@attrs.frozen
class Skewed(Strategy):
    """A user strategy with an arbitrary skew and its own quote sizes (partial fills happen)."""

    half: float
    skew: float
    size: float

    def quote(self, state):
        centre = state.mid - self.skew * state.inventory
        return Quote(centre - self.half, centre + self.half, self.size, 0.5 * self.size)


class SkewedOnTimer(Skewed):
    """The same quotes, refreshed on a timer only (quotes go stale between ticks)."""

    requote_on_tick = False
    requote_on_fill = False
    requote_interval_s = 0.013


@st.composite
def random_runs(draw):
    step_fills = draw(st.booleans())
    dt = draw(st.sampled_from([0.01, 0.02]))
    T = dt * draw(st.integers(3, 25))
    increments = draw(st.sampled_from(["binary", "gaussian", "gbm"]))
    sigma = draw(st.floats(0.0, 0.5 if increments == "gbm" else 5.0))
    A, k = draw(st.floats(0.0, 300.0)), draw(st.floats(0.3, 5.0))
    regimes = draw(st.booleans())
    market = SyntheticMarket(
        s0=draw(st.floats(5.0, 200.0)), T=T, sigma=sigma, dt=dt, A=0.0 if step_fills else A, k=k,
        increments=increments, sigma_volatile=draw(st.floats(0.0, 0.8 if increments == "gbm" else 8.0))
        if regimes else None, to_volatile_rate=draw(st.floats(0.5, 20.0)), to_calm_rate=draw(st.floats(0.5, 20.0)),
        impact=0.0 if step_fills else draw(st.sampled_from([0.0, 0.05, 0.3])),
        order_size=draw(st.sampled_from([1.0, 0.4, 2.5])))
    fill_model = StepFills(A=A, k=k, dt=dt) if step_fills else ExponentialFills()
    size = draw(st.sampled_from([1.0, 0.7, 3.0]))
    kind = draw(st.sampled_from(["as", "naive", "capped", "skewed", "timer"]))
    half = draw(st.floats(0.05, 2.0))
    strategy = {
        "as": lambda: AvellanedaStoikov(gamma=draw(st.floats(0.01, 1.0)), sigma=sigma, k=k, order_size=size),
        "naive": lambda: SymmetricSpread(2 * half, order_size=size),
        "capped": lambda: InventoryCapped(SymmetricSpread(2 * half, order_size=size), draw(st.floats(1.0, 4.0))),
        "skewed": lambda: Skewed(half, draw(st.floats(-0.2, 0.5)), size),
        "timer": lambda: SkewedOnTimer(half, draw(st.floats(-0.2, 0.5)), size),
    }[kind]()
    fees = Fees(bps=draw(st.floats(-5.0, 20.0)), per_unit=draw(st.floats(-0.02, 0.05)))
    latency = draw(st.sampled_from([0.0, 0.003, 0.02]))
    paths = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    return run_paths(market, strategy, fill_model, paths=paths, seed=seed, latency_s=latency, fees=fees)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_runs())
def test_attribution_identity_on_random_runs(ledger: Ledger):
    """pnl = spread capture + inventory P&L - fees = final mtm - initial mtm, to rounding, on any run."""
    out = attribute(ledger)
    marks = ledger.marks
    scale = 1.0 + marks[["cash", "mtm"]].abs().to_numpy().max()
    tolerance = 1e-10 * scale * max(len(marks), 1) ** 0.5
    assert np.abs(out["residual"]).max() <= tolerance
    assert np.allclose(out["pnl"], path_metrics(ledger)["pnl"], rtol=0, atol=tolerance)
    total = out["spread_capture"] + out["inventory_pnl"] - out["fees"]
    by_path = marks.groupby("path")["mtm"]
    assert np.allclose(total, by_path.last() - by_path.first(), rtol=0, atol=tolerance)
