"""The vectorised engine: the event engine's ledgers for step fills, exact fill probabilities, agreement, errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analytics import path_metrics
from engine import (ConfigError, ExponentialFills, Fees, FillModel, Quote, StepFills, StrategyError, draw_paths,
                    run_paths, run_vectorised, why_not_vectorised)
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov, InventoryCapped, Strategy, SymmetricSpread

STEP = StepFills(A=140.0, k=1.5, dt=0.005)


class FixedDepth(Strategy):
    """Quotes ``size`` units at a fixed depth from the mid (works on arrays); a negative depth, through the mid,
    on the bid only (both sides would cross)."""

    def __init__(self, depth: float, size: float = 1.0) -> None:
        self.depth, self.size = depth, size

    def quote(self, state):
        ask = state.mid + self.depth if self.depth > 0 else None
        return Quote(state.mid - self.depth, ask, self.size, self.size)


@pytest.mark.parametrize("market, strategy, fees", [
    (SyntheticMarket(A=0.0), AvellanedaStoikov(gamma=0.1), Fees()),
    (SyntheticMarket(A=0.0, increments="gaussian", sigma_volatile=5.0), InventoryCapped(SymmetricSpread(1.0), 2),
     Fees(bps=2.0, per_unit=0.01)),
    (SyntheticMarket(A=0.0, T=0.5), AvellanedaStoikov(gamma=1.0, order_size=2.0), Fees()),
], ids=["paper", "capped-regimes-fees", "sizes"])
def test_step_fills_give_the_event_engines_ledgers_bit_for_bit(market, strategy, fees):
    """With StepFills, the recorded fills, quotes and marks equal the event engine's exactly (same seeds)."""
    event = run_paths(market, strategy, STEP, paths=8, seed=4, fees=fees)
    vector = run_vectorised(market, strategy, STEP, paths=8, seed=4, fees=fees, record=True).ledger
    assert len(event.fills) > 100
    for name in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(getattr(vector, name), getattr(event, name), check_exact=True)


@pytest.mark.parametrize("fill_model", [STEP, ExponentialFills()], ids=["step", "exact"])
def test_per_path_results_equal_path_metrics_of_the_recorded_ledger(fill_model):
    """pnl, final_q, fills, mean_q2 and avg_spread per path equal analytics.path_metrics on the recorded ledger."""
    result = run_vectorised(SyntheticMarket(), InventoryCapped(SymmetricSpread(1.2), 3), fill_model, paths=30,
                            seed=2, record=True)
    expected = path_metrics(result.ledger)
    pd.testing.assert_frame_equal(result.per_path(), expected, check_dtype=False, rtol=1e-12)
    assert (result.ledger.marks.inventory.abs() <= 3).all()


def test_same_seed_gives_the_same_result_and_a_path_does_not_depend_on_how_many_run():
    """Two runs with one seed are identical; path 3 of a 5-path run is path 3 of a 12-path run."""
    market, strategy = SyntheticMarket(), AvellanedaStoikov()
    a = run_vectorised(market, strategy, ExponentialFills(), paths=5, seed=9).per_path()
    b = run_vectorised(market, strategy, ExponentialFills(), paths=5, seed=9).per_path()
    c = run_vectorised(market, strategy, ExponentialFills(), paths=12, seed=9).per_path()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_series_equal(a.loc[3], c.loc[3], check_exact=True)
    assert not a.equals(run_vectorised(market, strategy, ExponentialFills(), paths=5, seed=10).per_path())


def _fill_frequencies(fill_model, depth: float, size: float = 1.0, order_size: float = 1.0):
    market = SyntheticMarket(sigma=0.0, order_size=order_size)
    result = run_vectorised(market, FixedDepth(depth, size), fill_model, paths=400, seed=1, record=True)
    fills = result.ledger.fills
    trials = 400 * market.steps
    return fills, trials


@pytest.mark.parametrize("depth", [-0.2, 0.3, 1.0])
def test_exact_unit_fills_have_probability_one_minus_exp_of_lambda_dt(depth):
    """A unit quote at depth delta fills per step with probability 1 - exp(-A e^{-k max(delta, 0)} dt), per side."""
    # Binomial count over 80,000 steps, within 4 standard errors.
    fills, n = _fill_frequencies(ExponentialFills(), depth)
    p = 1.0 - math.exp(-140.0 * math.exp(-1.5 * max(depth, 0.0)) * 0.005)
    for side in (1, -1) if depth > 0 else (1,):
        count = int((fills.side == side).sum())
        assert abs(count - n * p) < 4 * math.sqrt(n * p * (1 - p)), (side, count, n * p)


@pytest.mark.parametrize("depth", [0.3, 1.0])
def test_step_fills_have_probability_lambda_dt(depth):
    """The step model fills a side with probability min(1, A e^{-k delta} dt) (binomial, within 4 SE)."""
    fills, n = _fill_frequencies(STEP, depth)
    p = min(1.0, 140.0 * math.exp(-1.5 * depth) * 0.005)
    count = int((fills.side == 1).sum())
    assert abs(count - n * p) < 4 * math.sqrt(n * p * (1 - p))


def test_exact_fills_of_a_larger_quote_are_min_size_and_poisson_orders():
    """A 2.5-unit quote meeting unit orders fills min(2.5, N) per step with N ~ Poisson(A e^{-k delta} dt)."""
    # The mean filled size matches the closed form within 4 SE.
    fills, n = _fill_frequencies(ExponentialFills(), depth=-0.5, size=2.5)
    mean = 140.0 * 0.005  # delta < 0: every order reaches the quote
    pmf = [math.exp(-mean) * mean**j / math.factorial(j) for j in range(60)]
    values = [min(2.5, j) for j in range(60)]
    expected = sum(p * v for p, v in zip(pmf, values))
    variance = sum(p * v * v for p, v in zip(pmf, values)) - expected**2
    sizes = fills[fills.side == 1]["size"]
    assert set(sizes.unique()) <= {1.0, 2.0, 2.5}
    assert abs(sizes.sum() / n - expected) < 4 * math.sqrt(variance / n)


def _moments(x: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, std and their standard errors. SE(std) by the delta method: Var(s^2) ~ (m4 - s^4) / n and
    s = sqrt(s^2), so SE(s) = sqrt((m4 - s^4) / (4 n s^2)), m4 the fourth central moment."""
    n, mean, std = len(x), float(x.mean()), float(x.std(ddof=1))
    m4 = float(((x - mean) ** 4).mean())
    return mean, std, std / math.sqrt(n), math.sqrt(max(m4 - std**4, 0.0) / (4 * n * std**2))


class PerStepAS(AvellanedaStoikov):
    """Avellaneda-Stoikov quotes refreshed on ticks only: the paper's recipe, and the vectorised engine's model."""

    requote_on_fill = False


@pytest.mark.parametrize("fill", ["step", "exact"])
def test_vectorised_and_event_engines_agree_on_the_same_model_within_4_standard_errors(fill):
    """Independent seeds: means and stds of profit and final q differ by less than 4 SE of the difference."""
    paths = 400
    if fill == "step":
        event_market, fill_model = SyntheticMarket(A=0.0), STEP
    else:
        event_market, fill_model = SyntheticMarket(), ExponentialFills()
    event = path_metrics(run_paths(event_market, PerStepAS(), fill_model, paths=paths,
                                   seed=101))
    vector = run_vectorised(SyntheticMarket(), PerStepAS(), fill_model, paths=paths, seed=202).per_path()
    for column in ("pnl", "final_q"):
        e_mean, e_std, e_se_mean, e_se_std = _moments(event[column].to_numpy())
        v_mean, v_std, v_se_mean, v_se_std = _moments(vector[column].to_numpy())
        assert abs(e_mean - v_mean) < 4 * math.hypot(e_se_mean, v_se_mean), (column, e_mean, v_mean)
        assert abs(e_std - v_std) < 4 * math.hypot(e_se_std, v_se_std), (column, e_std, v_std)


def test_draws_are_shared_so_strategies_meet_the_same_markets():
    """Reusing draws gives the result of a fresh run with the same seed, and every strategy the same mid path."""
    market = SyntheticMarket()
    draws = draw_paths(market, paths=6, seed=3)
    again = run_vectorised(market, SymmetricSpread(1.0), STEP, draws=draws, record=True)
    fresh = run_vectorised(market, SymmetricSpread(1.0), STEP, paths=6, seed=3, record=True)
    pd.testing.assert_frame_equal(again.ledger.marks, fresh.ledger.marks, check_exact=True)
    other = run_vectorised(market, AvellanedaStoikov(), STEP, draws=draws, record=True)
    np.testing.assert_array_equal(other.ledger.marks.mid, fresh.ledger.marks.mid)


def test_geometric_increments_keep_the_mid_positive_and_match_the_event_engine():
    """gbm paths stay positive and give the event engine's marks (to rounding of exp)."""
    market = SyntheticMarket(A=0.0, increments="gbm", sigma=0.5)
    vector = run_vectorised(market, SymmetricSpread(1.0), STEP, paths=5, seed=8, record=True).ledger.marks
    event = run_paths(market, SymmetricSpread(1.0), STEP, paths=5, seed=8).marks
    assert (vector.mid > 0).all()
    pd.testing.assert_frame_equal(vector, event, rtol=1e-12)


class Crossed(Strategy):
    def quote(self, state):
        crossed = np.where(np.arange(len(state.mid)) == 2, 1.0, -1.0)
        return Quote(state.mid + crossed, state.mid - crossed)


class Raises(Strategy):
    def quote(self, state):
        raise RuntimeError("boom")


class Pair(Strategy):
    def quote(self, state):
        return (state.mid - 1, state.mid + 1)


class Timer(Strategy):
    requote_interval_s = 0.1

    def quote(self, state):
        return Quote(state.mid - 1, state.mid + 1)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"strategy": Crossed()}, StrategyError,
     r"strategy Crossed returned an invalid quote at t=0 on path 2: crossed quote bid=101\.0 >= ask=99\.0"),
    ({"strategy": Raises()}, StrategyError, r"strategy Raises raised in quote at t=0: RuntimeError\('boom'\)"),
    ({"strategy": FixedDepth(1.0, size=0.0)}, StrategyError, r"bid_size=0\.0"),
    ({"strategy": Pair()}, StrategyError,
     r"returned an invalid quote at t=0: expected a Quote\(bid=\.\.\., ask=\.\.\.\), got tuple"),
    ({"strategy": Timer()}, ConfigError, "requote_interval_s needs the event engine"),
    ({"market": SyntheticMarket(impact=0.1)}, ConfigError, "price impact"),
    ({"fill_model": StepFills(A=1.0, k=1.0, dt=0.01)}, ConfigError, "must equal the market's dt"),
    ({"fill_model": object()}, ConfigError, "StepFills or ExponentialFills"),
    ({"paths": 0}, ConfigError, "paths must be a whole number >= 1"),
])
def test_invalid_input_is_refused_naming_the_problem(kwargs, error, message):
    """Bad quotes name the strategy, time and path; models the engine cannot run name what is missing."""
    args = {"market": SyntheticMarket(), "strategy": SymmetricSpread(1.0), "fill_model": STEP, "paths": 4}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        run_vectorised(args.pop("market"), args.pop("strategy"), args.pop("fill_model"), **args)


class FillsEveryStep(FillModel):
    """A model the engine does not know: every quoted side fills whole at every step."""

    def vectorised(self, market):
        return lambda u, depth, size: np.where(np.isnan(depth), 0.0, size)


class EventOnly(FillModel):
    """A model with no time-stepped form."""


def test_any_fill_model_with_a_time_stepped_form_runs_not_only_the_shipped_ones():
    """A user's model runs through its own ``vectorised`` rule: filling both sides of a quote of spread 1 every
    step earns 1 per step and leaves the inventory flat, whatever the mid does."""
    market = SyntheticMarket(A=0.0)
    result = run_vectorised(market, SymmetricSpread(1.0), FillsEveryStep(), paths=3, seed=1)
    np.testing.assert_array_equal(result.final_q, 0.0)
    np.testing.assert_array_equal(result.fills, 2 * market.steps)
    np.testing.assert_allclose(result.pnl, 1.0 * market.steps, rtol=1e-12)


def test_a_fill_model_without_a_time_stepped_form_is_refused_by_name():
    with pytest.raises(ConfigError, match="not EventOnly: use the event engine"):
        run_vectorised(SyntheticMarket(), SymmetricSpread(1.0), EventOnly(), paths=2)


@pytest.mark.parametrize("engine", ["event", "vectorised"])
def test_both_engines_refuse_an_infinite_size(engine):
    """One rule of quote validity (engine.quotes): a size must be finite in either engine."""
    strategy, market = FixedDepth(1.0, size=math.inf), SyntheticMarket(A=0.0)
    run = run_paths if engine == "event" else run_vectorised
    with pytest.raises(StrategyError, match=r"strategy FixedDepth returned an invalid quote at t=0.*bid_size=inf"):
        run(market, strategy, STEP, paths=2, seed=0)


class FloatOnly(Strategy):
    """Written for one path: ``if`` on the inventory raises on an array."""

    def quote(self, state):
        skew = 0.1 if state.inventory > 0 else -0.1
        return Quote(state.mid - 1 - skew, state.mid + 1 - skew)


class OneQuoteForAll(Strategy):
    """Reduces the paths to one number: quotes arrays without failing, but not as it quotes each path."""

    def quote(self, state):
        centre = float(np.mean(state.mid)) - 0.1 * float(np.mean(state.inventory))
        return Quote(centre - 1, centre + 1)


class RemembersMids(Strategy):
    """Keeps the mids it quoted at: on arrays the history mixes the paths (numpy without axis), so after the first
    step its array quote is not its per-path one, though the first probe agrees."""

    def __init__(self):
        self.history = []

    def quote(self, state):
        self.history.append(state.mid)
        spread = 1.0 + (float(np.std(np.diff(self.history))) if len(self.history) > 1 else 0.0)
        return Quote(state.mid - spread, state.mid + spread)


class WidensAfterFills(SymmetricSpread):
    """Keeps state from its fills, which the vectorised engine never reports."""

    def on_fill(self, fill):
        self.spread += 0.1


@pytest.mark.parametrize("strategy, fill_model, market, reason", [
    (AvellanedaStoikov(), STEP, SyntheticMarket(), None),
    (InventoryCapped(SymmetricSpread(1.0), 2), STEP, SyntheticMarket(), None),
    (PerStepAS(), ExponentialFills(), SyntheticMarket(), None),
    (AvellanedaStoikov(), ExponentialFills(), SyntheticMarket(), "requotes after each fill and ExponentialFills fills "
                                                                 "between ticks"),
    (PerStepAS(), ExponentialFills(), SyntheticMarket(impact=0.1), "price impact"),
    (Timer(), STEP, SyntheticMarket(), "requote_interval_s"),
    (FloatOnly(), STEP, SyntheticMarket(), r"its quote fails on arrays of paths \(ValueError\('The truth value"),
    (OneQuoteForAll(), STEP, SyntheticMarket(), r"differs from its quote path by path \(bid at inventory -2"),
    (WidensAfterFills(1.0), STEP, SyntheticMarket(), "its on_fill changes it"),
    (RemembersMids(), STEP, SyntheticMarket(), "its quote changes it"),
], ids=["as-step", "capped-step", "tick-only-exact", "requote-on-fill-exact", "impact", "timer", "float-only",
        "one-quote-for-all", "on-fill-state", "quote-state"])
def test_why_not_vectorised_names_what_the_vectorised_engine_would_get_wrong(strategy, fill_model, market, reason):
    """None exactly where the vectorised engine gives the event engine's results; else the reason."""
    found = why_not_vectorised(market, strategy, fill_model, paths=10)
    assert found is None if reason is None else re.search(reason, found), found


class CrossedEverywhere(Strategy):
    def quote(self, state):
        return Quote(state.mid + 1.0, state.mid - 1.0)


def test_a_strategy_that_fails_on_floats_too_is_an_error_not_a_fallback():
    """An error the event engine would raise as well is raised, not reported as a reason to fall back."""
    with pytest.raises(StrategyError, match="strategy CrossedEverywhere returned an invalid quote at t=0: crossed"):
        why_not_vectorised(SyntheticMarket(), CrossedEverywhere(), STEP, paths=10)


def test_why_not_vectorised_leaves_the_strategy_untouched():
    """The probes run on copies: a strategy that keeps state from fills and quotes is as it was."""
    strategy = WidensAfterFills(1.0)
    why_not_vectorised(SyntheticMarket(), strategy, STEP, paths=10)
    assert strategy.spread == 1.0
