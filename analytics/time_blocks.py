"""One long path cut into blocks of time, and the volatility regime of each block.

A replayed day is one path: its statistics have no independent paths to be averaged over. Cut into blocks of
equal length (five minutes), it has many; each block becomes a path of its own (:func:`split_ledger`), so every
per-path metric of :mod:`analytics` (attribution, inventory, turnover) applies to blocks unchanged, and the
bootstrap resamples blocks of time (:class:`analytics.inference.PairedBootstrap` over block indices).

The regime of a block is decided by its realised variance (:func:`window_variance`) against thresholds fixed
before the block starts: the terciles of the variance of windows of the same length in the warm-up
(:func:`tercile_thresholds`), or in everything before the block (:func:`past_thresholds`); never later data.
"""

from __future__ import annotations

import numpy as np

from analytics.series import value_at
from engine import ConfigError, Ledger
from engine.errors import check_positive
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

#: Regime names by label: below the first tercile threshold, between them, above the second.
REGIMES = ("calm", "normal", "volatile")


def block_edges(start: float, end: float, block_s: float) -> np.ndarray:
    """``start, start + block_s, ...``: the edges of the whole blocks that fit in ``[start, end]`` (a last,
    partial block is dropped, so every block weighs the same).

    Raises
    ------
    ConfigError
        If not one whole block fits.
    """
    check_positive("block_s", block_s)
    n = int(np.floor((end - start) / block_s + 1e-9))
    if n < 1:
        raise ConfigError(f"blocks of {block_s:g} s: the traded session ({end - start:g} s) holds none")
    return start + block_s * np.arange(n + 1)


def block_of(times: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The block of each time: ``i`` for ``edges[i] < t <= edges[i + 1]``, -1 outside the blocks. A time on an
    edge belongs to the block it ends (what happened at that instant is in the state at the edge)."""
    block = np.searchsorted(edges, np.asarray(times, dtype=float), side="left") - 1
    block[(block < 0) | (block >= len(edges) - 1)] = -1
    return block


def _sampled(ts: np.ndarray, mid: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The mid in force at each time of ``grid`` (the last at or before it)."""
    idx = np.searchsorted(ts, grid, side="right") - 1
    return mid[np.clip(idx, 0, None)]


def window_variance(ts: np.ndarray, mid: np.ndarray, starts: np.ndarray, length_s: float,
                    interval_s: float = 1.0) -> np.ndarray:
    """Realised variance of the mid over each window ``[start, start + length_s]``: the sum of the squared changes
    of the mid sampled every ``interval_s`` (price units squared).

    Parameters
    ----------
    ts, mid : ndarray
        The mid's changes in time order (the mid is a step function of them).
    starts : ndarray
        Window starts.
    length_s, interval_s : float
        Window length and sampling interval, seconds (``length_s`` a whole number of intervals).
    """
    steps = int(round(length_s / check_positive("interval_s", interval_s)))
    grid = np.asarray(starts, dtype=float)[:, None] + interval_s * np.arange(steps + 1)[None, :]
    sampled = _sampled(np.asarray(ts, dtype=float), np.asarray(mid, dtype=float), grid.ravel()).reshape(grid.shape)
    return (np.diff(sampled, axis=1) ** 2).sum(axis=1)


def tercile_thresholds(ts: np.ndarray, mid: np.ndarray, start: float, end: float, length_s: float,
                       step_s: float = 60.0, interval_s: float = 1.0) -> tuple[float, float]:
    """The 1/3 and 2/3 quantiles of the realised variance of the windows of ``length_s`` that start every
    ``step_s`` in ``[start, end - length_s]``: the thresholds of the regimes, from that stretch (the warm-up) only.

    Raises
    ------
    ConfigError
        If the stretch is shorter than one window.
    """
    if end - start < length_s:
        raise ConfigError(f"the warm-up ({end - start:g} s) is shorter than one {length_s:g} s block: the "
                          "volatility terciles cannot be fixed from it")
    starts = np.arange(start, end - length_s + 1e-9, step_s)
    low, high = np.quantile(window_variance(ts, mid, starts, length_s, interval_s), [1 / 3, 2 / 3])
    return float(low), float(high)


def past_thresholds(ts: np.ndarray, mid: np.ndarray, start: float, edges: np.ndarray, length_s: float,
                    step_s: float = 60.0, interval_s: float = 1.0) -> np.ndarray:
    """For each block ``[edges[i], edges[i + 1]]``, the terciles of the realised variance of the windows of
    ``length_s`` (starting every ``step_s`` from ``start``) that end at or before ``edges[i]``: thresholds from
    the past only (the warm-up and the blocks already over), so they follow the day's volatility without looking
    ahead. Returns an array of shape ``(blocks, 2)``.

    Raises
    ------
    ConfigError
        If no window ends before the first block.
    """
    edges = np.asarray(edges, dtype=float)
    starts = np.arange(start, edges[-2] - length_s + 1e-9, step_s)
    if not len(starts) or starts[0] + length_s > edges[0] + 1e-9:
        raise ConfigError(f"the warm-up ({edges[0] - start:g} s) is shorter than one {length_s:g} s block: the "
                          "volatility terciles cannot be fixed from it")
    variance = window_variance(ts, mid, starts, length_s, interval_s)
    ends = starts + length_s
    out = np.empty((len(edges) - 1, 2))
    for i, edge in enumerate(edges[:-1]):
        out[i] = np.quantile(variance[ends <= edge + 1e-9], [1 / 3, 2 / 3])
    return out


def regime_labels(variance: np.ndarray, thresholds) -> np.ndarray:
    """0 (calm) at or below the first threshold, 2 (volatile) above the second, 1 (normal) between.
    ``thresholds`` is one pair for every block, or one row ``(low, high)`` per block."""
    variance = np.asarray(variance, dtype=float)
    limits = np.broadcast_to(np.asarray(thresholds, dtype=float), variance.shape + (2,))
    return (variance > limits[..., 0]).astype(int) + (variance > limits[..., 1]).astype(int)


def split_ledger(ledger: Ledger, edges: np.ndarray) -> Ledger:
    """The one-path ``ledger`` cut at ``edges``: block ``i`` (``edges[i] < t <= edges[i + 1]``) becomes path
    ``i``. Each block starts and ends with a mark holding the state at its edges (the mid of the last mark, the
    inventory and cash after the last fill, at or before the edge), so a block's P&L, its attribution and its
    time averages cover exactly its stretch, and the blocks' P&Ls add up to the P&L between the first and the
    last edge.

    Raises
    ------
    ConfigError
        If the ledger holds more than one path or no marks.
    """
    marks, fills, quotes = ledger.marks, ledger.fills, ledger.quotes
    if marks.empty:
        raise ConfigError("the ledger has no marks: nothing was simulated")
    if marks["path"].nunique() != 1:
        raise ConfigError("split_ledger cuts one path; the ledger holds several")
    path = marks["path"].iloc[0]
    edges = np.asarray(edges, dtype=float)
    where = np.full(edges.shape, path)
    mid = value_at(marks, "mid", where, edges)
    inventory = value_at(marks, "inventory", where, edges)
    cash = value_at(marks, "cash", where, edges)
    if len(fills):  # the state after the last fill at or before the edge (fills change inventory and cash)
        last = np.searchsorted(fills["time"].to_numpy(), edges, side="right") - 1
        after_fill = last >= 0
        inventory[after_fill] = fills["inventory"].to_numpy()[last[after_fill]]
        cash[after_fill] = fills["cash"].to_numpy()[last[after_fill]]
    edge_marks = pd.DataFrame({"time": edges, "mid": mid, "inventory": inventory, "cash": cash,
                               "mtm": cash + inventory * mid})
    n = len(edges) - 1
    inner = marks.assign(path=block_of(marks["time"].to_numpy(), edges), order=1)
    cut = pd.concat([edge_marks.iloc[:n].assign(path=np.arange(n), order=0), inner[inner["path"] >= 0],
                     edge_marks.iloc[1:].assign(path=np.arange(n), order=2)], ignore_index=True)
    cut = cut.sort_values(["path", "order"], kind="stable")[list(marks.columns)].reset_index(drop=True)

    def relabel(frame: pd.DataFrame) -> pd.DataFrame:
        block = block_of(frame["time"].to_numpy(), edges)
        return frame.assign(path=block)[block >= 0].reset_index(drop=True)

    return Ledger.from_frames(relabel(fills), relabel(quotes), cut)


def block_metrics(ledger: Ledger, edges: np.ndarray, horizons: tuple[float, ...]) -> pd.DataFrame:
    """Per block of a one-path ``ledger``: what the study reports of each stretch of time.

    Columns: ``pnl``, ``spread_capture``, ``inventory_pnl``, ``fees`` (:func:`analytics.attribute` of the block,
    currency units; ``pnl = spread_capture + inventory_pnl - fees``), ``mean_q`` and ``mean_q2`` (time averages
    of the inventory and its square), ``fills``, ``turnover`` (shares traded) and ``cost_<h>`` for each horizon:
    the adverse-selection cost of the block's fills, ``sum size * markout_h`` (:mod:`analytics.markouts`),
    measured on the whole day, so a fill near the end of a block is marked out past it.
    """
    from analytics.attribution import attribute
    from analytics.markouts import adverse_selection_cost, markouts
    from analytics.metrics import path_metrics
    from analytics.risk import turnover
    from analytics.series import inventory_steps, time_average

    blocked = split_ledger(ledger, edges)
    n = len(edges) - 1
    index = pd.RangeIndex(n, name="path")
    out = attribute(blocked).drop(columns="residual").reindex(index)
    metrics = path_metrics(blocked).reindex(index)
    steps, _, ends = inventory_steps(blocked)
    out["mean_q"] = time_average(steps, steps["inventory"], ends).reindex(index)
    out["mean_q2"] = metrics["mean_q2"]
    out["fills"] = metrics["fills"]
    out["turnover"] = turnover(blocked.fills, index)["turnover"]
    marked = markouts(ledger, horizons)
    marked["path"] = block_of(marked["time"].to_numpy(), edges)
    cost = adverse_selection_cost(marked[marked["path"] >= 0], index)
    for h in horizons:
        out[f"cost_{h:g}"] = cost[h]
    return out
