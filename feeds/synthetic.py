"""A synthetic market: a diffusive mid price and Poisson market orders, with optional regimes and impact."""

from __future__ import annotations

import math
from typing import Literal

import attrs
import numpy as np

from engine.errors import ConfigError, non_negative, optional_non_negative, optional_positive, positive
from engine.montecarlo import MAX_EVENTS_PER_PATH
from engine.paths import INCREMENTS, market_increments, market_variances, tick_times
from engine.scheduler import MARKET_DATA, MARKET_ORDER
from engine.types import BUY, SELL

Increments = Literal["binary", "gaussian", "gbm"]


@attrs.frozen
class SyntheticMarket:
    """The market of Avellaneda and Stoikov (2008), with their Monte Carlo settings as defaults.

    The mid starts at ``s0`` and moves every ``dt`` up to the horizon ``T``; market orders arrive on each side as
    a Poisson process of rate ``A`` and each reaches a depth ``D ~ Exponential(k)`` from the mid (the fill model
    decides what that fills). Time is in an abstract unit (the paper's ``T = 1``); prices in currency units.

    Parameters
    ----------
    s0 : float
        Starting mid (> 0).
    T : float
        Horizon, a whole number of steps ``dt``.
    sigma : float
        Volatility, price units per square-root time unit (relative, per square-root time unit, for ``gbm``).
    dt : float
        Time between mid ticks.
    A : float
        Market orders per unit time on each side (0 for none).
    k : float
        Depth decay per price unit: ``P(D >= d) = exp(-k d)``.
    increments : {"binary", "gaussian", "gbm"}
        ``binary`` (the paper's): the mid moves by +/- sigma sqrt(dt) with equal probability; ``gaussian``: by a
        normal increment of the same variance; ``gbm``: geometric Brownian motion, ``S exp(sigma W - sigma^2 t/2)``.
    sigma_volatile : float or None
        With a value, the volatility switches between a calm regime (``sigma``) and a volatile one
        (``sigma_volatile``) as a two-state Markov chain starting calm. Each tick's increment then has the
        variance integrated over its step exactly.
    to_volatile_rate, to_calm_rate : float
        Switching rates (per unit time) from calm to volatile and back.
    impact : float
        Each market order moves the mid by this much in its own direction (up for a buy) just after it is
        matched, so fills are followed by adverse moves.
    informed : float
        Share of the market orders that are informed (in ``[0, 1)``): each knows the mid's next move and trades
        in its direction (a buy before an up-tick). The mid path is the same as without them: they foresee the
        moves, they do not cause them, so the volatility is unchanged.
    informed_k : float or None
        Depth decay of the informed orders, per price unit (default ``k``). A smaller value makes them reach
        deeper into the book than the rest of the flow (an informed trader pays more to trade now), so quotes far
        from the mid meet a larger share of informed orders.
    order_size : float
        Size of every market order.
    """

    s0: float = attrs.field(default=100.0, converter=float, validator=positive)
    T: float = attrs.field(default=1.0, converter=float, validator=positive)
    sigma: float = attrs.field(default=2.0, converter=float, validator=non_negative)
    dt: float = attrs.field(default=0.005, converter=float, validator=positive)
    A: float = attrs.field(default=140.0, converter=float, validator=non_negative)
    k: float = attrs.field(default=1.5, converter=float, validator=positive)
    increments: Increments = attrs.field(default="binary")
    sigma_volatile: float | None = attrs.field(
        default=None, converter=attrs.converters.optional(float), validator=optional_non_negative)
    to_volatile_rate: float = attrs.field(default=1.0, converter=float, validator=positive)
    to_calm_rate: float = attrs.field(default=1.0, converter=float, validator=positive)
    impact: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    informed: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    informed_k: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                           validator=optional_positive)
    order_size: float = attrs.field(default=1.0, converter=float, validator=positive)

    @increments.validator
    def _check_increments(self, attribute, value) -> None:
        if value not in INCREMENTS:
            raise ConfigError(f"increments must be 'binary', 'gaussian' or 'gbm', got {value!r}")

    @informed.validator
    def _check_informed(self, attribute, value) -> None:
        if not value < 1.0:
            raise ConfigError(f"informed must be a share in [0, 1), got {value!r}")

    @property
    def steps(self) -> int:
        """Number of mid ticks, ``T / dt``."""
        steps = round(self.T / self.dt)
        if steps < 1 or abs(steps * self.dt - self.T) > 1e-9 * self.T:
            raise ConfigError(f"T={self.T!r} must be a whole number of steps dt={self.dt!r}")
        return steps

    @property
    def expected_events(self) -> float:
        """Expected events of one path: ``T / dt`` mid ticks and ``2 A T`` market orders."""
        return self.steps + 2.0 * self.A * self.T

    def __attrs_post_init__(self) -> None:
        steps = self.steps  # validates T against dt on construction
        orders = 2.0 * self.A * self.T
        if steps + orders > MAX_EVENTS_PER_PATH:  # refuse now what would exhaust memory in the middle of a run
            cause = "lower A or T" if orders > steps else "raise dt or lower T"
            raise ConfigError(f"A={self.A:g}, T={self.T:g} and dt={self.dt:g} make about {steps + orders:.3g} events "
                              f"per path (T/dt = {steps:.3g} mid ticks, 2 A T = {orders:.3g} market orders), more "
                              f"than the {MAX_EVENTS_PER_PATH:.0e} one path may hold in memory: {cause}")

    # -- path generation: everything is drawn up front, in one fixed order, so a seed gives one market ----------

    def tick_variances(self, rng: np.random.Generator) -> np.ndarray:
        """Variance of each tick's increment (``sigma^2 dt``, or integrated over the regime path)."""
        return market_variances(self, rng)

    def mid_increments(self, rng: np.random.Generator) -> np.ndarray:
        """The ``steps`` increments of the mid (log-increments for ``gbm``)."""
        return market_increments(self, rng)

    def market_orders(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, aggressor sides (BUY or SELL) and depths of the market orders on both sides, in time order."""
        counts = rng.poisson(self.A * self.T, size=2)
        times = rng.uniform(0.0, self.T, size=counts.sum())
        sides = np.repeat(np.array([BUY, SELL]), counts)
        depths = rng.exponential(1.0 / self.k, size=counts.sum())
        order = np.argsort(times, kind="stable")
        return times[order], sides[order], depths[order]

    def inform(self, rng: np.random.Generator, times: np.ndarray, sides: np.ndarray, depths: np.ndarray,
               increments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sides and depths with a share ``informed`` of the orders made informed: each trades in the direction
        of the mid's next tick (``increments``), and reaches ``depth * k / informed_k``, Exponential(informed_k)
        for the same draw. Draws nothing when ``informed`` is 0, so an uninformed market's paths do not change.
        """
        if not self.informed:
            return sides, depths
        chosen = rng.random(times.size) < self.informed
        next_tick = np.minimum((times / self.dt).astype(np.int64), increments.size - 1)  # ticks at (j + 1) dt
        move = np.sign(increments[next_tick])
        sides = np.where(chosen & (move != 0), move, sides).astype(sides.dtype)
        scale = self.k / (self.informed_k or self.k)
        return sides, np.where(chosen, depths * scale, depths)

    def attach(self, sim, rng: np.random.Generator) -> None:
        """Draw the path and schedule its events on ``sim`` (see :class:`engine.Feed`)."""
        n = self.steps
        drawn = self.mid_increments(rng)
        times, sides, depths = self.market_orders(rng)
        sides, depths = self.inform(rng, times, sides, depths, drawn)
        increments = drawn.tolist()
        order_times, order_sides, depths = times.tolist(), sides.tolist(), depths.tolist()
        tick_at = tick_times(n, self.dt, self.T).tolist()
        orders = len(order_times)

        geometric = self.increments == "gbm"
        impact, size = self.impact, self.order_size
        schedule, state, exp = sim.scheduler.schedule, sim.state, math.exp
        set_mid, market_order = sim.set_mid, sim.market_order

        # Ticks and market orders are two chains of events, each scheduling its own next one. No sort merges
        # them: the scheduler does, and at one instant its priorities put the tick before the order.
        # Each chain refers to itself, a reference cycle holding the path's arrays: its last event breaks it, so
        # that a finished path is freed at once rather than by the cycle collector.
        def on_tick(j: int) -> None:
            nonlocal on_tick
            set_mid(state.mid * exp(increments[j]) if geometric else state.mid + increments[j])
            j += 1
            if j < n:
                schedule(tick_at[j], MARKET_DATA, on_tick, j)
            else:
                on_tick = None

        def on_order(j: int) -> None:
            nonlocal on_order
            side = order_sides[j]
            market_order(side, size, depths[j])
            if impact:
                set_mid(state.mid + side * impact)
            j += 1
            if j < orders:
                schedule(order_times[j], MARKET_ORDER, on_order, j)
            else:
                on_order = None

        sim.state.horizon = self.T
        sim.set_mid(self.s0)
        schedule(tick_at[0], MARKET_DATA, on_tick, 0)
        if orders:
            schedule(order_times[0], MARKET_ORDER, on_order, 0)
        else:
            on_order = None
