"""Market-data intensity fit: the censored likelihood, recovery of known A and k, interval coverage, the fit check
and the least-squares comparison."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.intensity import fill_check, fit_depth_least_squares, fit_depth_mle
from analytics.depths import TickArrays, depth_data
from analytics.intensity import _loglik_function
from engine import ConfigError, DataError
from feeds import QUOTE, TRADE, synthetic_ticks
from feeds.tickdata import ticks_from_columns

A, K, TICK = 5.0, 150.0, 0.01


def data_for(ticks: pd.DataFrame, window_s: float = 1.0, tick_size: float | None = TICK):
    return depth_data(TickArrays.collect(ticks), window_s=window_s, tick_size=tick_size)


def hand_ticks(trades: list[tuple[float, float, int]], *, bid=99.99, ask=100.01, end=3.0) -> pd.DataFrame:
    """One constant book from t=0 and the given (ts, price, side) trades, plus a last quote at ``end``."""
    ts = [0.0] + [t for t, _, _ in trades] + [end]
    kind = [QUOTE] + [TRADE] * len(trades) + [QUOTE]
    nan = [math.nan] * len(trades)
    return ticks_from_columns(np.array(ts), np.array(kind), bid=[bid, *nan, bid], ask=[ask, *nan, ask],
                      price=[math.nan, *(p for _, p, _ in trades), math.nan],
                      side=[0, *(s for _, _, s in trades), 0])


def test_with_a_constant_spread_each_window_is_the_interval_probability_of_the_gumbel_law():
    """log-lik = sum over cells of log[F(m + tick) - F(m)] (or log F(h) when nothing traded), F = exp(-A tau e^-kx)."""
    # Spread 2 ticks (h = 0.01). Window 1: a buy at the ask (depth 0.01) and one two ticks deeper at the same
    # time (one sweeping order, depth 0.03); window 2: a sell one tick beyond the bid (0.02); window 3: nothing.
    ticks = hand_ticks([(0.5, 100.01, 1), (0.5, 100.03, 1), (1.5, 99.98, -1)])
    data = data_for(ticks)
    assert data.max_depth.tolist() == [[6, -1, -1], [-1, 4, -1]]  # half-ticks
    loglik = _loglik_function(data)
    a, k = 1.3, 80.0

    def F(x):
        return math.exp(-a * 1.0 * math.exp(-k * x))

    expected = (math.log(F(0.04) - F(0.03)) + math.log(F(0.03) - F(0.02))  # the two windows with an order
                + 4 * math.log(F(0.01)))  # four cells with none: no order reached the touch
    assert loglik(np.array([math.log(a), k * data.half_tick]))[0] == pytest.approx(expected, rel=1e-12)


def test_the_analytic_gradient_and_hessian_match_finite_differences():
    """The observed information used for the SEs is the true second derivative of the log-likelihood."""
    loglik = _loglik_function(data_for(synthetic_ticks(A, K, duration_s=120, seed=4)))
    theta = np.array([math.log(4.0), 0.8])
    _, grad, hess = loglik(theta)
    eps = 1e-5
    for i in range(2):
        step = np.zeros(2)
        step[i] = eps
        plus, minus = loglik(theta + step), loglik(theta - step)
        assert (plus[0] - minus[0]) / (2 * eps) == pytest.approx(grad[i], rel=1e-6)
        np.testing.assert_allclose((plus[1] - minus[1]) / (2 * eps), hess[i], rtol=1e-5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_known_A_and_k_are_recovered_within_3_standard_errors(seed):
    """On data drawn from the model (tick grid, changing spread, sweeps) the MLE is within 3 SE of the truth."""
    fit = fit_depth_mle(data_for(synthetic_ticks(A, K, duration_s=1800, seed=seed)))
    assert abs(fit.A - A) < 3 * fit.A_se and abs(fit.k - K) < 3 * fit.k_se, fit
    assert fit.A_se < 0.1 * A and fit.k_se < 0.1 * K


def test_95_percent_intervals_cover_the_truth_95_percent_of_the_time():
    """Over 250 seeds each interval covers the truth 228..247 times: 237.5 +/- 3 binomial SDs (3.45)."""
    covered = np.zeros(2, dtype=int)
    for seed in range(250):
        fit = fit_depth_mle(data_for(synthetic_ticks(A, K, duration_s=300, seed=1000 + seed)))
        covered += [fit.A_ci95[0] <= A <= fit.A_ci95[1], fit.k_ci95[0] <= K <= fit.k_ci95[1]]
    assert np.all((228 <= covered) & (covered <= 247)), covered


def test_the_fit_check_passes_on_data_from_the_model():
    """Predicted and empirical fill probabilities agree at every checked depth when the model is true."""
    data = data_for(synthetic_ticks(A, K, duration_s=1800, seed=5))
    check = fill_check(data, fit_depth_mle(data))
    assert check.passed and check.table["checked"].sum() >= 4
    # The exponential law is memoryless beyond the touch: the share of orders going a tick past it is exp(-k tick).
    assert check.beyond_touch_empirical == pytest.approx(check.beyond_touch_predicted, abs=0.03)


def test_the_fit_check_fails_when_depths_are_not_exponential():
    """A mixture of a shallow and a deep population of orders (one book) fails the check at some checked depth."""
    parts = [synthetic_ticks(a, k, duration_s=1800, seed=6, book_rate=0.0, spreads_ticks=(2,))
             for a, k in ((20.0, 400.0), (0.3, 25.0))]
    trades = pd.concat([p[p["kind"] == TRADE] for p in parts])
    ticks = pd.concat([parts[0][parts[0]["kind"] == QUOTE], trades]).sort_values("ts", kind="stable")
    data = data_for(ticks)
    check = fill_check(data, fit_depth_mle(data))
    assert not check.passed and check.max_rel_error > 0.25


def test_least_squares_misses_A_where_the_mle_does_not():
    """On model data the MLE's A is within 3 SE of the truth and the least-squares A is more than 3 SE off."""
    # The LS fit estimates the rate of orders seen at the touch, not A; the MLE accounts for the orders the
    # spread hides.
    data = data_for(synthetic_ticks(A, K, duration_s=3600, seed=8))
    mle, ls = fit_depth_mle(data), fit_depth_least_squares(data)
    assert abs(mle.A - A) < 3 * mle.A_se
    assert abs(ls.A - A) > 3 * ls.A_se, ls


def test_a_print_inside_the_spread_counts_as_reaching_the_touch():
    """A hidden print between the bid and ask is an order that reached the touch, not a deeper or shallower one."""
    data = data_for(hand_ticks([(0.5, 100.00, 1), (1.5, 100.005, -1)], bid=99.98, ask=100.02))
    assert data.max_depth.tolist() == [[4, -1, -1], [-1, 4, -1]] and data.inside_spread == 2


def test_no_trades_no_quotes_and_a_wrong_tick_size_are_refused():
    """Calibration needs trades and quotes on the stated tick grid, and says which is missing."""
    ticks = hand_ticks([(0.5, 100.01, 1)])
    with pytest.raises(DataError, match="ticks: no trades at all"):
        data_for(ticks[ticks["kind"] == QUOTE])
    with pytest.raises(DataError, match="no quotes at all"):
        data_for(ticks[ticks["kind"] == TRADE])
    with pytest.raises(ConfigError, match="tick size 0.02 does not divide the bid price 99.99"):
        data_for(ticks, tick_size=0.02)
    assert data_for(synthetic_ticks(A, K, duration_s=60), tick_size=None).tick == TICK  # inferred from the quotes
