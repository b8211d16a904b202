"""The plug-in protocols: what a feed, a fill model and a strategy must provide to the simulation.

They are structural (``typing.Protocol``): any object with these methods plugs in, no base class needed. Feeds
and fill models are immutable configurations shared by every path of a Monte Carlo run; whatever state one run
needs lives in the :class:`~engine.simulation.Simulation` or in closures created by ``attach``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from engine.simulation import Simulation
    from engine.types import Fill, MarketState, Quote


@runtime_checkable
class Feed(Protocol):
    """Where market events come from (a synthetic market, a replayed file)."""

    def attach(self, sim: Simulation, rng: np.random.Generator) -> None:
        """Set ``sim.state.horizon``, schedule the feed's events on ``sim.scheduler`` and give the first mid
        with ``sim.set_mid`` (or ``sim.set_book``). Events then call ``sim.set_mid``, ``sim.set_book`` and
        ``sim.market_order``."""


@runtime_checkable
class FillModel(Protocol):
    """Decides when the strategy's resting quotes fill."""

    def attach(self, sim: Simulation, rng: np.random.Generator) -> None:
        """Prepare one run (a time-stepped model schedules its steps here)."""

    def on_market_order(self, sim: Simulation, side: int, size: float, depth: float | None,
                        price: float | None) -> None:
        """Match one market order (``side`` is the aggressor's, BUY or SELL) against ``sim``'s resting quotes,
        calling ``sim.execute`` for what fills. Synthetic orders give the ``depth`` they reach from the mid,
        historical trades their ``price``."""


@runtime_checkable
class StrategyProtocol(Protocol):
    """What the simulation calls on a strategy; :class:`strategies.Strategy` is the base class to subclass."""

    requote_on_tick: bool
    requote_on_fill: bool
    requote_interval_s: float | None

    def quote(self, state: MarketState) -> Quote: ...

    def on_fill(self, fill: Fill) -> None: ...
