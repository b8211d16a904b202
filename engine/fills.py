"""Fill models for synthetic markets: the exact continuous-time model and the paper's time-stepped recipe.

Both give a quote at depth ``delta`` from the mid the fill intensity ``lambda(delta) = A exp(-k delta)``. Each
model holds its rule in both engines' forms: :meth:`FillModel.attach` for the event engine and
:meth:`FillModel.vectorised` for :func:`engine.run_vectorised`.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from engine.errors import ConfigError, non_negative, positive
from engine.fill_model import FillModel, FillRun, StepFillRule
from engine.paths import tick_times
from engine.scheduler import SETTLE
from engine.types import SELL

def intensity_dt(A_dt: float, k: float, depth, exp=np.exp):
    """``lambda(depth) dt = A dt exp(-k depth)``, the expected number of fills in a step of a quote at ``depth``.

    :class:`StepFills` fills a quote when the step's uniform draw falls below it (so with probability
    ``min(1, lambda dt)``); the time-stepped :class:`ExponentialFills` draws a Poisson count with this mean.
    ``depth`` is an array over paths (the vectorised engine, where a withdrawn side's NaN gives NaN, which no
    draw falls below) or a float (the event engine, which passes ``exp=math.exp``: the same function to the last
    bit, without numpy's cost per call). Both engines call this, so they fill on the same draws.
    """
    return A_dt * exp(-k * depth)


def poisson_filled(u: np.ndarray, mean: np.ndarray, size, order_size: float) -> np.ndarray:
    """``min(size, N order_size)`` with ``N ~ Poisson(mean)``, drawn by inverting N's survival function with
    ``u``: ``N >= j`` exactly when ``u < P(N >= j)``. The same ``u`` that fills a step quote (``u < mean``) is used,
    so an exact fill implies a step fill on the same draw (``1 - exp(-x) <= x``)."""
    pmf = np.exp(-mean)
    survival = -np.expm1(-mean)  # P(N >= 1), accurate for small means
    count = (u < survival).astype(float)
    needed = math.ceil(float(np.max(size)) / order_size)  # more orders than this cannot fill more
    for j in range(1, needed):
        pmf = pmf * mean / j  # P(N = j)
        survival = survival - pmf  # P(N >= j + 1)
        count += u < survival
    return np.minimum(size, count * order_size)


@attrs.frozen
class ExponentialFills(FillModel):
    """Exact in continuous time: a market order that reaches depth ``D`` from the mid fills our quote at depth
    ``delta`` when ``D >= delta``.

    With arrivals at rate ``A`` per side and ``D ~ Exponential(k)`` (as in :class:`feeds.SyntheticMarket`), a
    quote at depth ``delta >= 0`` fills at rate ``A P(D >= delta) = A exp(-k delta)``, with no time step. A quote
    on the wrong side of the mid (``delta < 0``) fills on every order. A market order fills at most its size.
    """

    def attach(self, sim, rng: np.random.Generator) -> FillRun:
        """The run's hooks (the model has no state of its own)."""
        return _ExponentialRun(sim)

    def vectorised(self, market) -> StepFillRule:
        """The time-stepped form, exact in distribution for a quote held through the step: market orders reach
        the side at rate ``A`` (the market's) and each reaches a depth ``D ~ Exponential(k)``, so the number that
        reach a quote at depth ``delta`` in a step is Poisson with mean ``A exp(-k max(delta, 0)) dt``, and the
        quote fills with each of them, up to its size."""
        A_dt, k = float(market.A) * float(market.dt), float(market.k)
        order_size = float(getattr(market, "order_size", 1.0))

        def filled(u, depth, size):
            return poisson_filled(u, intensity_dt(A_dt, k, np.maximum(depth, 0.0)), size, order_size)

        return filled


class _ExponentialRun(FillRun):
    def on_market_order(self, side: int, size: float, depth: float | None, price: float | None) -> None:
        if depth is None:
            raise ConfigError("ExponentialFills needs market orders that carry a depth (a synthetic feed)")
        sim = self.sim
        if side == SELL:
            bid = sim.bid
            if bid is not None and depth >= sim.state.mid - bid.price:
                bid.execute(size)
        else:
            ask = sim.ask
            if ask is not None and depth >= ask.price - sim.state.mid:
                ask.execute(size)


@attrs.frozen
class StepFills(FillModel):
    """The time-stepped recipe of Avellaneda and Stoikov (2008): at the end of each step of length ``dt``, each
    side of the quote that rested through the step fills (whole) with probability ``min(1, A exp(-k delta) dt)``,
    ``delta`` being its depth from the mid of that step. The two sides draw independently.

    Market orders from the feed are ignored: use a feed without them (``A = 0``) to save time.

    Parameters
    ----------
    A : float
        Arrival rate of market orders per side, per unit time.
    k : float
        Decay of the fill rate with depth, per price unit.
    dt : float
        Step length, in the feed's time unit.
    """

    A: float = attrs.field(converter=float, validator=non_negative)
    k: float = attrs.field(converter=float, validator=positive)
    dt: float = attrs.field(converter=float, validator=positive)
    fills_between_ticks = False  # settles at the end of each step only (a class attribute, not a field)

    def attach(self, sim, rng: np.random.Generator) -> FillRun:
        """Schedule one settlement at the end of every step up to the horizon (market orders are ignored)."""
        horizon = sim.state.horizon
        if math.isinf(horizon):
            raise ConfigError("StepFills needs a feed with a finite horizon")
        steps = int(round(horizon / self.dt))
        if steps < 1:
            raise ConfigError(f"StepFills: dt={self.dt!r} is longer than the horizon {horizon!r}")
        uniforms = rng.random((steps, 2)).tolist()
        times = tick_times(steps, self.dt, horizon).tolist()
        A_dt, k = self.A * self.dt, self.k
        schedule, rate, exp = sim.scheduler.schedule, intensity_dt, math.exp

        def settle(i: int) -> None:
            mid = sim.state.mid
            u_bid, u_ask = uniforms[i]
            # Draw both sides against the quotes that rested through the step, before either fill requotes.
            bid, ask = sim.bid, sim.ask
            if bid is not None and u_bid < rate(A_dt, k, mid - bid.price, exp):
                bid.execute(bid.left)
            if ask is not None and u_ask < rate(A_dt, k, ask.price - mid, exp):
                ask.execute(ask.left)
            if i + 1 < steps:
                schedule(times[i + 1], SETTLE, settle, i + 1)

        schedule(times[0], SETTLE, settle, 0)
        return FillRun(sim)

    def vectorised(self, market) -> StepFillRule:
        """The same rule on arrays: the whole quote fills when the step's draw falls below
        :func:`intensity_dt` (the step must be the market's, so that steps and ticks coincide)."""
        if not math.isclose(self.dt, market.dt, rel_tol=1e-9):
            raise ConfigError(f"StepFills dt={self.dt!r} must equal the market's dt={market.dt!r} "
                              "in the vectorised engine")
        A_dt, k = self.A * self.dt, self.k

        def filled(u, depth, size):
            return np.where(u < intensity_dt(A_dt, k, depth), size, 0.0)

        return filled
