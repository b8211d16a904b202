"""The Avellaneda-Stoikov (2008) finite-horizon quotes."""

from __future__ import annotations

import math

import attrs

from engine import ConfigError, MarketState, Quote
from engine.errors import non_negative, positive
from strategies.base import Strategy

_INF = math.inf
_new_tuple = tuple.__new__


@attrs.frozen
class AvellanedaStoikov(Strategy):
    """Quotes around the reservation price with the optimal total spread (exponential utility, finite horizon).

    With ``tau = T - t`` the time left, ``q`` the inventory and ``s`` the mid:

    * reservation (indifference) price ``r = s - q gamma sigma^2 tau``;
    * total spread ``gamma sigma^2 tau + (2 / gamma) ln(1 + gamma / k)``;
    * quotes ``bid = r - spread / 2``, ``ask = r + spread / 2``.

    Parameters
    ----------
    gamma : float
        Risk aversion (> 0), per currency unit.
    sigma : float
        Volatility the strategy assumes, price units per square-root time unit (>= 0).
    k : float
        Order-book depth decay the strategy assumes, per price unit (> 0).
    order_size : float
        Size of each side of the quote.

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
    _base_spread: float = attrs.field(init=False, repr=False)

    name = "avellaneda-stoikov"

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_risk", self.gamma * self.sigma**2)
        object.__setattr__(self, "_base_spread", 2.0 / self.gamma * math.log1p(self.gamma / self.k))

    def reservation_price(self, mid, inventory, time_left):
        """``r = s - q gamma sigma^2 (T - t)``."""
        return mid - inventory * self._risk * time_left

    def spread(self, time_left):
        """Total spread ``gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k)``."""
        return self._risk * time_left + self._base_spread

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
        risk, size = self._risk, self.order_size
        r = state.mid - state.inventory * risk * time_left
        half = 0.5 * (risk * time_left + self._base_spread)
        # tuple.__new__ builds the Quote twice as fast as its NamedTuple constructor: this runs on every requote.
        return _new_tuple(Quote, (r - half, r + half, size, size))
