"""The replay fill model: historical trades and book updates against our resting quotes, with queue position.

The rules (and why) are written out in ``docs/replay.md``; in short:

* **Through.** A trade that prints through our price (a sell below our bid, a buy above our ask) fills us for up
  to the trade's size: the aggressor would have met our better-priced order first.
* **At our price.** A trade at exactly our price first eats the displayed size *ahead* of us; only what is left
  of it fills us (partial fills by trade size). With ``queue="touch"`` nothing is ahead of us: every trade at our
  price fills us, the optimistic "fill on touch" most backtesters use.
* **Queue ahead.** When our quote goes live at a price: above the market's best (we improve it), nothing is
  ahead; at the best, the whole displayed size there is ahead (it was there first); behind the best, the size at
  our level is not in level-1 data, so it is taken as unknown (nothing at that price fills us except a trade
  through it) until the level becomes the best, when everything displayed there is put ahead of us. Those are
  the conservative choices. Trades at our price shrink the queue ahead; new orders join behind us; a fall in the
  displayed size without a trade (a cancel) is assumed to come from behind us, so the queue ahead only shrinks
  when the level's displayed size falls below it; if the level empties (the best moves past it), nothing is
  ahead.
* **Book through.** If the opposite best price moves to or through our resting price (a new sell order at or
  below our bid), that order would have traded with us: our whole remaining quote fills at our price.
* **Exchange rules when a quote goes live** (after the order-entry latency): prices go to the tick grid, a bid
  down and an ask up, and the quote is post-only, never at or through the opposite best: ``post_only="clamp"``
  moves the side to one tick inside the opposite best (the exchange's price slide), ``"withdraw"`` drops it.
  A requote that leaves a side's price unchanged keeps that side's place in the queue; a requote that changes
  nothing at all sends nothing (no row in the quotes table).

Our own orders never change the historical book or trades: the replay has no market impact.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import numpy as np

from engine.errors import ConfigError, one_of, positive
from engine.types import ASK, BID, SELL

QueueRule = Literal["conservative", "touch"]
PostOnly = Literal["clamp", "withdraw"]

_INF = math.inf
_floor = math.floor
_ceil = math.ceil


@attrs.frozen
class TradeThroughFills:
    """Fill resting quotes from a replayed tick feed (see the module docstring for the rules).

    Parameters
    ----------
    tick_size : float
        The instrument's price grid, currency units (> 0).
    queue : {"conservative", "touch"}
        ``conservative`` (default): a trade at our price fills us only after the displayed size ahead of us has
        traded. ``touch``: every trade at our price fills us, up to its size.
    post_only : {"clamp", "withdraw"}
        What happens to a side that would be at or through the opposite best price when it goes live:
        ``clamp`` (default) moves it one tick inside the opposite best, ``withdraw`` drops it.

    Notes
    -----
    Needs a feed that calls ``sim.set_book`` with prices and sizes and ``sim.market_order`` with a ``price``
    (:class:`feeds.ReplayFeed`). Counters of what the model did are in ``sim.fill_state.stats`` after a run.
    """

    tick_size: float = attrs.field(converter=float, validator=positive)
    queue: QueueRule = attrs.field(default="conservative", validator=one_of("conservative", "touch"))
    post_only: PostOnly = attrs.field(default="clamp", validator=one_of("clamp", "withdraw"))

    def attach(self, sim, rng: np.random.Generator) -> None:
        """Give ``sim`` a fresh queue book for this run (in ``sim.fill_state``)."""
        sim.fill_state = _QueueBook(self.tick_size, self.queue == "touch", self.post_only == "withdraw")

    def on_quote_live(self, sim, entry: tuple) -> tuple | None:
        """Apply the exchange's rules to a quote that reaches the market; set its queue position."""
        return sim.fill_state.quote_live(sim, entry)

    def on_book(self, sim) -> None:
        """Update queue positions and fill quotes the book moved through."""
        sim.fill_state.book(sim)

    def on_market_order(self, sim, side: int, size: float, depth: float | None, price: float | None) -> None:
        """Match one historical trade (aggressor ``side``, ``size`` at ``price``) against our quotes."""
        if price is None:
            raise ConfigError("TradeThroughFills needs trades that carry a price (a replay feed)")
        sim.fill_state.trade(sim, side, size, price)


class _QueueBook:
    """Per-run state: the live quote's grid prices, the displayed size ahead of each side, and counters."""

    __slots__ = ("tick", "inv_tick", "eps", "touch", "withdraw", "bid_n", "ask_n", "bid_ahead", "ask_ahead",
                 "quotes_sent", "quotes_unchanged", "post_only_clamped", "post_only_withdrawn", "fills_through",
                 "fills_at_price", "fills_book_through")

    def __init__(self, tick: float, touch: bool, withdraw: bool) -> None:
        self.tick = tick
        # Prices built as n / (1 / tick) when 1 / tick is a whole number give the same float as the data's
        # (for example 58533 / 100 == 585.33), which keeps the ledger's prices clean.
        inv = round(1.0 / tick)
        self.inv_tick = float(inv) if inv >= 1 and abs(inv * tick - 1.0) < 1e-9 else None
        self.eps = tick * 1e-6  # two prices within this are the same price
        self.touch = touch
        self.withdraw = withdraw
        self.bid_n = self.ask_n = None  # grid index of the live quote's prices
        self.bid_ahead = self.ask_ahead = 0.0
        self.quotes_sent = self.quotes_unchanged = self.post_only_clamped = self.post_only_withdrawn = 0
        self.fills_through = self.fills_at_price = self.fills_book_through = 0

    @property
    def stats(self) -> dict[str, int]:
        """Counters of the run: quotes sent and left unchanged, post-only corrections, fills by rule."""
        return {name: getattr(self, name) for name in (
            "quotes_sent", "quotes_unchanged", "post_only_clamped", "post_only_withdrawn", "fills_through",
            "fills_at_price", "fills_book_through")}

    # -- prices ------------------------------------------------------------------------------------------------

    def _price(self, n: int | None) -> float | None:
        if n is None:
            return None
        return n / self.inv_tick if self.inv_tick is not None else n * self.tick

    def _post_only(self, slide_to: int) -> int | None:
        """A side that would be at or through the opposite best: slid to ``slide_to`` or withdrawn."""
        if self.withdraw:
            self.post_only_withdrawn += 1
            return None
        self.post_only_clamped += 1
        return slide_to

    def _ahead_on_joining(self, price: float, best: float | None, best_size: float | None, sign: int) -> float:
        """Displayed size ahead of a new order at ``price``; ``sign`` is +1 for a bid, -1 for an ask."""
        if self.touch or best is None or best != best:
            return 0.0
        gap = sign * (price - best)
        if gap > self.eps:
            return 0.0  # improves the best: first in line
        if gap >= -self.eps:
            return best_size if best_size is not None and best_size == best_size else _INF
        return _INF  # behind the best: unknown until the level becomes the best

    # -- hooks -------------------------------------------------------------------------------------------------

    def quote_live(self, sim, entry: tuple) -> tuple | None:
        state = sim.state
        if sim.scheduler.now > state.horizon:  # the data has ended: nothing left to quote against
            return None
        bid, ask, bid_size, ask_size = entry
        tick = self.tick
        nb = na = None
        if bid is not None:
            nb = _floor(bid / tick + 1e-9)  # bids round down onto the grid
            best = state.best_ask
            if best is not None and nb * tick >= best - self.eps:
                nb = self._post_only(round(best / tick) - 1)
        if ask is not None:
            na = _ceil(ask / tick - 1e-9)  # asks round up
            best = state.best_bid
            if best is not None and na * tick <= best + self.eps:
                na = self._post_only(round(best / tick) + 1)
        # A side whose price is unchanged keeps its place in the queue (its size is set to the new size).
        same_bid = nb == self.bid_n if sim.bid is not None else nb is None
        same_ask = na == self.ask_n if sim.ask is not None else na is None
        if same_bid and same_ask and (nb is None or sim.bid_left == bid_size) and (
                na is None or sim.ask_left == ask_size):
            self.quotes_unchanged += 1
            return None
        bid, ask = self._price(nb), self._price(na)
        if nb is not None and not same_bid:
            self.bid_ahead = self._ahead_on_joining(bid, state.best_bid, state.best_bid_size, 1)
        if na is not None and not same_ask:
            self.ask_ahead = self._ahead_on_joining(ask, state.best_ask, state.best_ask_size, -1)
        self.bid_n, self.ask_n = nb, na
        self.quotes_sent += 1
        return bid, ask, bid_size, ask_size

    def book(self, sim) -> None:
        state = sim.state
        eps = self.eps
        bid = sim.bid
        if bid is not None:
            if state.best_ask <= bid + eps:
                self.fills_book_through += 1
                sim.execute(BID, sim.bid_left)
            elif not self.touch:
                best = state.best_bid
                if best < bid - eps:
                    self.bid_ahead = 0.0  # our level is empty in the data: we are alone there
                elif best <= bid + eps:
                    size = state.best_bid_size
                    if size < self.bid_ahead:  # cancels come from behind us unless the level is thinner
                        self.bid_ahead = size
        ask = sim.ask
        if ask is not None:
            if state.best_bid >= ask - eps:
                self.fills_book_through += 1
                sim.execute(ASK, sim.ask_left)
            elif not self.touch:
                best = state.best_ask
                if best > ask + eps:
                    self.ask_ahead = 0.0
                elif best >= ask - eps:
                    size = state.best_ask_size
                    if size < self.ask_ahead:
                        self.ask_ahead = size

    def trade(self, sim, side: int, size: float, price: float) -> None:
        eps = self.eps
        if side == SELL:  # hits bids
            bid = sim.bid
            if bid is None or price > bid + eps:
                return
            if price < bid - eps:
                self.bid_ahead = 0.0
                self.fills_through += 1
                sim.execute(BID, size)
                return
            ahead = self.bid_ahead
            if ahead >= size:
                self.bid_ahead = ahead - size
                return
            self.bid_ahead = 0.0
            self.fills_at_price += 1
            sim.execute(BID, size - ahead)
        else:  # a buy lifts asks
            ask = sim.ask
            if ask is None or price < ask - eps:
                return
            if price > ask + eps:
                self.ask_ahead = 0.0
                self.fills_through += 1
                sim.execute(ASK, size)
                return
            ahead = self.ask_ahead
            if ahead >= size:
                self.ask_ahead = ahead - size
                return
            self.ask_ahead = 0.0
            self.fills_at_price += 1
            sim.execute(ASK, size - ahead)
