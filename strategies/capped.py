"""A wrapper that keeps any strategy inside an inventory limit."""

from __future__ import annotations

import attrs
import numpy as np

from engine import Fill, MarketState, Quote, quote_inputs_of
from engine.errors import positive
from strategies.base import Strategy


def withdraw_beyond(inventory, cap: float, bid, ask, bid_size, ask_size) -> Quote:
    """The quote with each side withdrawn whose full fill would take ``|inventory|`` past ``cap``.

    ``inventory`` and the prices may be floats (a withdrawn side is ``None``) or numpy arrays over paths (a
    withdrawn side is NaN on that path).
    """
    if np.ndim(inventory) == 0:
        if bid is not None and inventory + bid_size > cap:
            bid = None
        if ask is not None and inventory - ask_size < -cap:
            ask = None
    else:
        bid = np.where(inventory + bid_size > cap, np.nan, bid)
        ask = np.where(inventory - ask_size < -cap, np.nan, ask)
    return Quote(bid, ask, bid_size, ask_size)


@attrs.define
class InventoryCapped(Strategy):
    """Quote what ``inner`` quotes, but withdraw a side whose full fill would take ``|inventory|`` past
    ``max_inventory``.

    Parameters
    ----------
    inner : Strategy
        The strategy whose quotes are capped; its requote settings and ``on_fill`` are used.
    max_inventory : float
        Largest absolute inventory allowed (> 0).

    Notes
    -----
    The check is made when the quote is computed. With an order-entry latency a quote sent earlier can still
    fill after the inventory has moved, so the cap holds exactly only with zero latency.
    """

    inner: Strategy
    max_inventory: float = attrs.field(default=5.0, converter=float, validator=positive)

    @property
    def name(self) -> str:
        inner = getattr(self.inner, "name", None) or type(self.inner).__name__
        return "inventory-capped" if inner == "naive" else f"capped-{inner}"

    @property
    def requote_on_tick(self) -> bool:
        return self.inner.requote_on_tick

    @property
    def requote_on_fill(self) -> bool:
        return self.inner.requote_on_fill

    @property
    def requote_interval_s(self) -> float | None:
        return self.inner.requote_interval_s

    @property
    def quote_inputs(self) -> tuple[str, ...] | None:
        inner = quote_inputs_of(self.inner)
        return None if inner is None else tuple(sorted({*inner, "inventory"}))

    def quote(self, state: MarketState) -> Quote:
        return withdraw_beyond(state.inventory, self.max_inventory, *self.inner.quote(state))

    def on_fill(self, fill: Fill) -> None:
        self.inner.on_fill(fill)
