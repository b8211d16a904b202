"""The simulation loop: wires a feed, a strategy, a fill model and a ledger together for one path."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from operator import attrgetter

import numpy as np

from engine.accounting import book_fill, mark_to_market
from engine.errors import ConfigError, StrategyError, check_non_negative
from engine.ledger import Ledger
from engine.fill_model import FillModel, FillRun, RestingQuote
from engine.protocols import Feed, StrategyProtocol
from engine.quotes import ask_quote, check_quote, quote_inputs_of, strategy_name
from engine.scheduler import QUOTE_LIVE, STRATEGY, Scheduler
from engine.types import ASK, BID, Fees, Fill, MarketState, Quote

_NAN = math.nan
_new_tuple = tuple.__new__
_WITHHELD = Quote(None, None)
# What the exchange rules read besides the strategy's own inputs (the post-only check, and the inventory that
# moves with every fill): a requote that sees these unchanged goes live as the same quote.
_EXCHANGE_INPUTS = ("best_ask", "best_bid", "inventory")
# Fields that move with the clock, or change without a book change (a replay learns its horizon at its last
# row): a quote that reads them cannot be skipped.
_CLOCK_FIELDS = ("horizon", "time", "time_left")


def _inputs_getter(strategy) -> Callable[[MarketState], tuple] | None:
    """A function of the state giving what the strategy's quote and the exchange rules depend on, or ``None``
    when the strategy does not list its ``quote_inputs``."""
    inputs = quote_inputs_of(strategy)
    if inputs is None:
        return None
    if isinstance(inputs, str) or not all(isinstance(name, str) for name in inputs):
        raise ConfigError(f"quote_inputs must be a tuple of MarketState field names, got {inputs!r}")
    unknown = sorted(set(inputs) - set(MarketState.__slots__) - {"time_left"})
    if unknown:
        raise ConfigError(f"quote_inputs names unknown MarketState field(s) {', '.join(unknown)} (fields: "
                          f"{', '.join(MarketState.__slots__)}, time_left)")
    clock = sorted(set(inputs) & set(_CLOCK_FIELDS))
    if clock:
        raise ConfigError(f"quote_inputs lists {', '.join(clock)}: a quote that reads the clock must leave "
                          "quote_inputs None (it is asked at every requote)")
    return attrgetter(*sorted({*inputs, *_EXCHANGE_INPUTS}))


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
        Decides when resting quotes fill (see :mod:`engine.fill_model`).
    seed : int, SeedSequence or None
        Seeds the path's random numbers.
    latency_s : float
        Order-entry latency in the feed's time unit: a new quote becomes live this long after the strategy sends
        it, and until then market orders meet the quote that was live before.
    feed_latency_s : float
        Market-data latency in the feed's time unit: the strategy sees the market (mid, best prices and sizes)
        as it was this long ago. Fills still happen on the market's clock, against the market as it is.
    fees : Fees
        Charged on every fill.
    trade_from : float
        Quotes are withheld before this time (a warm-up that is replayed but not traded): the strategy is asked
        as usual, so it learns from the data, but nothing it quotes rests in the book. Default: trade from the
        start.
    ledger : Ledger, optional
        Where rows are recorded (a new one by default); many paths may share one.
    path : int
        Path number written in every ledger row.

    Attributes
    ----------
    bid, ask : RestingQuote or None
        The live quote, one object per side (``None`` when the side is empty).
    fills : FillRun
        The fill model's state for this run (its counters are in ``fills.stats``).
    changes : int
        Book changes and fills so far. A fill model's ``on_quote_live`` sees nothing new while it has not moved
        (the replay models use it to recognise an unchanged requote cheaply).
    requotes_skipped : int
        Requotes not asked for because they would have shown the strategy nothing new (see
        :attr:`skips_idle_requotes`); they are still counted in ``scheduler.events``.

    Notes
    -----
    Feeds drive the run through :meth:`set_mid`, :meth:`set_book`, :meth:`market_order` and :meth:`order_event`;
    the fill model's run (:class:`engine.fill_model.FillRun`) sees them through its hooks and fills the resting
    quotes with ``RestingQuote.execute``. The order of events at one instant is given in :mod:`engine.scheduler`.

    A timer requote is skipped, and the timer stops until the next book change or fill, when it would show the
    strategy nothing new: the strategy lists its ``quote_inputs``, none of them nor the inventory nor the
    market's best prices has changed since it was last asked, the fill model's run treats an unchanged quote as
    a no-op (``unchanged_quote_is_noop``), and there is no latency (a quote sent with latency meets a book that
    may have moved by then). The ledger is the same as when every tick asks.
    """

    def __init__(self, feed: Feed, strategy: StrategyProtocol, fill_model: FillModel, *, seed=None,
                 latency_s: float = 0.0, feed_latency_s: float = 0.0, fees: Fees = Fees(),
                 trade_from: float = -math.inf, ledger: Ledger | None = None, path: int = 0) -> None:
        if not isinstance(fill_model, FillModel):
            raise ConfigError(f"fill_model must be an engine.FillModel, got {type(fill_model).__name__}")
        self.feed = feed
        self.strategy = strategy
        self.fill_model = fill_model
        self.latency_s = check_non_negative("latency_s", latency_s)
        self.feed_latency_s = check_non_negative("feed_latency_s", feed_latency_s)
        self.fees = fees
        self.trade_from = float(trade_from)
        if self.trade_from != self.trade_from:
            raise ConfigError("trade_from must be a time, got NaN")
        self.ledger = Ledger() if ledger is None else ledger
        self.path = int(path)
        self.feed_rng, self.fill_rng = path_generators(seed)
        self.scheduler = Scheduler()
        self.state = MarketState()
        self.bid: RestingQuote | None = None
        self.ask: RestingQuote | None = None
        self.fills: FillRun = FillRun(self)  # no-op hooks until run() attaches the model
        self.fill_count = 0
        self.changes = 0
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
        self._on_fill = self._record  # what each RestingQuote calls when it fills
        # With market-data latency the strategy quotes from a delayed copy of the market (see _seen_state).
        self._view = self.state if self.feed_latency_s == 0.0 else MarketState()
        self._seen: deque = deque()  # (time, mid, best_bid, best_ask, best_bid_size, best_ask_size), oldest first
        self._instant = _NAN  # time of the last book change, and the best prices before that instant's changes
        self._touch_bid = self._touch_ask = None
        self._last_quote = self._last_entry = None  # the last quote that passed the checks, and what it gave
        self._inputs = _inputs_getter(strategy)  # what the strategy and the exchange rules read, or None
        self._asked = self._asked_early = None  # the inputs when the strategy was last asked, and if before trade_from
        self._parked_at = None  # the tick the timer stopped at, while nothing new can reach the strategy
        self.requotes_skipped = 0

    # -- running -----------------------------------------------------------------------------------------------

    def run(self) -> Ledger:
        """Run the path to the feed's horizon and return the ledger (with a final mark at the horizon)."""
        self.feed.attach(self, self.feed_rng)
        self.fills = self.fill_model.attach(self, self.fill_rng)
        if not self.skips_idle_requotes:
            self._inputs = None
        if self._requote_interval is not None:
            self.scheduler.schedule(self.scheduler.now, STRATEGY, self._on_timer)
        until = None if math.isinf(self.state.horizon) else self.state.horizon
        self.scheduler.run(until=until)
        if self._parked_at is not None:
            self._unpark_at_end(past_horizon=until is None)
        if not self._started:
            raise ConfigError("the feed gave no price: nothing to simulate")
        # A replay learns its horizon (the last row) while running; a timer may have fired once past it.
        self.state.time = min(self.scheduler.now, self.state.horizon)
        self._mark()
        return self.ledger

    @property
    def skips_idle_requotes(self) -> bool:
        """Whether timer requotes that would show the strategy nothing new are skipped (see the class notes)."""
        return (self._inputs is not None and self.latency_s == 0.0 and self.feed_latency_s == 0.0
                and self.fills.unchanged_quote_is_noop)

    # -- what feeds call ---------------------------------------------------------------------------------------

    def set_mid(self, mid: float) -> None:
        """The mid moves to ``mid`` now: record a mark and, if the strategy wants it, requote."""
        if self._parked_at is not None:
            self._wake()
        state = self.state
        state.time = now = self.scheduler.now
        state.mid = mid
        inventory, cash = state.inventory, state.cash
        self._append_mark((self.path, now, mid, inventory, cash, mark_to_market(inventory, cash, mid)))
        if self._view is not state:
            self._seen.append((now, mid, state.best_bid, state.best_ask, state.best_bid_size, state.best_ask_size))
            if self._requote_on_tick or not self._started:
                self._started = True
                self.scheduler.schedule(now + self.feed_latency_s, STRATEGY, self._request_seen)
        elif self._requote_on_tick or not self._started:
            self._started = True
            self.request_quote()

    def set_book(self, best_bid: float, best_ask: float, bid_size: float = _NAN, ask_size: float = _NAN) -> None:
        """The market's best bid and ask (and the sizes displayed there, when known) change now; the mid becomes
        their average. The fill model's ``on_book`` hook sees the new book before the mid moves."""
        if self._parked_at is not None:
            self._wake()
        state = self.state
        now = self.scheduler.now
        if now != self._instant:  # the first book change of this instant: keep the touch it started with
            self._instant = now
            self._touch_bid, self._touch_ask = state.best_bid, state.best_ask
        state.best_bid = best_bid
        state.best_ask = best_ask
        state.best_bid_size = bid_size
        state.best_ask_size = ask_size
        self.changes += 1
        self.fills.on_book()
        mid = 0.5 * (best_bid + best_ask)
        if mid != state.mid:
            self.set_mid(mid)
        elif self._view is not state:
            self._seen.append((now, mid, best_bid, best_ask, bid_size, ask_size))

    def market_order(self, side: int, size: float, depth: float | None = None, price: float | None = None) -> None:
        """A market order of ``size`` by an aggressor on ``side`` (BUY or SELL) arrives now."""
        self.fills.on_market_order(side, size, depth, price)

    def touch(self, side: int) -> float | None:
        """The market's best price on ``side`` (BID or ASK) as this instant began, before any book change at it
        (a sweep through several levels at one instant moves the best; this is where it started)."""
        if self._instant == self.scheduler.now:
            return self._touch_bid if side == BID else self._touch_ask
        return self.state.best_bid if side == BID else self.state.best_ask

    def order_event(self, kind: int, side: int, price: float, size: float, seq: int) -> None:
        """An order-level event of a full-depth replay (see :meth:`engine.fill_model.FillRun.on_order`)."""
        self.fills.on_order(kind, side, price, size, seq)

    # -- what resting quotes call ------------------------------------------------------------------------------

    def _record(self, quote: RestingQuote, filled: float) -> None:
        """``quote`` (a side of our quote) just filled ``filled``: book it and tell the strategy."""
        side, price = quote.side, quote.price
        if quote.left <= 0.0:  # fully filled: the side is empty (unless a newer quote already replaced it)
            if side == BID:
                if self.bid is quote:
                    self.bid = None
            elif self.ask is quote:
                self.ask = None
        if self._parked_at is not None:
            self._wake()
        self._asked = None  # a fill is news to the strategy (on_fill), even one that leaves every input as it was
        state = self.state
        now = state.time = self.scheduler.now
        fee = 0.0 if self._fees_zero else self.fees.on(price, filled)
        state.inventory, state.cash = inventory, cash = book_fill(state.inventory, state.cash, side, price, filled,
                                                                   fee)
        self.fill_count += 1
        self.changes += 1
        mid = state.mid
        # tuple.__new__ builds the Fill twice as fast as its NamedTuple constructor.
        fill = _new_tuple(Fill, (now, side, price, filled, mid, fee, inventory, cash))
        self._append_fill((self.path, now, side, price, filled, mid, fee, inventory, cash))
        try:
            self.strategy.on_fill(fill)
        except (Exception, SystemExit) as exc:  # sys.exit() in a strategy must not end the program quietly
            raise StrategyError(f"strategy {self._name} raised in on_fill at t={now:.6g}: {exc!r}") from exc
        if self._requote_on_fill:
            self.request_quote()

    # -- quoting -----------------------------------------------------------------------------------------------

    def request_quote(self) -> None:
        """Ask the strategy for a new quote at the end of this instant (once, however often it is asked)."""
        if not self._quote_requested:
            self._quote_requested = True
            scheduler = self.scheduler
            scheduler.schedule(scheduler.now, STRATEGY, self._requote)

    def _request_seen(self, _=None) -> None:
        self.request_quote()

    def _seen_state(self, now: float) -> MarketState | None:
        """The market as the strategy sees it at ``now`` with market-data latency (``None``: nothing seen yet)."""
        seen, view, state = self._seen, self._view, self.state
        cutoff = now - self.feed_latency_s
        while len(seen) > 1 and seen[1][0] <= cutoff:
            seen.popleft()
        if not seen or seen[0][0] > cutoff:
            return None
        _, view.mid, view.best_bid, view.best_ask, view.best_bid_size, view.best_ask_size = seen[0]
        view.time, view.horizon, view.inventory, view.cash = now, state.horizon, state.inventory, state.cash
        return view

    def _on_timer(self, _=None) -> None:
        scheduler, state = self.scheduler, self.state
        now = scheduler.now
        if now > state.horizon:  # a replay ended after this tick was scheduled: stop
            return
        requote, interval, inputs = self._requote, self._requote_interval, self._inputs
        # What the heap would run next runs here while nothing else is due before it (counted as the events they
        # would have been): the requote a tick asks for, and the next tick itself when no market data comes
        # first. Most ticks of a replayed day then cost no push and no pop.
        first = scheduler.comes_first(now, STRATEGY)
        while True:
            if self._started and not self._quote_requested:
                if first:
                    scheduler.events += 1
                    if (inputs is not None and inputs(state) == self._asked
                            and (now < self.trade_from) == self._asked_early):
                        self.requotes_skipped += 1
                        if now >= self.trade_from:
                            # Nothing the strategy reads moves before the next book change or fill: the timer
                            # stops here, and the first of them restarts it (_wake), counting the ticks between.
                            self._parked_at = now
                            return
                    else:
                        requote()
                else:
                    self.request_quote()
            now += interval
            if now > state.horizon:
                scheduler.schedule(now, STRATEGY, self._on_timer)
                return
            if not scheduler.run_now_or_schedule(now, STRATEGY, self._on_timer):
                return
            first = True  # the tick came first: so does the requote it asks for, at the same instant

    def _wake(self) -> None:
        """The first book change or fill since the timer stopped (at ``_parked_at``, on a tick that showed the
        strategy nothing new): count the ticks that fell before now as the tick and requote events they would
        have been (each would have seen nothing new either), and schedule the next one."""
        tick = self._pass_idle_ticks(self.scheduler.now)
        self.scheduler.schedule(tick, STRATEGY, self._on_timer)

    def _unpark_at_end(self, past_horizon: bool) -> None:
        """The run ended with the timer stopped: count the ticks up to the horizon as the events they would have
        been. A horizon learnt while running (a replay's last row) would also have run the first tick past it,
        which found the data ended: count it too, and leave the clock where it would have left it."""
        tick = self._pass_idle_ticks(math.nextafter(self.state.horizon, math.inf))  # the ticks at or before it
        if past_horizon:
            self.scheduler.events += 1
            self.scheduler.now = tick

    def _pass_idle_ticks(self, until: float) -> float:
        """Count the ticks after ``_parked_at`` and before ``until`` as skipped requotes (two events each: the
        tick and its requote), restart the timer, and return the time of the first tick at or after ``until``.
        The ticks are added up as the running timer adds them, so they fall on the same floats."""
        tick, skipped, interval = self._parked_at + self._requote_interval, 0, self._requote_interval
        while tick < until:
            skipped += 1
            tick += interval
        self._parked_at = None
        self.requotes_skipped += skipped
        self.scheduler.events += 2 * skipped
        return tick

    def _requote(self, _=None) -> None:
        self._quote_requested = False
        state = self.state
        state.time = now = self.scheduler.now
        if self._view is not state:
            state = self._seen_state(now)
            if state is None:
                return
        if self._inputs is not None:
            self._asked, self._asked_early = self._inputs(state), now < self.trade_from
        quote = ask_quote(self.strategy, state, self._name)
        if now < self.trade_from:
            quote = _WITHHELD  # the warm-up: asked, so it learns, but nothing is sent
        if quote == self._last_quote:
            entry = self._last_entry  # the quote checked last time (a replay's timer mostly gets the same again)
        else:
            entry = check_quote(quote, self._name, now)
            self._last_quote, self._last_entry = quote, entry
        if self.latency_s > 0.0:
            self.scheduler.schedule(now + self.latency_s, QUOTE_LIVE, self._go_live, entry)
        else:
            self._go_live(entry)

    def _go_live(self, entry: tuple) -> None:
        entry = self.fills.on_quote_live(entry)
        if entry is None:
            return
        bid, ask, bid_size, ask_size = entry
        state = self.state
        now = self.scheduler.now
        # Each side that goes live: the old one with its new size if the price is unchanged (it keeps its place
        # in the queue), else a new one at the back of the queue. Written out per side: this runs per requote.
        old = self.bid
        if bid is None:
            self.bid = None
        elif old is not None and old.price == bid:
            old.left = bid_size
        else:
            self.bid = RestingQuote(BID, bid, bid_size, now, self._on_fill)
        old = self.ask
        if ask is None:
            self.ask = None
        elif old is not None and old.price == ask:
            old.left = ask_size
        else:
            self.ask = RestingQuote(ASK, ask, ask_size, now, self._on_fill)
        self._append_quote((self.path, now, _NAN if bid is None else bid,
                            _NAN if ask is None else ask, bid_size, ask_size, state.mid, state.inventory))

    def _mark(self) -> None:
        state = self.state
        self._append_mark((self.path, state.time, state.mid, state.inventory, state.cash,
                           mark_to_market(state.inventory, state.cash, state.mid)))
