"""A wrapper that gives any strategy other requote timing, leaving its quotes untouched."""

from __future__ import annotations

import attrs

from engine import Fill, MarketState, Quote, quote_inputs_of
from engine.errors import optional_positive
from strategies.base import Strategy


@attrs.define
class Retimed(Strategy):
    """Quote exactly what ``inner`` quotes, but requote on this timer and these events.

    The replay uses it to requote every strategy (shipped or a user's subclass, unchanged) every ``--requote-ms``
    of data time. A warm-up that is replayed but not traded is the run's business, not the strategy's: see
    ``trade_from`` of :class:`engine.Simulation`.

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
    """

    inner: Strategy
    requote_interval_s: float | None = attrs.field(default=None, validator=optional_positive)
    requote_on_tick: bool = attrs.field(default=False, converter=bool)
    requote_on_fill: bool = attrs.field(default=True, converter=bool)

    @property
    def name(self) -> str:
        return getattr(self.inner, "name", None) or type(self.inner).__name__

    @property
    def quote_inputs(self) -> tuple[str, ...] | None:
        return quote_inputs_of(self.inner)

    def quote(self, state: MarketState) -> Quote:
        return self.inner.quote(state)

    def on_fill(self, fill: Fill) -> None:
        self.inner.on_fill(fill)
