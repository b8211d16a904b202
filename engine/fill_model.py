"""The fill-model plug-in shape: a configuration, the state of one run, and the resting quotes it fills.

A fill model is an immutable configuration (:class:`FillModel`), shared by every path of a Monte Carlo run. For
each run, :meth:`FillModel.attach` makes a :class:`FillRun`: the run's own state and the hooks the simulation
calls. Every hook of the base class does nothing, so a model overrides only the events it uses:

``on_market_order(side, size, depth, price)``
    a market order or a historical print (synthetic orders give their ``depth`` from the mid, prints a
    ``price``);
``on_book()``
    the market's best prices and sizes changed (they are in ``sim.state``; the mid has not moved yet);
``on_order(kind, side, price, size, seq)``
    an order-level event of a full-depth replay (:data:`ADDED`, :data:`EXECUTED`, :data:`HIDDEN_EXECUTED`),
    before the book applies it;
``on_quote_live(entry)``
    a quote ``entry = (bid, ask, bid_size, ask_size)`` reaches the market: return what goes live (on the tick
    grid, post-only) or ``None`` to send nothing.

A model that also runs in the vectorised engine (:func:`engine.run_vectorised`) says how with
:meth:`FillModel.vectorised`: its rule for one step on arrays over paths.

The strategy's live quote is one :class:`RestingQuote` per side (``sim.bid``, ``sim.ask``, ``None`` when the side
is empty); a model fills it with :meth:`FillRun.fill`, which calls :meth:`RestingQuote.execute` and counts where
the fill came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from engine.errors import ConfigError

if TYPE_CHECKING:
    from engine.simulation import Simulation

#: ``on_order`` kinds: a visible order joins the book; a visible order executes; a hidden order executes.
ADDED = 1
EXECUTED = 4
HIDDEN_EXECUTED = 5

#: A fill rule of the vectorised engine: ``filled(u, depth, size)`` gives, for every path, the size filled in one
#: step of a side quoted at ``depth`` from the step's mid (NaN where withdrawn) with ``size`` (a float or an array),
#: ``u`` being the step's uniform draw for that side.
StepFillRule = Callable[[np.ndarray, np.ndarray, object], np.ndarray]


class RestingQuote:
    """One side of our quote in the market: its price, what is left of it, and when it joined the queue there.

    Attributes
    ----------
    side : int
        :data:`engine.BID` or :data:`engine.ASK`.
    price : float
        Its price.
    left : float
        Size still unfilled.
    joined : float
        Time it joined the queue at ``price`` (a requote at the same price keeps it).
    """

    __slots__ = ("side", "price", "left", "joined", "_record")

    def __init__(self, side: int, price: float, size: float, joined: float, record) -> None:
        self.side = side
        self.price = price
        self.left = size
        self.joined = joined
        self._record = record

    def execute(self, size: float) -> float:
        """Fill up to ``size`` at our price (never more than is left); return the size filled."""
        left = self.left
        if left <= 0.0:
            return 0.0
        filled = size if size < left else left
        self.left = left - filled
        self._record(self, filled)
        return filled

    def __repr__(self) -> str:
        return f"RestingQuote(side={self.side}, price={self.price!r}, left={self.left!r}, joined={self.joined!r})"


class FillRun:
    """The state of one run of a fill model, and its hooks (all no-ops here).

    Parameters
    ----------
    sim : Simulation
        The run's simulation.

    Attributes
    ----------
    stats : dict
        Counters of the run: fills that waited in the queue at our price, ``fills_at_touch`` when our price was
        at or better than the market's best on our side as the instant began (:meth:`Simulation.touch`) and
        ``fills_behind_touch`` when it was behind it (the aggressor swept through better levels to reach us);
        ``fills_through``, when the other side came at a price through ours.
    queue_s : list of float
        For each queue fill, the time it waited from joining the queue, seconds.
    unchanged_quote_is_noop : bool
        Class attribute, ``False`` here: a run that sets it promises that the same quote going live again, with
        our inventory and the market's best prices as they were when it last went live, changes nothing (no
        row, no size reset, no queue move). The simulation may then skip requotes that show the strategy
        nothing new (see ``Strategy.quote_inputs``).
    """

    unchanged_quote_is_noop = False

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.stats: dict = {"fills_at_touch": 0, "fills_behind_touch": 0, "fills_through": 0}
        self.queue_s: list[float] = []

    def fill(self, quote: RestingQuote, size: float, through: bool) -> float:
        """Fill up to ``size`` of ``quote``; ``through`` when the other side came at a price through ours (it
        did not wait in the queue). Return the size filled."""
        filled = quote.execute(size)
        if filled > 0.0:
            stats = self.stats
            if through:
                stats["fills_through"] += 1
            else:
                sim = self.sim
                touch = sim.touch(quote.side)
                behind = touch is not None and quote.side * (touch - quote.price) > 1e-9 * abs(touch)
                stats["fills_behind_touch" if behind else "fills_at_touch"] += 1
                self.queue_s.append(sim.scheduler.now - quote.joined)
        return filled

    def on_market_order(self, side: int, size: float, depth: float | None, price: float | None) -> None:
        """A market order or print of ``size`` by an aggressor on ``side`` (BUY or SELL)."""

    def on_book(self) -> None:
        """The best prices or sizes in ``sim.state`` changed."""

    def on_order(self, kind: int, side: int, price: float, size: float, seq: int) -> None:
        """Order ``seq`` (resting on ``side``, BID or ASK) is added or executes by ``size`` at ``price``."""

    def on_quote_live(self, entry: tuple) -> tuple | None:
        """The quote that goes live when ``entry`` reaches the market (``None``: nothing is sent)."""
        return entry


class FillModel:
    """Base class of fill models: an immutable configuration whose :meth:`attach` makes one run's state.

    Attributes
    ----------
    fills_between_ticks : bool
        Whether the model can fill a quote between two ticks of the mid (default ``True``). A model that fills
        only at the ticks (``False``), where both engines requote anyway, gives the same run in the vectorised
        engine for a strategy that requotes after each fill (see :func:`engine.vectorised.why_not_vectorised`).
    """

    fills_between_ticks: bool = True

    def attach(self, sim: Simulation, rng: np.random.Generator) -> FillRun:
        """Prepare one run of ``sim`` (``rng`` is the run's fill generator) and return its state and hooks."""
        return FillRun(sim)

    def vectorised(self, market) -> StepFillRule:
        """This model's rule in the vectorised engine, for ``market`` (see :data:`StepFillRule`).

        Raises
        ------
        ConfigError
            If the model has no time-stepped form (the default) or cannot run on ``market``.
        """
        raise ConfigError(f"the vectorised engine runs fill models with a time-stepped form (StepFills or "
                          f"ExponentialFills), not {type(self).__name__}: use the event engine")
