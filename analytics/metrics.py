"""Metrics per path and across paths, computed from a ledger's tables."""

from __future__ import annotations

import numpy as np

from analytics.risk import sharpe
from analytics.series import by_path, inventory_steps, time_average
from engine import Ledger
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")


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


def summarize(per_path) -> dict[str, float]:
    """Statistics across paths of :func:`path_metrics`.

    Parameters
    ----------
    per_path : pandas.DataFrame or mapping of str to numpy.ndarray
        One value per path in each of the columns of :func:`path_metrics` (a :class:`engine.VectorisedResult`'s
        :meth:`~engine.VectorisedResult.columns` will do: summarising arrays needs no pandas).

    Returns
    -------
    dict
        ``paths``; ``pnl_mean`` and ``pnl_std`` (sample std, ddof=1); ``sharpe`` = pnl_mean / pnl_std (per run,
        not annualised); ``final_q_mean``, ``final_q_std``; ``mean_q2`` (time-averaged q^2, averaged over paths);
        ``fills_mean``; ``avg_spread`` (mean over paths of each path's time-averaged spread). Means and standard
        deviations skip NaN (a path that never quoted both sides has no average spread).
    """
    column = {name: np.asarray(per_path[name], dtype=float) for name in _MOMENT_COLUMNS}
    paths = len(column["pnl"])
    pnl_mean, pnl_std = _mean(column["pnl"]), _std(column["pnl"])
    return {
        "paths": paths,
        "pnl_mean": pnl_mean,
        "pnl_std": pnl_std,
        "sharpe": sharpe(column["pnl"]),
        "final_q_mean": _mean(column["final_q"]),
        "final_q_std": _std(column["final_q"]),
        "mean_q2": _mean(column["mean_q2"]),
        "fills_mean": _mean(column["fills"]),
        "avg_spread": _mean(column["avg_spread"]),
    }


def _mean(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else np.nan


def _std(x: np.ndarray) -> float:
    """Sample standard deviation (ddof=1) of the non-NaN values; NaN with fewer than two."""
    x = x[~np.isnan(x)]
    return float(x.std(ddof=1)) if x.size > 1 else np.nan


#: :class:`RunningSummary` keeps this many paths' metrics before it folds them into moments.
SUMMARY_BLOCK_PATHS = 1_000_000
_MOMENT_COLUMNS = ("pnl", "final_q", "mean_q2", "fills", "avg_spread")


def _moments(per_path: pd.DataFrame) -> dict[str, tuple[int, float, float]]:
    """Per column: ``(count, mean, sum of squared deviations)`` over the non-NaN values."""
    out = {}
    for column in _MOMENT_COLUMNS:
        x = per_path[column].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        mean = float(x.mean()) if x.size else np.nan
        out[column] = (int(x.size), mean, float(((x - mean) ** 2).sum()) if x.size else 0.0)
    return out


def _merge(a: tuple[int, float, float], b: tuple[int, float, float]) -> tuple[int, float, float]:
    """Chan, Golub and LeVeque's pairwise update: the moments of two samples pooled."""
    (na, ma, sa), (nb, mb, sb) = a, b
    if not na or not nb:
        return a if na else b
    n = na + nb
    delta = mb - ma
    return n, ma + delta * nb / n, sa + sb + delta * delta * na * nb / n


class RunningSummary:
    """:func:`summarize` of a run fed path chunk by path chunk, in bounded memory.

    Up to ``block_paths`` paths (default :data:`SUMMARY_BLOCK_PATHS`) it keeps their metrics and the result is
    exactly :func:`summarize` of them. Past that, each full block is folded into count, mean and sum of squared
    deviations per column, and blocks are pooled with the pairwise update, so memory stays bounded whatever the
    number of paths.
    """

    def __init__(self, block_paths: int | None = None) -> None:
        self.block_paths = block_paths or SUMMARY_BLOCK_PATHS
        self._frames: list[pd.DataFrame] = []
        self._rows = 0
        self._moments: dict[str, tuple[int, float, float]] | None = None

    def add(self, per_path: pd.DataFrame) -> None:
        """Add the :func:`path_metrics` of further paths."""
        self._frames.append(per_path[list(_MOMENT_COLUMNS)])
        self._rows += len(per_path)
        if self._rows >= self.block_paths:
            self._fold()

    def _fold(self) -> None:
        block = _moments(pd.concat(self._frames))
        self._moments = block if self._moments is None else {
            c: _merge(self._moments[c], block[c]) for c in _MOMENT_COLUMNS}
        self._frames, self._rows = [], 0

    def summary(self) -> dict[str, float]:
        """The statistics of :func:`summarize` over every path added."""
        if self._moments is None:
            return summarize(pd.concat(self._frames))
        if self._frames:
            self._fold()
        m = self._moments
        n, pnl_mean, pnl_ss = m["pnl"]
        pnl_std = float(np.sqrt(pnl_ss / (n - 1)))
        q_n, q_mean, q_ss = m["final_q"]
        return {"paths": n, "pnl_mean": pnl_mean, "pnl_std": pnl_std,
                "sharpe": pnl_mean / pnl_std if pnl_std > 0 else np.nan,
                "final_q_mean": q_mean, "final_q_std": float(np.sqrt(q_ss / (q_n - 1))),
                "mean_q2": m["mean_q2"][1], "fills_mean": m["fills"][1], "avg_spread": m["avg_spread"][1]}
