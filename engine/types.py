"""The small value types every layer shares: sides, quotes, fills, fees and the state a strategy sees."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs

from engine.errors import finite

#: Side of our own resting quote that filled, and sign of the inventory change: the bid filled, we bought.
BID = 1
#: The ask filled, we sold.
ASK = -1

#: Aggressor side of a market order. A buy market order lifts asks (ours included); a sell hits bids.
BUY = 1
SELL = -1


class Quote(NamedTuple):
    """What a strategy wants resting in the book: a bid and an ask price, either side ``None`` to withdraw it.

    In the vectorised Monte Carlo engine ``bid`` and ``ask`` may be arrays over paths; there a NaN entry
    withdraws that side on that path.
    """

    bid: Any
    ask: Any
    bid_size: float = 1.0
    ask_size: float = 1.0


class Fill(NamedTuple):
    """One execution of our resting quote.

    ``side`` is :data:`BID` (+1, we bought) or :data:`ASK` (-1, we sold); ``mid`` is the mid when it filled;
    ``fee`` is what we paid (negative for a rebate); ``inventory`` and ``cash`` are after the fill.
    """

    time: float
    side: int
    price: float
    size: float
    mid: float
    fee: float
    inventory: float
    cash: float


class MarketState:
    """What a strategy sees when it quotes. The simulation updates one instance in place: copy what you keep.

    Attributes
    ----------
    time : float
        Simulated time, in the feed's time unit (seconds for replayed data).
    horizon : float
        Time of the end of the trading horizon (``inf`` when there is none).
    mid : float or ndarray
        Mid price (an array over paths in the vectorised engine).
    inventory : float or ndarray
        Signed position.
    cash : float or ndarray
        Cash account.
    best_bid, best_ask : float or None
        The market's best prices, when the feed knows them (replay); ``None`` in a synthetic market.
    best_bid_size, best_ask_size : float or None
        Displayed size at the best prices, when the feed knows them (NaN if the feed gives prices only).
    """

    __slots__ = ("time", "horizon", "mid", "inventory", "cash", "best_bid", "best_ask", "best_bid_size",
                 "best_ask_size")

    def __init__(self, time=0.0, horizon=math.inf, mid=math.nan, inventory=0.0, cash=0.0,
                 best_bid=None, best_ask=None, best_bid_size=None, best_ask_size=None) -> None:
        self.time = time
        self.horizon = horizon
        self.mid = mid
        self.inventory = inventory
        self.cash = cash
        self.best_bid = best_bid
        self.best_ask = best_ask
        self.best_bid_size = best_bid_size
        self.best_ask_size = best_ask_size

    @property
    def time_left(self) -> float:
        """Time to the horizon, ``horizon - time`` (never negative; ``inf`` without a horizon)."""
        return max(self.horizon - self.time, 0.0)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"MarketState({fields})"


@attrs.frozen
class Fees:
    """Fees charged on each fill: ``bps`` of the traded value plus ``per_unit`` per unit traded.

    Negative values are rebates (a maker rebate is the usual case).
    """

    bps: float = attrs.field(default=0.0, converter=float, validator=finite)
    per_unit: float = attrs.field(default=0.0, converter=float, validator=finite)

    def on(self, price: float, size: float) -> float:
        """The fee for trading ``size`` at ``price``."""
        return abs(price) * size * self.bps * 1e-4 + size * self.per_unit

    @property
    def zero(self) -> bool:
        return self.bps == 0.0 and self.per_unit == 0.0
