"""StepFills on horizons that are not an exact float multiple of dt."""

from __future__ import annotations

from engine import StepFills, run_paths
from feeds import SyntheticMarket
from strategies import SymmetricSpread


def test_the_last_step_settles_at_the_horizon_even_when_steps_times_dt_rounds_past_it():
    """With T = 0.175 = 35 * 0.005 (35 * 0.005 > 0.175 in floats) every one of the 35 steps settles, the last at T."""
    market = SyntheticMarket(T=0.175, dt=0.005, A=0.0)
    # A tiny spread fills each side with probability min(1, 140 * 0.005 * e^-0.0075) ~ 0.69 per step.
    fills = run_paths(market, SymmetricSpread(0.01), StepFills(A=140.0, k=1.5, dt=0.005), paths=20, seed=0).fills
    assert fills.time.max() == 0.175
    assert sorted(fills.time.unique())[-2] == 34 * 0.005
    assert fills.time.nunique() == 35
