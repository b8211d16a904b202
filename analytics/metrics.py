"""Metrics per path and across paths, computed from a ledger's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.risk import sharpe
from analytics.series import by_path, inventory_steps, time_average
from engine import Ledger


def path_metrics(ledger: Ledger) -> pd.DataFrame:
    """One row per path.

    Columns
    -------
    pnl
        Final mark-to-market minus the first: ``cash_T + q_T S_T - (cash_0 + q_0 S_0)``.
    final_q
        Inventory at the end.
    fills
        Number of fills.
    mean_q2
        Time average of the squared inventory, ``(1/T) integral q_t^2 dt``.
    avg_spread
        Time average of the quoted spread ``ask - bid`` while both sides were live (NaN if never).
    """
    steps, _, ends = inventory_steps(ledger)
    marks = ledger.marks.groupby("path")
    first, last = marks.first(), marks.last()
    out = pd.DataFrame({"pnl": last["mtm"] - first["mtm"], "final_q": last["inventory"]})
    out["fills"] = ledger.fills.groupby("path").size().reindex(out.index, fill_value=0)
    out["mean_q2"] = time_average(steps, steps["inventory"] ** 2, ends).reindex(out.index)

    quotes = by_path(ledger.quotes)
    two_sided = (quotes["ask"] - quotes["bid"])  # NaN where a side is withdrawn
    if quotes.empty:
        out["avg_spread"] = np.nan
    else:
        live = two_sided.notna()
        spread = time_average(quotes, two_sided.fillna(0.0), ends)
        share = time_average(quotes, live.astype(float), ends)
        out["avg_spread"] = (spread / share.where(share > 0)).reindex(out.index)
    return out


def summarize(per_path: pd.DataFrame) -> dict[str, float]:
    """Statistics across paths of :func:`path_metrics`.

    Returns
    -------
    dict
        ``paths``; ``pnl_mean`` and ``pnl_std`` (sample std, ddof=1); ``sharpe`` = pnl_mean / pnl_std (per run,
        not annualised); ``final_q_mean``, ``final_q_std``; ``mean_q2`` (time-averaged q^2, averaged over paths);
        ``fills_mean``; ``avg_spread`` (mean over paths of each path's time-averaged spread).
    """
    pnl = per_path["pnl"]
    pnl_std = float(pnl.std(ddof=1)) if len(pnl) > 1 else np.nan
    pnl_mean = float(pnl.mean())
    return {
        "paths": int(len(per_path)),
        "pnl_mean": pnl_mean,
        "pnl_std": pnl_std,
        "sharpe": sharpe(pnl),
        "final_q_mean": float(per_path["final_q"].mean()),
        "final_q_std": float(per_path["final_q"].std(ddof=1)) if len(per_path) > 1 else np.nan,
        "mean_q2": float(per_path["mean_q2"].mean()),
        "fills_mean": float(per_path["fills"].mean()),
        "avg_spread": float(per_path["avg_spread"].mean()),
    }
