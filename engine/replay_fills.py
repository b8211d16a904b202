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
  below our bid), that order would have traded with us: our quote fills at our price by the displayed size that
  newly appeared at or through it, never more (no phantom fills: a one-share order fills one share).
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
from engine.fill_model import HIDDEN_EXECUTED, FillModel, FillRun
from engine.types import SELL

QueueRule = Literal["conservative", "touch"]
PostOnly = Literal["clamp", "withdraw"]

_INF = math.inf
_floor = math.floor
_ceil = math.ceil


@attrs.frozen
class TradeThroughFills(FillModel):
    """Fill resting quotes from a replayed level-1 feed (see the module docstring for the rules).

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
    (:class:`feeds.ReplayFeed`). Counters of what the model did are in ``sim.fills.stats`` after a run.
    """

    tick_size: float = attrs.field(converter=float, validator=positive)
    queue: QueueRule = attrs.field(default="conservative", validator=one_of("conservative", "touch"))
    post_only: PostOnly = attrs.field(default="clamp", validator=one_of("clamp", "withdraw"))

    def attach(self, sim, rng: np.random.Generator) -> FillRun:
        """A fresh level-1 queue book for one run."""
        return LevelOneRun(sim, self.tick_size, self.queue == "touch", self.post_only == "withdraw")


class ExchangeRun(FillRun):
    """What every replay model shares: the exchange's rules when a quote goes live (tick grid, post-only, an
    unchanged requote sends nothing); a subclass sets its queue state in :meth:`joined`."""

    # The same entry against the same best prices and sides goes through the same rules to the same grid
    # prices, which _live finds unchanged.
    unchanged_quote_is_noop = True

    def __init__(self, sim, tick: float, withdraw: bool) -> None:
        super().__init__(sim)
        self.tick = tick
        # Prices built as n / (1 / tick) when 1 / tick is a whole number give the same float as the data's
        # (for example 58533 / 100 == 585.33), which keeps the ledger's prices clean.
        inv = round(1.0 / tick)
        self.inv_tick = float(inv) if inv >= 1 and abs(inv * tick - 1.0) < 1e-9 else None
        self.eps = tick * 1e-6  # two prices within this are the same price
        self.withdraw = withdraw
        self.grid = {1: None, -1: None}  # grid index of the bid (1) and ask (-1) sent last
        # The last entry that went through the rules without a post-only slide, and sim.changes then: the same
        # entry again with nothing changed since is unchanged, found without redoing the rules.
        self._settled = self._settled_at = None
        self.stats.update(quotes_sent=0, quotes_unchanged=0, post_only_clamped=0, post_only_withdrawn=0)

    def _price(self, n: int | None) -> float | None:
        if n is None:
            return None
        return n / self.inv_tick if self.inv_tick is not None else n * self.tick

    def _post_only(self, slide_to: int) -> int | None:
        """A side that would be at or through the opposite best: slid to ``slide_to`` or withdrawn."""
        return None if self.withdraw else slide_to

    def on_quote_live(self, entry: tuple) -> tuple | None:
        sim = self.sim
        state = sim.state
        if sim.scheduler.now > state.horizon:  # the data has ended: nothing left to quote against
            return None
        if entry is self._settled and sim.changes == self._settled_at:
            self.stats["quotes_unchanged"] += 1
            return None
        out, slid = self._live(entry)
        # What goes live is the entry on the grid (sim.bid and sim.ask once the simulation applies it): only
        # a fill or a book change can make the same entry give anything else, unless it was slid.
        self._settled, self._settled_at = (None, None) if slid else (entry, sim.changes)
        return out

    def _live(self, entry: tuple) -> tuple[tuple | None, int]:
        """What goes live for ``entry`` (``None``: nothing changes), and how many of its sides the post-only rule
        slid or withdrew. The post-only counters count the quotes sent, not the requotes that changed nothing."""
        sim = self.sim
        state = sim.state
        bid, ask, bid_size, ask_size = entry
        tick = self.tick
        nb = na = None
        slid = 0
        if bid is not None:
            nb = _floor(bid / tick + 1e-9)  # bids round down onto the grid
            best = state.best_ask
            if best is not None and nb * tick >= best - self.eps:
                nb, slid = self._post_only(round(best / tick) - 1), 1
        if ask is not None:
            na = _ceil(ask / tick - 1e-9)  # asks round up
            best = state.best_bid
            if best is not None and na * tick <= best + self.eps:
                na, slid = self._post_only(round(best / tick) + 1), slid + 1
        # Grid indices of the live sides (None when empty): an unchanged requote is found without building prices.
        old_bid, old_ask = sim.bid, sim.ask
        same_bid = nb == self.grid[1] if old_bid is not None else nb is None
        same_ask = na == self.grid[-1] if old_ask is not None else na is None
        if same_bid and same_ask and (nb is None or old_bid.left == bid_size) and (
                na is None or old_ask.left == ask_size):
            self.stats["quotes_unchanged"] += 1
            return None, slid
        # An unchanged price is the live quote's own float, so the simulation keeps that side's queue place.
        bid = old_bid.price if same_bid and nb is not None else self._price(nb)
        ask = old_ask.price if same_ask and na is not None else self._price(na)
        if nb is not None and not same_bid:
            self.joined(1, bid)
        if na is not None and not same_ask:
            self.joined(-1, ask)
        self.grid[1], self.grid[-1] = nb, na
        self.stats["quotes_sent"] += 1
        if slid:
            self.stats["post_only_withdrawn" if self.withdraw else "post_only_clamped"] += slid
        return (bid, ask, bid_size, ask_size), slid

    def joined(self, side: int, price: float) -> None:
        """A side goes live at a new ``price`` (at the back of its queue): set its queue state."""


class LevelOneRun(ExchangeRun):
    """One run of :class:`TradeThroughFills`: the displayed size ahead of each side, and what was shown through
    each side's price (so a book-through fill never counts the same displayed size twice)."""

    def __init__(self, sim, tick: float, touch: bool, withdraw: bool) -> None:
        super().__init__(sim, tick, withdraw)
        self.touch = touch
        self.ahead = {1: 0.0, -1: 0.0}  # displayed size ahead of our bid (1) and ask (-1)
        self.shown_through = {1: 0.0, -1: 0.0}  # opposite displayed size at or through our bid / ask, last seen
        self.stats.update(fills_at_price=0, fills_book_through=0)

    def joined(self, side: int, price: float) -> None:
        state = self.sim.state
        if side == 1:
            best, best_size = state.best_bid, state.best_bid_size
        else:
            best, best_size = state.best_ask, state.best_ask_size
        self.ahead[side] = self._ahead_on_joining(price, best, best_size, side)
        self.shown_through[side] = 0.0  # post-only: nothing is shown through a quote that goes live

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

    def on_book(self) -> None:
        """Fill a quote by new size shown at or through its price (it would have traded with us, up to its
        size), else update the queue ahead of it. Written out per side: this runs on every book change."""
        sim = self.sim
        state = sim.state
        eps = self.eps
        quote = sim.bid
        if quote is not None:
            price, size = quote.price, state.best_ask_size
            shown = size if state.best_ask <= price + eps and size == size else 0.0
            if shown != self.shown_through[1]:
                brought = shown - self.shown_through[1]
                self.shown_through[1] = shown
                if brought > 0.0:
                    self.stats["fills_book_through"] += 1
                    self.fill(quote, brought, True)
            if shown == 0.0 and not self.touch:
                best = state.best_bid
                if best < price - eps:
                    self.ahead[1] = 0.0  # our level is empty in the data: we are alone there
                elif best <= price + eps and state.best_bid_size < self.ahead[1]:
                    self.ahead[1] = state.best_bid_size  # cancels come from behind us unless the level is thinner
        quote = sim.ask
        if quote is not None:
            price, size = quote.price, state.best_bid_size
            shown = size if state.best_bid >= price - eps and size == size else 0.0
            if shown != self.shown_through[-1]:
                brought = shown - self.shown_through[-1]
                self.shown_through[-1] = shown
                if brought > 0.0:
                    self.stats["fills_book_through"] += 1
                    self.fill(quote, brought, True)
            if shown == 0.0 and not self.touch:
                best = state.best_ask
                if best > price + eps:
                    self.ahead[-1] = 0.0
                elif best >= price - eps and state.best_ask_size < self.ahead[-1]:
                    self.ahead[-1] = state.best_ask_size

    def on_order(self, kind: int, side: int, price: float, size: float, seq: int) -> None:
        """A hidden execution (from a full-depth feed) fills a quote it went through, by its size; at our price
        it fills nothing and leaves the queue ahead as it was."""
        if kind != HIDDEN_EXECUTED:
            return
        quote = self.sim.bid if side == 1 else self.sim.ask
        if quote is not None and side * (price - quote.price) < -self.eps:
            self.fill(quote, size, True)

    def on_market_order(self, side: int, size: float, depth: float | None, price: float | None) -> None:
        """Match one historical trade (aggressor ``side``, ``size`` at ``price``) against our quotes."""
        if price is None:
            raise ConfigError("TradeThroughFills needs trades that carry a price (a replay feed)")
        quote = self.sim.bid if side == SELL else self.sim.ask
        if quote is None:
            return
        gap = quote.side * (price - quote.price)  # > 0: the print is better for us than our price
        eps = self.eps
        if gap > eps:
            return
        q = quote.side
        if gap < -eps:
            self.ahead[q] = 0.0
            self.fill(quote, size, True)
            return
        ahead = self.ahead[q]
        if ahead >= size:
            self.ahead[q] = ahead - size
            return
        self.ahead[q] = 0.0
        self.stats["fills_at_price"] += 1
        self.fill(quote, size - ahead, False)
