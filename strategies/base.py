"""The base class every strategy subclasses."""

from __future__ import annotations

from engine import Fill, MarketState, Quote


class Strategy:
    """A market-making strategy: given the market state, say where to quote.

    Subclass it and write :meth:`quote`; optionally :meth:`on_fill`. Class attributes set when it requotes:

    Attributes
    ----------
    requote_on_tick : bool
        Requote every time the mid moves (default ``True``).
    requote_on_fill : bool
        Requote after each of our fills (default ``True``).
    requote_interval_s : float or None
        Also requote on a timer with this period, in the feed's time unit (default ``None``: no timer).
    name : str or None
        Name in tables and errors (default: the class name).
    quote_inputs : tuple of str or None
        The :class:`MarketState` fields the quote depends on (default ``None``: any of them, the clock
        included). Listing them is a promise: when none of them has changed since the strategy was last asked,
        :meth:`quote` returns the same quote again and changes nothing in the strategy. A replay without latency
        then skips the timer's requotes that would show the strategy nothing new, most of a day's (see
        ``docs/replay.md``). A strategy whose quote moves with the clock (a finite horizon, an estimate that
        decays between prices) must leave it ``None``. A subclass that overrides ``quote`` must restate it: the
        parent's promise is not taken for the subclass (:func:`engine.quote_inputs_of`).

    Notes
    -----
    One instance runs one path; a Monte Carlo run deep-copies the instance it is given for every path, so state
    kept on ``self`` starts afresh on each path. ``state`` is updated in place by the simulation: copy what you
    want to keep. If the strategy raises, or returns a quote that is crossed (bid >= ask) or not finite, the run
    stops with a :class:`engine.StrategyError` naming the strategy and the simulated time.
    """

    requote_on_tick: bool = True
    requote_on_fill: bool = True
    requote_interval_s: float | None = None
    name: str | None = None
    quote_inputs: tuple[str, ...] | None = None

    def quote(self, state: MarketState) -> Quote:
        """Return the quote to rest in the book now.

        Parameters
        ----------
        state : MarketState
            ``time``, ``time_left``, ``mid``, ``inventory``, ``cash`` and, when the feed knows them,
            ``best_bid`` and ``best_ask``.

        Returns
        -------
        Quote
            ``Quote(bid=..., ask=...)``; a side set to ``None`` is withdrawn. Optional ``bid_size`` and
            ``ask_size`` (default 1).
        """
        raise NotImplementedError(f"{type(self).__name__} must define quote(self, state)")

    def on_fill(self, fill: Fill) -> None:
        """Called after each fill of our quote, before the requote it triggers. Does nothing by default."""
