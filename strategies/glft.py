"""The Gueant-Lehalle-Fernandez-Tapia (2013) closed-form asymptotic quotes, with an inventory limit."""

from __future__ import annotations

import math

import attrs

from engine import MarketState, Quote
from engine.errors import non_negative, positive
from strategies.base import Strategy
from strategies.capped import withdraw_beyond


@attrs.frozen
class GLFT(Strategy):
    """The asymptotic (long-horizon) optimal quotes of Gueant, Lehalle and Fernandez-Tapia (2013).

    With ``s`` the mid, ``n = q / Delta`` the inventory in lots of ``Delta = order_size`` shares, ``g = gamma
    Delta`` (the lot convention of ``docs/model.md``) and ``A exp(-k delta)`` the arrival rate of orders of one
    lot that reach ``delta``, the bid is ``s - delta_b(q)`` and the ask ``s + delta_a(q)`` with

    * ``delta_b(q) = (1/g) ln(1 + g/k) + (2n + 1)/2 * c``;
    * ``delta_a(q) = (1/g) ln(1 + g/k) - (2n - 1)/2 * c``;
    * ``c = sqrt(sigma^2 g / (2 k A) * (1 + g/k)^(1 + k/g))``.

    That is Gueant (2017)'s ``delta_b(q) = (1/(gamma Delta)) ln(1 + gamma Delta/k) + (2q + Delta)/2
    sqrt(gamma sigma^2 / (2 A Delta k) (1 + gamma Delta/k)^(1 + k/(gamma Delta)))`` with ``q`` in shares, written
    per lot.

    These are the closed-form approximations of O. Gueant, C.-A. Lehalle and J. Fernandez-Tapia, "Dealing with the
    inventory risk: a solution to the market making problem", Mathematics and Financial Economics 7 (2013)
    477-507 (arXiv:1105.3115), Section 4 (asymptotics of the optimal quotes far from the horizon); they are the
    ``xi = gamma`` case of O. Gueant, "Optimal market making", Applied Mathematical Finance 24 (2017). Unlike
    Avellaneda-Stoikov, the quotes do not depend on the time left, and the order-arrival scale ``A`` enters.

    The inventory limit ``max_inventory`` (the paper's ``Q``) is enforced as in the paper: no bid when a full
    fill would take ``q`` above ``Q``, no ask when it would take ``q`` below ``-Q``.

    Parameters
    ----------
    gamma : float
        Risk aversion (> 0), per currency unit.
    sigma : float
        Volatility the strategy assumes, price units per square-root time unit (>= 0).
    k : float
        Depth decay of the fill intensity the strategy assumes, per price unit (> 0).
    A : float
        Market orders per time unit on each side the strategy assumes (> 0).
    max_inventory : float
        Inventory limit ``Q`` on ``|q|``, in the inventory's units (> 0).
    order_size : float
        Size of each side of the quote, the lot ``Delta`` (> 0); ``n`` in the formulas is the inventory divided
        by it.

    Notes
    -----
    The maths is arithmetic only, so ``state.mid`` and ``state.inventory`` may be numpy arrays over paths (the
    vectorised engine), where a withdrawn side is NaN.
    """

    gamma: float = attrs.field(default=0.1, converter=float, validator=positive)
    sigma: float = attrs.field(default=2.0, converter=float, validator=non_negative)
    k: float = attrs.field(default=1.5, converter=float, validator=positive)
    A: float = attrs.field(default=140.0, converter=float, validator=positive)
    max_inventory: float = attrs.field(default=10.0, converter=float, validator=positive)
    order_size: float = attrs.field(default=1.0, converter=float, validator=positive)
    _base: float = attrs.field(init=False, repr=False)
    _c: float = attrs.field(init=False, repr=False)

    name = "glft"
    quote_inputs = ("inventory", "mid")

    def __attrs_post_init__(self) -> None:
        g, k = self.gamma * self.order_size, self.k  # risk aversion per lot
        object.__setattr__(self, "_base", math.log1p(g / k) / g)
        object.__setattr__(self, "_c", math.sqrt(self.sigma**2 * g / (2.0 * k * self.A)
                                                 * (1.0 + g / k) ** (1.0 + k / g)))

    def half_spreads(self, inventory):
        """``(delta_b, delta_a)``: the distances of the bid and the ask from the mid at this inventory."""
        q = inventory / self.order_size
        return self._base + (q + 0.5) * self._c, self._base - (q - 0.5) * self._c

    def quote(self, state: MarketState) -> Quote:
        delta_b, delta_a = self.half_spreads(state.inventory)
        size = self.order_size
        return withdraw_beyond(state.inventory, self.max_inventory, state.mid - delta_b, state.mid + delta_a,
                               size, size)
