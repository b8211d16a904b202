"""Step functions of time read from a ledger: values looked up at given times, and time averages per path.

Everything the simulation records is piecewise constant in time: the mid and the mark-to-market change only at
marks, the inventory only at fills. The helpers here are the one place that turns those tables into values at
arbitrary times and into time averages, so every metric reads them the same way.

Rows of one path must be in the order the engine recorded them (their ``time`` is then non-decreasing): the
order of rows at one instant carries meaning (a fill before the mid move its market order caused), so the
helpers only ever sort by path, stably, never by time.
"""

from __future__ import annotations

import numpy as np

from engine import ConfigError, Ledger
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")


def by_path(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by path, keeping the recorded order of rows within a path."""
    return frame.sort_values("path", kind="stable")


def path_bounds(marks: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """First and last mark time of each path, as two Series indexed by path."""
    grouped = marks.groupby("path")["time"]
    return grouped.first(), grouped.last()


def time_weights(frame: pd.DataFrame, ends: pd.Series) -> np.ndarray:
    """How long each row's value lasts: until the next row of the same path, the last row until ``ends[path]``.

    ``frame`` has columns ``path`` and ``time`` and is sorted by path, then time; ``ends`` is indexed by path.
    """
    path = frame["path"].to_numpy()
    time = frame["time"].to_numpy(dtype=float)
    next_time = np.empty_like(time)
    next_time[:-1] = time[1:]
    last = np.ones(len(path), dtype=bool)
    last[:-1] = path[1:] != path[:-1]
    next_time[last] = ends.reindex(path[last]).to_numpy()
    return next_time - time


def time_average(frame: pd.DataFrame, values: pd.Series | np.ndarray, ends: pd.Series) -> pd.Series:
    """Per path, the time average of a step function.

    The function takes ``values[i]`` from ``frame.time[i]`` until the next row of the same path, and the value
    of a path's last row until ``ends[path]``: ``(1 / (t_end - t_0)) * sum_i v_i (t_{i+1} - t_i)``.

    Parameters
    ----------
    frame : DataFrame
        Columns ``path`` and ``time``, sorted by path, then time.
    values : Series or ndarray
        One value per row of ``frame``.
    ends : Series
        End time of each path, indexed by path.

    Returns
    -------
    Series
        Indexed by path; NaN for a path of zero duration.
    """
    path = frame["path"].to_numpy()
    weight = time_weights(frame, ends)
    weighted = pd.Series(weight * np.asarray(values, dtype=float), index=path).groupby(level=0).sum()
    total = pd.Series(weight, index=path).groupby(level=0).sum()
    return weighted / total.where(total > 0)


def inventory_steps(ledger: Ledger) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The inventory of every path as a step function: its value at the first mark, then after each fill.

    Returns
    -------
    steps : DataFrame
        Columns ``path``, ``time``, ``inventory``, sorted by path then time (fills at one instant in the order
        they happened).
    starts, ends : Series
        First and last mark time of each path, indexed by path.

    Raises
    ------
    ConfigError
        If the ledger has no marks (nothing was simulated).
    """
    marks = ledger.marks
    if marks.empty:
        raise ConfigError("the ledger has no marks: nothing was simulated")
    first = marks.groupby("path").first()
    starts, ends = path_bounds(marks)
    start_rows = pd.DataFrame({"path": first.index.to_numpy(), "time": first["time"].to_numpy(),
                               "inventory": first["inventory"].to_numpy()})
    steps = pd.concat([start_rows, ledger.fills[["path", "time", "inventory"]]], ignore_index=True)
    return steps.sort_values(["path", "time"], kind="stable").reset_index(drop=True), starts, ends


def value_at(marks: pd.DataFrame, column: str, paths: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The value of ``marks[column]`` on path ``paths[i]`` at time ``times[i]``, for every ``i``.

    The marks are a step function: the value is the one of the last mark at or before the time (so a time past
    the path's end gives its final value), and NaN before the path's first mark or on a path with no marks.

    Parameters
    ----------
    marks : DataFrame
        A ledger's marks table (rows of a path in recorded order).
    column : str
        Column to read, for example ``"mid"`` or ``"mtm"``.
    paths, times : ndarray
        Where to read it, element by element.

    Returns
    -------
    ndarray
        Float values, one per query.
    """
    paths = np.asarray(paths)
    times = np.asarray(times, dtype=float)
    out = np.full(times.shape, np.nan)
    if marks.empty or times.size == 0:
        return out
    ordered = by_path(marks)
    mark_path = ordered["path"].to_numpy()
    mark_time = ordered["time"].to_numpy()
    mark_value = ordered[column].to_numpy(dtype=float)
    unique, first_row = np.unique(mark_path, return_index=True)
    last_row = np.append(first_row[1:], len(mark_path))
    # Queries grouped by path too, so each path is one searchsorted call over its own marks.
    query_order = np.argsort(paths, kind="stable")
    query_paths = paths[query_order]
    query_lo = np.searchsorted(query_paths, unique, side="left")
    query_hi = np.searchsorted(query_paths, unique, side="right")
    for lo, hi, qlo, qhi in zip(first_row, last_row, query_lo, query_hi):
        if qhi == qlo:
            continue
        wanted = query_order[qlo:qhi]
        idx = np.searchsorted(mark_time[lo:hi], times[wanted], side="right") - 1
        found = idx >= 0
        out[wanted[found]] = mark_value[lo + idx[found]]
    return out
