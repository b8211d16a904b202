"""The rolling-horizon Avellaneda-Stoikov strategy, its online volatility, and the Retimed wrapper."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import ConfigError, Fill, MarketState, Quote
from strategies import AvellanedaStoikov, Retimed, RollingAvellanedaStoikov, SymmetricSpread
from strategies.rolling_as import RealisedVolatility


def state(time=0.0, mid=100.0, inventory=0.0):
    return MarketState(time=time, mid=mid, inventory=inventory)


def test_order_size_one_is_the_paper_formula_with_the_horizon_always_ahead():
    """With lots of 1 share the quotes are the finite-horizon ones with T - t = horizon_s, at any time."""
    rolling = RollingAvellanedaStoikov(gamma=0.1, k=1.5, horizon_s=2.0, sigma=2.0, order_size=1)
    paper = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5, order_size=1)
    for t, q in [(0.0, 0.0), (5.0, 3.0), (1e4, -2.0)]:
        expected = paper.quote(MarketState(time=t, horizon=t + 2.0, mid=100.0, inventory=q))
        assert rolling.quote(state(t, 100.0, q)) == pytest.approx(expected)


def test_a_close_gives_the_paper_finite_horizon_quotes_running_down_to_the_spread_of_the_flow():
    """With ``close`` the quotes are the finite-horizon ones with T = close; at and after the close the inventory
    term is gone: the quotes are symmetric about the mid at the flow's spread alone."""
    to_close = RollingAvellanedaStoikov(gamma=0.1, k=1.5, horizon_s=2.0, sigma=2.0, order_size=1, close=10.0)
    paper = AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5, order_size=1)
    for t, q in [(0.0, 0.0), (5.0, 3.0), (9.5, -2.0)]:
        expected = paper.quote(MarketState(time=t, horizon=10.0, mid=100.0, inventory=q))
        assert to_close.quote(state(t, 100.0, q)) == pytest.approx(expected)
    flow = 2 / 0.1 * math.log1p(0.1 / 1.5)
    for t in (10.0, 50.0):
        bid, ask, _, _ = to_close.quote(state(t, 100.0, 4.0))
        assert (100.0 - bid, ask - 100.0) == pytest.approx((flow / 2, flow / 2))


def test_lots_scale_gamma_by_the_order_size_and_count_inventory_in_lots():
    """gamma 0.001 with 100-share lots: g = 0.1; 200 shares long is 2 lots of skew."""
    s = RollingAvellanedaStoikov(gamma=0.001, k=20.0, horizon_s=60.0, sigma=0.03, order_size=100)
    g, risk = 0.1, 0.1 * 0.03**2 * 60.0
    r = 100.0 - 2 * risk
    half = 0.5 * (risk + 2 / g * math.log1p(g / 20.0))
    assert s.quote(state(mid=100.0, inventory=200.0)) == pytest.approx(Quote(r - half, r + half, 100, 100))


def test_online_sigma_starts_at_the_prior_and_is_used_in_the_quotes():
    """Before any increment the estimate is the prior; a fixed sigma is never replaced by the estimate."""
    online = RollingAvellanedaStoikov(sigma_prior=0.04)
    fixed = RollingAvellanedaStoikov(sigma=0.04)
    assert online.sigma_estimate == 0.04
    assert online.quote(state()) == fixed.quote(state())
    online.quote(state(1.0, 101.0))
    assert online.sigma_estimate > 0.04 and fixed.sigma_estimate == 0.04


def _relative_se(dt: np.ndarray, weights: np.ndarray) -> float:
    """Standard error of sum(w dm^2) / sum(w dt) relative to sigma^2, for Gaussian increments (Var dm^2 =
    2 sigma^4 dt^2); halved for sigma."""
    return 0.5 * math.sqrt(2 * np.sum(weights**2 * dt**2)) / np.sum(weights * dt)


def test_realised_volatility_of_irregularly_sampled_brownian_motion_matches_sigma():
    """20000 increments at exponential intervals (seed 1): the estimate is within 4 standard errors of 0.05."""
    rng = np.random.default_rng(1)
    dt = rng.exponential(0.1, 20_000)
    prices = 100 + np.concatenate([[0.0], np.cumsum(rng.normal(0.0, 0.05 * np.sqrt(dt)))])
    times = np.concatenate([[0.0], np.cumsum(dt)])
    vol = RealisedVolatility(window_s=1e12)
    for t, p in zip(times, prices):
        estimate = vol.update(t, p)
    assert abs(estimate / 0.05 - 1) < 4 * _relative_se(dt, np.ones_like(dt))


def test_realised_volatility_forgets_an_old_regime_over_its_window():
    """After a volatility jump the estimate is the new regime's within 4 SE of the exponentially weighted sum."""
    # 0.01 for 3000 s then 0.05 for 3000 s, window 300 s (seed 2): the old regime's weight is e^-10.
    rng = np.random.default_rng(2)
    dt = np.full(60_000, 0.1)
    sigma = np.where(np.arange(60_000) < 30_000, 0.01, 0.05)
    prices = 100 + np.concatenate([[0.0], np.cumsum(rng.normal(0.0, sigma * np.sqrt(dt)))])
    times = np.concatenate([[0.0], np.cumsum(dt)])
    vol = RealisedVolatility(window_s=300.0)
    for t, p in zip(times, prices):
        vol.update(t, p)
    weights = np.exp(-(times[-1] - times[1:]) / 300.0)
    assert abs(vol.sigma / 0.05 - 1) < 4 * _relative_se(dt, weights)


def test_a_move_within_an_instant_counts_its_square_but_not_its_time():
    """100 -> 105 within the instant 0, then 105 -> 100.1 one second later: two increments (5 and -4.9) over one
    second of time, as a realised variance of the prices seen. (The simulation asks once per instant, after its
    market data, so a strategy never sees the states inside a sweep.)"""
    vol = RealisedVolatility(window_s=1e12)  # a window so long that nothing decays
    vol.update(0.0, 100.0)
    vol.update(0.0, 105.0)
    assert (vol.sum_dm2, vol.sum_dt) == (25.0, 0.0)  # the move counted at once, over no time
    vol.update(0.5, 105.0)  # looked at again: nothing changes
    assert (vol.sum_dm2, vol.sum_dt) == (25.0, 0.0)
    assert vol.update(1.0, 100.1) == pytest.approx((5.0**2 + 4.9**2) ** 0.5, rel=1e-9)


def test_a_clock_going_back_starts_the_estimate_afresh():
    """Reusing one estimator for a second run gives a fresh estimator's estimates, even when the second run
    starts after the first run's last price change (the first run ended looking at an unchanged price)."""
    vol = RealisedVolatility(window_s=10.0, prior=0.5)
    path = [(0.0, 100.0), (1.0, 100.3), (2.5, 99.9), (5.0, 99.9)]
    first = [vol.update(t, p) for t, p in path]
    second = [(3.0, 100.0), (4.0, 100.2), (6.0, 99.8)]
    fresh = RealisedVolatility(window_s=10.0, prior=0.5)
    assert [vol.update(t, p) for t, p in second] == [fresh.update(t, p) for t, p in second]
    assert first[-1] == first[-2]


def test_rolling_strategy_requotes_on_its_timer_and_fills_not_on_ticks():
    """Default timing for replay: every 0.1 s and after fills; not on every book change."""
    s = RollingAvellanedaStoikov()
    assert (s.requote_interval_s, s.requote_on_tick, s.requote_on_fill) == (0.1, False, True)
    assert s.name == "avellaneda-stoikov"


@pytest.mark.parametrize("kwargs", [{"gamma": 0}, {"k": -1}, {"horizon_s": 0}, {"sigma": -0.1},
                                    {"requote_interval_s": 0}])
def test_invalid_parameters_raise_config_error(kwargs):
    """Non-positive gamma, k, horizon, a negative sigma or a zero timer are refused, naming the field."""
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        RollingAvellanedaStoikov(**kwargs)


def test_retimed_quotes_exactly_what_the_inner_strategy_quotes_with_its_own_timing():
    """Same quotes, name and on_fill as the inner strategy; the timer and flags are the wrapper's."""
    fills = []

    class Inner(SymmetricSpread):
        def on_fill(self, fill):
            fills.append(fill)

    inner = Inner(0.04, 100)
    retimed = Retimed(inner, 0.25, requote_on_tick=True, requote_on_fill=False)
    assert retimed.quote(state()) == inner.quote(state())
    assert (retimed.name, retimed.requote_interval_s, retimed.requote_on_tick, retimed.requote_on_fill) == (
        "naive", 0.25, True, False)
    fill = Fill(1.0, 1, 99.98, 100.0, 100.0, 0.0, 100.0, -9998.0)
    retimed.on_fill(fill)
    assert fills == [fill]


def test_retimed_refuses_a_zero_timer():
    """A zero requote period would requote forever at one instant."""
    with pytest.raises(ConfigError, match="requote_interval_s"):
        Retimed(SymmetricSpread(0.04), 0.0)


# gamma 0.001, sigma^2 = 1/600, horizon 60 s: the skew is gamma sigma^2 tau = 1e-4 per share, half a tick (0.005)
# at 50 shares.
ON_GRID = dict(gamma=0.001, k=45.0, horizon_s=60.0, sigma=math.sqrt(1 / 600), order_size=100, tick_size=0.01)


def test_on_the_grid_the_quotes_shift_one_tick_once_the_skew_reaches_half_a_tick():
    """Mid on the grid: a skew of 0.49 tick leaves both quotes where they were, 0.51 tick moves both one tick."""
    s = RollingAvellanedaStoikov(**ON_GRID)
    flat = s.quote(state(mid=100.0, inventory=0.0))
    for q, shift in ((49.0, 0), (-49.0, 0), (51.0, -1), (-51.0, 1), (149.0, -1), (151.0, -2)):
        quote = s.quote(state(mid=100.0, inventory=q))
        assert quote.bid == pytest.approx(flat.bid + shift * 0.01, abs=1e-9)
        assert quote.ask == pytest.approx(flat.ask + shift * 0.01, abs=1e-9)


def test_grid_quotes_keep_the_skew_within_half_a_tick_and_never_narrow_the_spread():
    """Over many mids and inventories: prices on the grid, centre within half a tick of the reservation price,
    spread at least the exact one; at zero inventory the quotes are symmetric about the mid."""
    on_grid, exact = RollingAvellanedaStoikov(**ON_GRID), RollingAvellanedaStoikov(**{**ON_GRID, "tick_size": None})
    for mid in 100.0 + np.arange(0, 40) * 0.0025:
        for q in np.arange(-400.0, 401.0, 7.0):
            a, b = on_grid.quote(state(mid=mid, inventory=q)), exact.quote(state(mid=mid, inventory=q))
            for price in (a.bid, a.ask):
                assert abs(price / 0.01 - round(price / 0.01)) < 1e-6
            assert abs(0.5 * (a.bid + a.ask) - 0.5 * (b.bid + b.ask)) <= 0.005 + 1e-9
            assert a.ask - a.bid >= b.ask - b.bid - 1e-9
        flat = on_grid.quote(state(mid=mid, inventory=0.0))
        if abs(mid / 0.005 - round(mid / 0.005)) < 1e-6:  # the mid on the grid or halfway: symmetric quotes
            assert flat.ask - mid == pytest.approx(mid - flat.bid, abs=1e-9)
