"""The summary of one replay: the P&L split of :func:`analytics.attribution.attribute`, plus fill and inventory
figures, as the flat dict ``mmsim replay`` prints."""

from __future__ import annotations

import numpy as np

from analytics.attribution import COMPONENTS, attribute
from analytics.risk import turnover
from engine import Ledger


def replay_summary(ledger: Ledger) -> dict[str, float]:
    """The figures ``mmsim replay`` reports for a one-path ledger.

    Parameters
    ----------
    ledger : Ledger
        A replay's tables (one path).

    Returns
    -------
    dict
        ``pnl``, ``spread_capture``, ``inventory_pnl``, ``fees`` (:func:`analytics.attribution.attribute`:
        ``pnl = spread_capture + inventory_pnl - fees``); ``fills``; ``volume`` and ``notional`` (quantity and
        value traded, :func:`analytics.risk.turnover`); ``buys``, ``sells`` (fills on each side);
        ``final_inventory``; ``max_abs_inventory``; ``start``, ``end`` (first and last mark times); ``quotes``
        (quotes that went live).

    Raises
    ------
    ConfigError
        If the ledger has no marks (the data never quoted a mid).
    """
    fills, marks = ledger.fills, ledger.marks
    per_path = attribute(ledger)
    split, traded = per_path.iloc[0], turnover(fills, per_path.index).iloc[0]
    inventory = fills["inventory"].to_numpy()
    side = fills["side"].to_numpy()
    return {
        "pnl": float(split["pnl"]), **{c: float(split[c]) for c in COMPONENTS},
        "fills": int(len(fills)),
        "volume": float(traded["turnover"]),
        "notional": float(traded["turnover_value"]),
        "buys": int((side > 0).sum()),
        "sells": int((side < 0).sum()),
        "final_inventory": float(marks["inventory"].iloc[-1]),
        "max_abs_inventory": float(np.abs(inventory).max()) if len(inventory) else 0.0,
        "start": float(marks["time"].iloc[0]),
        "end": float(marks["time"].iloc[-1]),
        "quotes": int(len(ledger.quotes)),
    }
