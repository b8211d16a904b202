"""The summary of one replay: P&L split into spread capture, inventory P&L and fees, plus fill and inventory figures.

``_attribute`` is a stop-gap for the full attribution of :mod:`analytics.attribution` (built separately, with
``attribute(ledger)``); at merge the summary should call that instead.
"""

from __future__ import annotations

import numpy as np

from engine import Ledger


def _attribute(ledger: Ledger) -> dict[str, float]:
    """P&L of a one-path ledger and its split, ``pnl = spread_capture + inventory_pnl - fees``.

    * spread capture: each fill's edge against the mid when it filled, times its size,
      ``sum side * (mid - price) * size``;
    * inventory P&L: the inventory held through each move of the mid, ``sum q * dmid`` over the marks;
    * fees: what the fills paid (negative for rebates).

    The identity is exact in real arithmetic because every fill records the mid in force when it happened and
    the marks record every change of the mid with the inventory held through it.
    """
    fills, marks = ledger.fills, ledger.marks
    side, price, size, mid = (fills[c].to_numpy() for c in ("side", "price", "size", "mid"))
    spread_capture = float(np.sum(side * (mid - price) * size))
    fees = float(fills["fee"].sum())
    mark_mid, mark_q = marks["mid"].to_numpy(), marks["inventory"].to_numpy()
    inventory_pnl = float(np.sum(mark_q[1:] * np.diff(mark_mid)))
    mtm = marks["mtm"].to_numpy()
    pnl = float(mtm[-1] - mtm[0]) if len(mtm) else 0.0
    return {"pnl": pnl, "spread_capture": spread_capture, "inventory_pnl": inventory_pnl, "fees": fees}


def replay_summary(ledger: Ledger) -> dict[str, float]:
    """The figures ``mmsim replay`` reports for a one-path ledger.

    Returns
    -------
    dict
        ``pnl``, ``spread_capture``, ``inventory_pnl``, ``fees`` (see :func:`_attribute`); ``fills``;
        ``volume`` (shares traded); ``notional`` (value traded); ``buys``, ``sells`` (fills on each side);
        ``final_inventory``; ``max_abs_inventory``; ``start``, ``end`` (first and last mark times); ``quotes``
        (quotes that went live).
    """
    fills, marks = ledger.fills, ledger.marks
    out = _attribute(ledger)
    inventory = fills["inventory"].to_numpy()
    out.update({
        "fills": int(len(fills)),
        "volume": float(fills["size"].sum()),
        "notional": float((fills["price"] * fills["size"]).sum()),
        "buys": int((fills["side"] > 0).sum()),
        "sells": int((fills["side"] < 0).sum()),
        "final_inventory": float(marks["inventory"].iloc[-1]) if len(marks) else 0.0,
        "max_abs_inventory": float(np.abs(inventory).max()) if len(inventory) else 0.0,
        "start": float(marks["time"].iloc[0]) if len(marks) else float("nan"),
        "end": float(marks["time"].iloc[-1]) if len(marks) else float("nan"),
        "quotes": int(len(ledger.quotes)),
    })
    return out
