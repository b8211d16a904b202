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
    Finance 8 (2008) 217-224, replaces the terminal time by a discount ``omega``: with no quoting the value is
    ``v(x, s, q) = -exp(-gamma (x + q s)) / (omega - gamma^2 sigma^2 q^2 / 2)``. The reservation prices solve the
    indifference conditions ``v(x - Delta r_b, s, q + Delta) = v(x, s, q)`` and ``v(x + Delta r_a, s, q - Delta)
    = v(x, s, q)`` for one lot of ``Delta = order_size`` shares. With ``n = q / Delta`` the inventory in lots
    and ``g = gamma Delta`` (the lot convention of ``docs/model.md``):

    * ``r_b = s + (1/g) ln(1 - (2n + 1) g^2 sigma^2 / (2 omega - g^2 sigma^2 n^2))``;
    * ``r_a = s - (1/g) ln(1 + (2n - 1) g^2 sigma^2 / (2 omega - g^2 sigma^2 n^2))``;

    and the quotes ``bid = r_b - (1/g) ln(1 + g/k)``, ``ask = r_a + (1/g) ln(1 + g/k)``, mirror images:
    ``ask(q) - s = s - bid(-q)``. (The paper prints ``r_a = s + (1/gamma) ln(1 + (1 - 2q) ...)``, which breaks
    its own indifference condition; the solution is the one above.) They are defined for
    ``omega > g^2 sigma^2 n^2 / 2``; the paper's choice ``omega = g^2 sigma^2 (Q/Delta + 1)^2 / 2`` (the default
    here) keeps them finite for every ``|q| <= Q``, and at ``q = Q`` the bid's logarithm reaches ``ln 0`` (at
    ``q = -Q`` the ask's): that side is withdrawn, as is any side whose fill would take ``|q|`` past ``Q``.

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
        Discount rate per time unit (> 0); ``None``: ``g^2 sigma^2 (Q / order_size + 1)^2 / 2``.
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
    _g: float = attrs.field(init=False, repr=False)
    _g2s2: float = attrs.field(init=False, repr=False)
    _two_omega: float = attrs.field(init=False, repr=False)
    _base: float = attrs.field(init=False, repr=False)

    name = "as-infinite"
    quote_inputs = ("inventory", "mid")

    def __attrs_post_init__(self) -> None:
        g = self.gamma * self.order_size  # risk aversion per lot
        g2s2 = (g * self.sigma) ** 2
        omega = self.omega if self.omega is not None else 0.5 * g2s2 * (self.max_inventory / self.order_size + 1) ** 2
        if not math.isfinite(omega) or omega <= 0:
            raise ConfigError(f"omega must be a finite number > 0, got {omega!r}")
        object.__setattr__(self, "_g", g)
        object.__setattr__(self, "_g2s2", g2s2)
        object.__setattr__(self, "_two_omega", 2.0 * omega)
        object.__setattr__(self, "_base", math.log1p(g / self.k) / g)

    @property
    def omega_used(self) -> float:
        """The discount rate in force (``omega``, or the default derived from ``max_inventory``)."""
        return 0.5 * self._two_omega

    def reservation_prices(self, mid, inventory):
        """``(r_b, r_a)`` at this mid and inventory (shares); NaN where the logarithm is undefined.

        Floats or numpy arrays over paths.
        """
        n = np.asarray(inventory, dtype=float) / self.order_size
        denominator = self._two_omega - self._g2s2 * n * n
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = denominator > 0.0
            arg_b = np.where(ok, 1.0 - (2.0 * n + 1.0) * self._g2s2 / denominator, np.nan)
            arg_a = np.where(ok, 1.0 + (2.0 * n - 1.0) * self._g2s2 / denominator, np.nan)
            r_b = mid + np.where(arg_b > 0.0, np.log(arg_b), np.nan) / self._g
            r_a = mid - np.where(arg_a > 0.0, np.log(arg_a), np.nan) / self._g
        if np.ndim(r_b) == 0:
            return float(r_b), float(r_a)
        return r_b, r_a

    def quote(self, state: MarketState) -> Quote:
        inventory, size = state.inventory, self.order_size
        r_b, r_a = self.reservation_prices(state.mid, inventory)
        bid, ask = r_b - self._base, r_a + self._base
        if np.ndim(inventory) == 0:
            bid = None if bid != bid else bid
            ask = None if ask != ask else ask
        return withdraw_beyond(inventory, self.max_inventory, bid, ask, size, size)
