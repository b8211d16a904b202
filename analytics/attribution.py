"""P&L attribution: where the mark-to-market P&L of each path came from.

With ``S`` the mid, ``q`` the inventory and ``mtm = cash + q S``, the mark-to-market changes only at two kinds of
event, and each change goes to one component:

* a fill of ``size`` at ``price`` on ``side`` (+1 our bid, -1 our ask) with the mid at ``S``: ``cash`` changes by
  ``-side * price * size - fee`` and ``q S`` by ``side * size * S``, so ``mtm`` changes by
  ``side * (S - price) * size - fee``: **spread capture** (the edge against the mid; for a bid fill
  ``S - price``, for an ask fill ``price - S``) minus **fees** (negative for a rebate);
* a change of the mid from ``S`` to ``S'`` with inventory ``q``: ``mtm`` changes by ``q (S' - S)``:
  **inventory P&L**.

Hence the identity ``pnl = spread_capture + inventory_pnl - fees = mtm_end - mtm_start``, exact up to floating
point rounding. It rests on two properties of :class:`engine.Simulation` that the attribution relies on: every
change of the mid goes through ``set_mid``, which records a mark at once (with the inventory held during the
move), and each fill records the mid in force when it happened.
"""

from __future__ import annotations

import numpy as np

from analytics.series import by_path
from engine import ConfigError, Ledger
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

#: The components, in the order they add up to the P&L (fees are subtracted).
COMPONENTS = ("spread_capture", "inventory_pnl", "fees")


def attribute(ledger: Ledger) -> pd.DataFrame:
    """Attribute each path's mark-to-market P&L to spread capture, inventory P&L and fees.

    ``spread_capture = sum over fills of side * (mid_fill - price) * size``;
    ``inventory_pnl = sum over marks j of q_j (S_j - S_{j-1})`` (``q_j`` is the inventory recorded with mark
    ``j``, the one held while the mid moved); ``fees = sum over fills of fee``; ``pnl = mtm_last - mtm_first``;
    ``residual = pnl - (spread_capture + inventory_pnl - fees)``, zero up to rounding.

    Parameters
    ----------
    ledger : Ledger
        A run's tables; the rows of a path in the order recorded.

    Returns
    -------
    DataFrame
        Indexed by path: ``spread_capture``, ``inventory_pnl``, ``fees``, ``pnl``, ``residual``.

    Raises
    ------
    ConfigError
        If the ledger has no marks.
    """
    marks = by_path(ledger.marks)
    if marks.empty:
        raise ConfigError("the ledger has no marks: nothing was simulated")
    path = marks["path"]
    mid_change = marks["mid"].groupby(path).diff().fillna(0.0)
    grouped = marks.groupby("path")
    out = pd.DataFrame(index=grouped.size().index)

    fills = ledger.fills
    edge = fills["side"] * (fills["mid"] - fills["price"]) * fills["size"]
    out["spread_capture"] = edge.groupby(fills["path"]).sum().reindex(out.index, fill_value=0.0)
    out["inventory_pnl"] = (marks["inventory"] * mid_change).groupby(path).sum()
    out["fees"] = fills["fee"].groupby(fills["path"]).sum().reindex(out.index, fill_value=0.0)
    out["pnl"] = grouped["mtm"].last() - grouped["mtm"].first()
    out["residual"] = out["pnl"] - (out["spread_capture"] + out["inventory_pnl"] - out["fees"])
    return out.rename_axis("path")


def attribution_summary(per_path: pd.DataFrame) -> pd.DataFrame:
    """Across paths: mean, standard error of the mean and total of each component and of the P&L.

    Parameters
    ----------
    per_path : DataFrame
        From :func:`attribute`.

    Returns
    -------
    DataFrame
        Index ``spread_capture``, ``inventory_pnl``, ``fees``, ``pnl``; columns ``mean``, ``se``
        (``std / sqrt(paths)``, ddof = 1; NaN for one path) and ``total``.
    """
    columns = [*COMPONENTS, "pnl"]
    frame = per_path[columns]
    n = len(frame)
    se = frame.std(ddof=1) / np.sqrt(n) if n > 1 else pd.Series(np.nan, index=columns)
    return pd.DataFrame({"mean": frame.mean(), "se": se, "total": frame.sum()})
