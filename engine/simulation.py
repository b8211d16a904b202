"""The simulation loop: wires a feed, a strategy, a fill model and a ledger together for one path."""

from __future__ import annotations

import math

import numpy as np

from engine.errors import ConfigError, StrategyError, check_non_negative
from engine.ledger import Ledger
from engine.protocols import Feed, FillModel, StrategyProtocol
from engine.scheduler import QUOTE_LIVE, STRATEGY, Scheduler
from engine.types import BID, Fees, Fill, MarketState, Quote

_NAN = math.nan
_isfinite = math.isfinite
_new_tuple = tuple.__new__


def strategy_name(strategy) -> str:
    """The name used for ``strategy`` in tables and errors: its ``name`` attribute, else its class name."""
    return getattr(strategy, "name", None) or type(strategy).__name__


def path_generators(seed) -> tuple[np.random.Generator, np.random.Generator]:
    """The feed's and the fill model's random generators for one path.

    Both are children of ``seed``'s SeedSequence, so the market a seed makes does not depend on how many random
    numbers the fill model draws (and the reverse). The event engine (:class:`Simulation`) and the vectorised
    engine both draw from these, so one seed gives the same market in either.

    Parameters
    ----------
    seed : int, SeedSequence or None
        The path's seed, typically :func:`engine.path_seed` ``(seed, i)``.

    Returns
    -------
    feed_rng, fill_rng : numpy.random.Generator
        The feed's generator and the fill model's generator.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    feed_ss, fill_ss = ss.spawn(2)
    return np.random.default_rng(feed_ss), np.random.default_rng(fill_ss)


class Simulation:
    """One path: a feed drives the market, a fill model matches market orders against the strategy's quotes.

    Parameters
    ----------
    feed : Feed
        Source of market events (see :mod:`engine.protocols`).
    strategy : Strategy
        Object with ``quote(state)``, ``on_fill(fill)`` and the ``requote_*`` settings.
    fill_model : FillModel
        Decides when resting quotes fill.
    seed : int, SeedSequence or None
        Seeds the path's random numbers.
    latency_s : float
        Order-entry latency in the feed's time unit: a new quote becomes live this long after the strategy sends
        it, and until then market orders meet the quote that was live before.
    fees : Fees
        Charged on every fill.
    ledger : Ledger, optional
        Where rows are recorded (a new one by default); many paths may share one.
    path : int
        Path number written in every ledger row.

    Notes
    -----
    Feeds and fill models drive the run through :meth:`set_mid`, :meth:`set_book`, :meth:`market_order` and
    :meth:`execute`. The order of events at one instant is given in :mod:`engine.scheduler`.

    A fill model may define two optional hooks, looked up once here (a model without them costs nothing):
    ``on_quote_live(sim, entry)`` is called when a quote ``entry = (bid, ask, bid_size, ask_size)`` reaches the
    market (after the latency) and returns the entry that goes live, possibly changed (tick grid, post-only), or
    ``None`` to send nothing; ``on_book(sim)`` is called by :meth:`set_book` after the new best prices and sizes
    are in ``sim.state`` and before the mid moves. Per-run state of such a model goes in :attr:`fill_state`.
    """

    def __init__(self, feed: Feed, strategy: StrategyProtocol, fill_model: FillModel, *, seed=None,
                 latency_s: float = 0.0, fees: Fees = Fees(), ledger: Ledger | None = None, path: int = 0) -> None:
        self.feed = feed
        self.strategy = strategy
        self.fill_model = fill_model
        self.latency_s = check_non_negative("latency_s", latency_s)
        self.fees = fees
        self.ledger = Ledger() if ledger is None else ledger
        self.path = int(path)
        self.feed_rng, self.fill_rng = path_generators(seed)
        self.scheduler = Scheduler()
        self.state = MarketState()
        # The resting quote: price (None when the side is empty) and size still unfilled.
        self.bid: float | None = None
        self.ask: float | None = None
        self.bid_left = 0.0
        self.ask_left = 0.0
        self.fill_count = 0
        self._quote_requested = False
        self._started = False
        self._requote_on_tick = bool(strategy.requote_on_tick)
        self._requote_on_fill = bool(strategy.requote_on_fill)
        interval = getattr(strategy, "requote_interval_s", None)
        self._requote_interval = None if interval is None else check_non_negative("requote_interval_s", interval)
        if self._requote_interval == 0.0:
            raise ConfigError("requote_interval_s must be > 0 (or None for no timer)")
        self._fees_zero = fees.zero
        self._name = strategy_name(strategy)
        # Bound methods looked up once: these run for every event.
        self._append_mark = self.ledger.mark_rows.append
        self._append_fill = self.ledger.fill_rows.append
        self._append_quote = self.ledger.quote_rows.append
        # Optional replay hooks: resolved once, so the synthetic path never tests for them.
        self.fill_state = None
        self._on_book = getattr(fill_model, "on_book", None)
        self._on_quote_live = getattr(fill_model, "on_quote_live", None)
        if self._on_quote_live is not None:
            self._go_live = self._go_live_hooked

    # -- running -----------------------------------------------------------------------------------------------

    def run(self) -> Ledger:
        """Run the path to the feed's horizon and return the ledger (with a final mark at the horizon)."""
        self.feed.attach(self, self.feed_rng)
        self.fill_model.attach(self, self.fill_rng)
        if self._requote_interval is not None:
            self.scheduler.schedule(self.scheduler.now, STRATEGY, self._on_timer)
        horizon = self.state.horizon
        self.scheduler.run(until=None if math.isinf(horizon) else horizon)
        if not self._started:
            raise ConfigError("the feed gave no price: nothing to simulate")
        # A replay learns its horizon (the last row) while running; a timer may have fired once past it.
        self.state.time = min(self.scheduler.now, self.state.horizon)
        self._mark()
        return self.ledger

    # -- what feeds call ---------------------------------------------------------------------------------------

    def set_mid(self, mid: float) -> None:
        """The mid moves to ``mid`` now: record a mark and, if the strategy wants it, requote."""
        state = self.state
        state.time = now = self.scheduler.now
        state.mid = mid
        # _mark() written out: this runs on every tick.
        self._append_mark((self.path, now, mid, state.inventory, state.cash, state.cash + state.inventory * mid))
        if self._requote_on_tick or not self._started:
            self._started = True
            self.request_quote()

    def set_book(self, best_bid: float, best_ask: float, bid_size: float = _NAN, ask_size: float = _NAN) -> None:
        """The market's best bid and ask (and the sizes displayed there, when known) change now; the mid becomes
        their average. The fill model's ``on_book`` hook, if any, sees the new book before the mid moves."""
        state = self.state
        state.best_bid = best_bid
        state.best_ask = best_ask
        state.best_bid_size = bid_size
        state.best_ask_size = ask_size
        if self._on_book is not None:
            self._on_book(self)
        mid = 0.5 * (best_bid + best_ask)
        if mid != state.mid:
            self.set_mid(mid)

    def market_order(self, side: int, size: float, depth: float | None = None, price: float | None = None) -> None:
        """A market order of ``size`` by an aggressor on ``side`` (BUY or SELL) arrives now."""
        self.fill_model.on_market_order(self, side, size, depth, price)

    # -- what fill models call ---------------------------------------------------------------------------------

    def execute(self, side: int, size: float) -> float:
        """Fill up to ``size`` of our resting quote on ``side`` (BID or ASK) at its price; return the size filled."""
        if side == BID:
            price, left = self.bid, self.bid_left
        else:
            price, left = self.ask, self.ask_left
        if price is None or left <= 0.0:
            return 0.0
        filled = size if size < left else left
        left -= filled
        if side == BID:
            self.bid_left = left
            if left <= 0.0:
                self.bid = None
        else:
            self.ask_left = left
            if left <= 0.0:
                self.ask = None
        state = self.state
        now = state.time = self.scheduler.now
        fee = 0.0 if self._fees_zero else self.fees.on(price, filled)
        state.inventory += side * filled
        state.cash -= side * price * filled + fee
        self.fill_count += 1
        mid, inventory, cash = state.mid, state.inventory, state.cash
        # tuple.__new__ builds the Fill twice as fast as its NamedTuple constructor.
        fill = _new_tuple(Fill, (now, side, price, filled, mid, fee, inventory, cash))
        self._append_fill((self.path, now, side, price, filled, mid, fee, inventory, cash))
        try:
            self.strategy.on_fill(fill)
        except (Exception, SystemExit) as exc:  # sys.exit() in a strategy must not end the program quietly
            raise StrategyError(f"strategy {self._name} raised in on_fill at t={now:.6g}: {exc!r}") from exc
        if self._requote_on_fill:
            self.request_quote()
        return filled

    # -- quoting -----------------------------------------------------------------------------------------------

    def request_quote(self) -> None:
        """Ask the strategy for a new quote at the end of this instant (once, however often it is asked)."""
        if not self._quote_requested:
            self._quote_requested = True
            scheduler = self.scheduler
            scheduler.schedule(scheduler.now, STRATEGY, self._requote)

    def _on_timer(self, _=None) -> None:
        if self.scheduler.now > self.state.horizon:  # a replay ended after this tick was scheduled: stop
            return
        if self._started:
            self.request_quote()
        self.scheduler.schedule(self.scheduler.now + self._requote_interval, STRATEGY, self._on_timer)

    def _requote(self, _=None) -> None:
        self._quote_requested = False
        state = self.state
        state.time = now = self.scheduler.now
        try:
            quote = self.strategy.quote(state)
        except (Exception, SystemExit) as exc:
            raise StrategyError(f"strategy {self._name} raised in quote at t={now:.6g}: {exc!r}") from exc
        if not isinstance(quote, Quote):
            self._bad_quote(f"expected a Quote(bid=..., ask=...), got {quote!r}")
        bid, ask, bid_size, ask_size = quote
        try:
            bid_size, ask_size = float(bid_size), float(ask_size)
        except (TypeError, ValueError):
            self._bad_quote(f"sizes must be numbers, got bid_size={bid_size!r} ask_size={ask_size!r}")
        if bid is not None:
            bid = float(bid)
            if not (_isfinite(bid) and bid_size > 0.0):
                self._bad_quote(f"bid={bid!r} bid_size={bid_size!r}")
        if ask is not None:
            ask = float(ask)
            if not (_isfinite(ask) and ask_size > 0.0):
                self._bad_quote(f"ask={ask!r} ask_size={ask_size!r}")
        if bid is not None and ask is not None and not bid < ask:
            self._bad_quote(f"crossed quote bid={bid!r} >= ask={ask!r}")
        entry = (bid, ask, bid_size, ask_size)
        if self.latency_s > 0.0:
            self.scheduler.schedule(now + self.latency_s, QUOTE_LIVE, self._go_live, entry)
        else:
            self._go_live(entry)

    def _go_live_hooked(self, entry: tuple) -> None:
        entry = self._on_quote_live(self, entry)
        if entry is not None:
            Simulation._go_live(self, entry)

    def _bad_quote(self, what: str) -> None:
        raise StrategyError(f"strategy {self._name} returned an invalid quote at t={self.scheduler.now:.6g}: {what}")

    def _go_live(self, entry: tuple) -> None:
        bid, ask, bid_size, ask_size = entry
        self.bid, self.ask = bid, ask
        self.bid_left = bid_size if bid is not None else 0.0
        self.ask_left = ask_size if ask is not None else 0.0
        state = self.state
        self._append_quote((self.path, self.scheduler.now, _NAN if bid is None else bid,
                            _NAN if ask is None else ask, bid_size, ask_size, state.mid, state.inventory))

    def _mark(self) -> None:
        state = self.state
        self._append_mark((self.path, state.time, state.mid, state.inventory, state.cash,
                           state.cash + state.inventory * state.mid))
