"""The full-depth fill model: our quote's exact place in a FIFO queue rebuilt from order ids (level-3 data).

With a feed that keeps the whole book (``sim.book``, an :class:`engine.order_book.OrderBook`, as
:class:`feeds.lobster_book.LobsterBookFeed` does), the rules (and why) are written out in ``docs/replay.md``; in
short:

* **Joining.** A quote that goes live at price ``p`` (after the order-entry latency) joins the back of the queue
  at ``p``: every order resting there then is ahead of it, orders that arrive later are behind it. Displayed
  size the data cannot follow by id (untracked) counts as ahead.
* **At our price.** An execution of an order *ahead* of us fills nothing (those orders leave by execution or
  cancellation, known exactly from the ids). An execution of an order *behind* us means the aggressor reached
  our place: it fills us by that execution's size, once nothing is left ahead of us.
* **Through our price.** An execution (visible or hidden) at a price worse than ours for its aggressor fills
  us by its size; so does a new order posted at or through our price (it would have traded with us), by its
  displayed size. A quote deeper than the data's levels can only fill this way.
* **Hidden executions** at our price fill nothing and do not move us. Our orders never change the book.
* **Exchange rules** when a quote goes live (tick grid, post-only, an unchanged requote sends nothing) are the
  level-1 model's (:class:`engine.replay_fills.TradeThroughFills`).
"""

from __future__ import annotations

import attrs
import numpy as np

from engine.errors import ConfigError, one_of, positive
from engine.fill_model import ADDED, HIDDEN_EXECUTED, FillModel, FillRun
from engine.replay_fills import ExchangeRun, PostOnly


@attrs.frozen
class QueueFills(FillModel):
    """Fill resting quotes from their exact place in the queue of a full-depth replay (level-3 data).

    Parameters
    ----------
    tick_size : float
        The instrument's price grid, currency units (> 0).
    post_only : {"clamp", "withdraw"}
        As for :class:`engine.replay_fills.TradeThroughFills`.
    price_scale : float
        Book prices are ``round(price * price_scale)`` (LOBSTER: 10000).

    Notes
    -----
    Needs a feed that keeps ``sim.book`` and calls ``sim.order_event`` (:class:`feeds.lobster_book.LobsterBookFeed`).
    Counters are in ``sim.fills.stats`` after a run: the shared ones (:class:`engine.fill_model.FillRun`),
    ``quotes_sent``, ``quotes_unchanged``, ``post_only_clamped``, ``post_only_withdrawn`` and
    ``fills_book_through`` (fills by an order posted through our price, counted in ``fills_through`` too).
    """

    tick_size: float = attrs.field(converter=float, validator=positive)
    post_only: PostOnly = attrs.field(default="clamp", validator=one_of("clamp", "withdraw"))
    price_scale: float = attrs.field(default=10_000.0, converter=float, validator=positive)

    def attach(self, sim, rng: np.random.Generator) -> FillRun:
        """A run that reads the feed's book (``sim.book``)."""
        book = getattr(sim, "book", None)
        if book is None:
            raise ConfigError("QueueFills needs a feed that keeps the full book (feeds.lobster_book.LobsterBookFeed)")
        return QueueRun(sim, self.tick_size, self.post_only == "withdraw", book, self.price_scale)


class QueueRun(ExchangeRun):
    """One run of :class:`QueueFills`: each side's place in its queue (a sequence number of the book)."""

    def __init__(self, sim, tick: float, withdraw: bool, book, scale: float) -> None:
        super().__init__(sim, tick, withdraw)
        self.book = book
        self.scale = scale
        self.place = {1: 0, -1: 0}  # orders at our price with a smaller sequence number are ahead of us
        self.stats["fills_book_through"] = 0

    def joined(self, side: int, price: float) -> None:
        self.place[side] = self.book.next_seq  # behind everything resting now

    def on_order(self, kind: int, side: int, price: float, size: float, seq: int) -> None:
        sim = self.sim
        eps = self.eps
        if kind == ADDED:  # a new order at or through our opposite quote would have traded with it
            quote = sim.ask if side == 1 else sim.bid
            if quote is not None and side * (price - quote.price) >= -eps:
                self.stats["fills_book_through"] += 1
                self.fill(quote, size, True)
            return
        quote = sim.bid if side == 1 else sim.ask
        if quote is None:
            return
        gap = side * (price - quote.price)  # > 0: the executed order was better priced than ours, so first
        if gap > eps:
            return
        if gap < -eps:  # the aggressor went through our price
            self.fill(quote, size, True)
            return
        if kind == HIDDEN_EXECUTED:
            return
        place = self.place[side]
        if seq >= place and self.book.ahead(side, round(quote.price * self.scale), place) == 0:
            self.fill(quote, size, False)  # the part of the aggressor that reached our place
