"""A wrapper that gives any strategy other requote timing, leaving its quotes untouched."""

from __future__ import annotations

import math

import attrs

from engine import Fill, MarketState, Quote
from engine.errors import optional_positive
from strategies.base import Strategy

_NOTHING = Quote(None, None)


@attrs.define
class Retimed(Strategy):
    """Quote exactly what ``inner`` quotes, but requote on this timer and these events.

    The replay uses it to requote every strategy (shipped or a user's subclass, unchanged) every ``--requote-ms``
    of data time.

    Parameters
    ----------
    inner : Strategy
        The strategy whose ``quote``, ``on_fill`` and ``name`` are used.
    requote_interval_s : float or None
        Requote timer period in the feed's time unit (> 0), or ``None`` for no timer.
    requote_on_tick : bool
        Requote each time the mid moves.
    requote_on_fill : bool
        Requote after each fill.
    trade_from : float
        Send no quote before this time (a warm-up): ``inner`` is still asked, so it learns from the data (an
        online volatility estimate, say), but what it quotes is withheld. Default: trade from the start.
    """

    inner: Strategy
    requote_interval_s: float | None = attrs.field(default=None, validator=optional_positive)
    requote_on_tick: bool = attrs.field(default=False, converter=bool)
    requote_on_fill: bool = attrs.field(default=True, converter=bool)
    trade_from: float = attrs.field(default=-math.inf, converter=float)

    @property
    def name(self) -> str:
        return getattr(self.inner, "name", None) or type(self.inner).__name__

    def quote(self, state: MarketState) -> Quote:
        quote = self.inner.quote(state)
        return quote if state.time >= self.trade_from else _NOTHING

    def on_fill(self, fill: Fill) -> None:
        self.inner.on_fill(fill)
