"""The Avellaneda-Stoikov (2008) finite-horizon quotes."""

from __future__ import annotations

import math

import attrs

from engine import ConfigError, MarketState, Quote
from engine.errors import non_negative, positive
from strategies.base import Strategy

_INF = math.inf
_new_tuple = tuple.__new__


def flow_spread(g: float, k: float) -> float:
    """The part of the Avellaneda-Stoikov spread the order flow asks for, ``(2 / g) ln(1 + g / k)``, with ``g``
    the risk aversion per lot (``gamma * order_size``)."""
    return 2.0 / g * math.log1p(g / k)


@attrs.frozen
class AvellanedaStoikov(Strategy):
    """Quotes around the reservation price with the optimal total spread (exponential utility, finite horizon).

    With ``tau = T - t`` the time left, ``q`` the inventory in shares, ``s`` the mid and ``g = gamma Delta`` the
    risk aversion per lot of ``Delta = order_size`` shares (the lot convention of ``docs/model.md``):

    * reservation (indifference) price ``r = s - q gamma sigma^2 tau``;
    * total spread ``g sigma^2 tau + (2 / g) ln(1 + g / k)``;
    * quotes ``bid = r - spread / 2``, ``ask = r + spread / 2``.

    With lots of one share (the default) these are the paper's formulas as printed.

    Parameters
    ----------
    gamma : float
        Risk aversion (> 0), per currency unit.
    sigma : float
        Volatility the strategy assumes, price units per square-root time unit (>= 0).
    k : float
        Order-book depth decay the strategy assumes, per price unit (> 0).
    order_size : float
        Size of each side of the quote, the lot ``Delta`` (> 0).

    Notes
    -----
    The quote maths uses only arithmetic, so ``state.mid`` and ``state.inventory`` may be numpy arrays over
    paths (the vectorised Monte Carlo engine) as well as floats.
    """

    gamma: float = attrs.field(default=0.1, converter=float, validator=positive)
    sigma: float = attrs.field(default=2.0, converter=float, validator=non_negative)
    k: float = attrs.field(default=1.5, converter=float, validator=positive)
    order_size: float = attrs.field(default=1.0, converter=float, validator=positive)
    _risk: float = attrs.field(init=False, repr=False)
    _lot_risk: float = attrs.field(init=False, repr=False)
    _base_spread: float = attrs.field(init=False, repr=False)

    name = "avellaneda-stoikov"

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_risk", self.gamma * self.sigma**2)
        object.__setattr__(self, "_lot_risk", self.gamma * self.order_size * self.sigma**2)
        object.__setattr__(self, "_base_spread", flow_spread(self.gamma * self.order_size, self.k))

    def reservation_price(self, mid, inventory, time_left):
        """``r = s - q gamma sigma^2 (T - t)``."""
        return mid - inventory * self._risk * time_left

    def spread(self, time_left):
        """Total spread ``g sigma^2 (T - t) + (2 / g) ln(1 + g / k)``, ``g = gamma * order_size``."""
        return self._lot_risk * time_left + self._base_spread

    def average_spread(self, T: float, dt: float | None = None) -> float:
        """Time average of :meth:`spread` over a horizon ``T``.

        With ``dt`` the quotes are set at ``0, dt, ..., T - dt`` and held for a step, so the average time left is
        ``(T + dt) / 2``; without it the average is over continuous time, ``T / 2``.
        """
        mean_left = 0.5 * (T + (dt or 0.0))
        return self.spread(mean_left)

    def quote(self, state: MarketState) -> Quote:
        time_left = state.horizon - state.time
        if time_left == _INF:
            raise ConfigError("AvellanedaStoikov needs a finite horizon (the feed gave none)")
        if time_left < 0.0:
            time_left = 0.0
        size = self.order_size
        r = state.mid - state.inventory * self._risk * time_left
        half = 0.5 * (self._lot_risk * time_left + self._base_spread)
        # tuple.__new__ builds the Quote twice as fast as its NamedTuple constructor: this runs on every requote.
        return _new_tuple(Quote, (r - half, r + half, size, size))
