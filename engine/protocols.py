"""The plug-in protocols: what a feed and a strategy must provide to the simulation.

They are structural (``typing.Protocol``): any object with these methods plugs in, no base class needed. Feeds
are immutable configurations shared by every path of a Monte Carlo run; whatever state one run needs lives in
the :class:`~engine.simulation.Simulation` or in closures created by ``attach``. Fill models subclass
:class:`engine.fill_model.FillModel`, whose runs keep their own state.
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
class StrategyProtocol(Protocol):
    """What the simulation calls on a strategy; :class:`strategies.Strategy` is the base class to subclass."""

    requote_on_tick: bool
    requote_on_fill: bool
    requote_interval_s: float | None
    # Optional: the MarketState fields the quote depends on (see strategies.Strategy); absent means all.

    def quote(self, state: MarketState) -> Quote: ...

    def on_fill(self, fill: Fill) -> None: ...
