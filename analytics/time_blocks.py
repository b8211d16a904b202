"""One long path cut into blocks of time, and the volatility regime of each block.

A replayed day is one path: its statistics have no independent paths to be averaged over. Cut into blocks of
equal length (five minutes), it has many; each block becomes a path of its own (:func:`split_ledger`), so every
per-path metric of :mod:`analytics` (attribution, inventory, turnover) applies to blocks unchanged, and the
bootstrap resamples blocks of time (:class:`analytics.inference.PairedBootstrap` over block indices).

The regime of a block is decided by its realised variance (:func:`block_variance`) against thresholds fixed
before the block: the terciles of the variance of the warm-up's windows of the same length
(:func:`tercile_thresholds`), never data after the warm-up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.series import value_at
from engine import ConfigError, Ledger
from engine.errors import check_positive

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


def regime_labels(variance: np.ndarray, thresholds: tuple[float, float]) -> np.ndarray:
    """0 (calm) below the first threshold, 2 (volatile) above the second, 1 (normal) between."""
    return np.searchsorted(np.asarray(thresholds), np.asarray(variance, dtype=float), side="left")


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
