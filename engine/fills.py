"""Fill models for synthetic markets: the exact continuous-time model and the paper's time-stepped recipe.

Both give a quote at depth ``delta`` from the mid the fill intensity ``lambda(delta) = A exp(-k delta)``.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from engine.errors import ConfigError, non_negative, positive
from engine.fill_model import FillModel, FillRun
from engine.scheduler import SETTLE
from engine.types import SELL


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

    def attach(self, sim, rng: np.random.Generator) -> FillRun:
        """Schedule one settlement at the end of every step up to the horizon (market orders are ignored)."""
        horizon = sim.state.horizon
        if math.isinf(horizon):
            raise ConfigError("StepFills needs a feed with a finite horizon")
        steps = int(round(horizon / self.dt))
        if steps < 1:
            raise ConfigError(f"StepFills: dt={self.dt!r} is longer than the horizon {horizon!r}")
        uniforms = rng.random((steps, 2)).tolist()
        times = (np.arange(1, steps + 1) * self.dt).tolist()
        # The last step settles at the horizon itself: steps * dt can round past it (35 * 0.005 > 0.175), and
        # the run stops at the horizon, so that settlement would be lost.
        times[-1] = horizon
        A_dt, k = self.A * self.dt, self.k
        schedule, exp = sim.scheduler.schedule, math.exp

        def settle(i: int) -> None:
            mid = sim.state.mid
            u_bid, u_ask = uniforms[i]
            # Draw both sides against the quotes that rested through the step, before either fill requotes.
            bid, ask = sim.bid, sim.ask
            if bid is not None and u_bid < A_dt * exp(-k * (mid - bid.price)):
                bid.execute(bid.left)
            if ask is not None and u_ask < A_dt * exp(-k * (ask.price - mid)):
                ask.execute(ask.left)
            if i + 1 < steps:
                schedule(times[i + 1], SETTLE, settle, i + 1)

        schedule(times[0], SETTLE, settle, 0)
        return FillRun(sim)
