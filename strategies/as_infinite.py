"""The Avellaneda-Stoikov (2008) infinite-horizon quotes, with the discount omega."""

from __future__ import annotations

import math

import attrs
import numpy as np

from engine import ConfigError, MarketState, Quote
from engine.errors import optional_positive, positive
from strategies.base import Strategy
from strategies.capped import withdraw_beyond


@attrs.frozen
class InfiniteHorizonAS(Strategy):
    """Avellaneda and Stoikov's stationary quotes: an infinite horizon with the utility discounted at ``omega``.

    Section 2.4 of M. Avellaneda and S. Stoikov, "High-frequency trading in a limit order book", Quantitative
    Finance 8 (2008) 217-224, replaces the terminal time by a discount ``omega`` and gets the reservation bid
    and ask prices (``s`` the mid, ``q`` the inventory in lots of ``order_size``)

    * ``r_b = s + (1/gamma) ln(1 + (-1 - 2q) gamma^2 sigma^2 / (2 omega - gamma^2 q^2 sigma^2))``;
    * ``r_a = s + (1/gamma) ln(1 + (1 - 2q) gamma^2 sigma^2 / (2 omega - gamma^2 q^2 sigma^2))``;

    and the quotes ``bid = r_b - (1/gamma) ln(1 + gamma/k)``, ``ask = r_a + (1/gamma) ln(1 + gamma/k)``. They are
    defined for ``omega > gamma^2 sigma^2 q^2 / 2``; the paper's choice ``omega = gamma^2 sigma^2 (Q + 1)^2 / 2``
    (the default here) keeps them finite for every ``|q| <= Q``, and at ``q = Q`` the bid's logarithm reaches
    ``ln 0``: the bid is withdrawn there, as is any side whose fill would take ``|q|`` past ``Q``.

    Parameters
    ----------
    gamma : float
        Risk aversion (> 0), per currency unit.
    sigma : float
        Volatility the strategy assumes, price units per square-root time unit (> 0).
    k : float
        Depth decay of the fill intensity, per price unit (> 0).
    max_inventory : float
        Inventory limit ``Q`` on ``|q|``, in the inventory's units (> 0).
    omega : float or None
        Discount rate per time unit (> 0); ``None``: ``gamma^2 sigma^2 (Q / order_size + 1)^2 / 2``.
    order_size : float
        Size of each side of the quote (> 0).

    Raises
    ------
    ConfigError
        If a parameter is out of range.

    Notes
    -----
    Floats or numpy arrays over paths (the vectorised engine) both work; where the logarithm is undefined (an
    inventory beyond the range ``omega`` allows) the side is withdrawn (``None``, or NaN on that path).
    """

    gamma: float = attrs.field(default=0.1, converter=float, validator=positive)
    sigma: float = attrs.field(default=2.0, converter=float, validator=positive)
    k: float = attrs.field(default=1.5, converter=float, validator=positive)
    max_inventory: float = attrs.field(default=10.0, converter=float, validator=positive)
    omega: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                      validator=optional_positive)
    order_size: float = attrs.field(default=1.0, converter=float, validator=positive)
    _g2s2: float = attrs.field(init=False, repr=False)
    _two_omega: float = attrs.field(init=False, repr=False)
    _base: float = attrs.field(init=False, repr=False)

    name = "as-infinite"

    def __attrs_post_init__(self) -> None:
        g2s2 = (self.gamma * self.sigma) ** 2
        omega = self.omega if self.omega is not None else 0.5 * g2s2 * (self.max_inventory / self.order_size + 1) ** 2
        if not math.isfinite(omega) or omega <= 0:
            raise ConfigError(f"omega must be a finite number > 0, got {omega!r}")
        object.__setattr__(self, "_g2s2", g2s2)
        object.__setattr__(self, "_two_omega", 2.0 * omega)
        object.__setattr__(self, "_base", math.log1p(self.gamma / self.k) / self.gamma)

    @property
    def omega_used(self) -> float:
        """The discount rate in force (``omega``, or the default derived from ``max_inventory``)."""
        return 0.5 * self._two_omega

    def _arguments(self, q):
        """The arguments of the two logarithms (bid, ask) and the denominator, at inventory ``q`` in lots."""
        denominator = self._two_omega - self._g2s2 * q * q
        return (1.0 + (-1.0 - 2.0 * q) * self._g2s2 / denominator,
                1.0 + (1.0 - 2.0 * q) * self._g2s2 / denominator, denominator)

    def quote(self, state: MarketState) -> Quote:
        inventory, mid, size = state.inventory, state.mid, self.order_size
        g, base = self.gamma, self._base
        if np.ndim(inventory) == 0:
            arg_b, arg_a, denominator = self._arguments(inventory / size)
            ok = denominator > 0.0
            bid = mid + math.log(arg_b) / g - base if ok and arg_b > 0.0 else None
            ask = mid + math.log(arg_a) / g + base if ok and arg_a > 0.0 else None
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                arg_b, arg_a, denominator = self._arguments(np.asarray(inventory, dtype=float) / size)
                ok = denominator > 0.0
                bid = np.where(ok & (arg_b > 0.0), mid + np.log(arg_b) / g - base, np.nan)
                ask = np.where(ok & (arg_a > 0.0), mid + np.log(arg_a) / g + base, np.nan)
        return withdraw_beyond(inventory, self.max_inventory, bid, ask, size, size)
