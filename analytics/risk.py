"""Risk metrics of a run, each defined once here with its formula.

Notation: a path runs from ``t_0`` to ``t_end``; ``q_t`` is the inventory (a step function changing at fills),
``PnL_t = mtm_t - mtm_{t_0}`` the mark-to-market P&L read from the marks table (one point at the start, after
every change of the mid and at the end; see :mod:`analytics.series`), ``X_p`` the final P&L of path ``p``.

Two clocks
----------
``"synthetic"``: time is the synthetic market's abstract unit and a run is many short independent paths.
``"real"``: time is in seconds (replayed data) and a run is typically one long path (a trading day).
Only the time-series Sharpe and Sortino ratios depend on the clock (see :func:`series_ratios`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from analytics.series import by_path, inventory_steps, path_bounds, time_average, time_weights, value_at
from engine import ConfigError, Ledger
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

Clock = Literal["synthetic", "real"]
CLOCKS: tuple[str, ...] = ("synthetic", "real")

#: Annualisation on a real-time clock: trading days per year and seconds per trading day (NASDAQ's regular
#: session, 9:30 to 16:00).
TRADING_DAYS_PER_YEAR = 252
TRADING_SECONDS_PER_DAY = 23_400.0
#: Default sampling of the P&L time series: this many intervals per path on a synthetic clock, and this many
#: seconds on a real one.
SYNTHETIC_INTERVALS = 100
REAL_INTERVAL_S = 60.0


def check_clock(clock: str) -> str:
    """Return ``clock`` if it is ``"synthetic"`` or ``"real"``, else raise :class:`ConfigError`."""
    if clock not in CLOCKS:
        raise ConfigError(f"clock must be 'synthetic' or 'real', got {clock!r}")
    return clock


# -- ratios of a sample --------------------------------------------------------------------------------------


def sharpe(x):
    """Sharpe ratio of a sample, risk-free rate 0: ``mean(x) / std(x)`` (sample std, ddof = 1).

    Computed along the last axis: a float for a 1-D sample, one value per row of a 2-D array (bootstrap
    resamples). NaN with fewer than two values or a zero standard deviation. Applied to final P&L across paths
    it is the "Sharpe across paths" (per run, not annualised).
    """
    x = np.asarray(x, dtype=float)
    if x.shape[-1] < 2:
        out = np.full(x.shape[:-1], np.nan)
    else:
        std = x.std(axis=-1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(std > 0, x.mean(axis=-1) / std, np.nan)
    return float(out) if out.ndim == 0 else out


def sharpe_se(x) -> float:
    """Standard error of :func:`sharpe` for independent, identically distributed values:
    ``sqrt((1 + SR^2 / 2) / n)`` (A. Lo, "The statistics of Sharpe ratios", Financial Analysts Journal 58 (2002),
    for normal returns). NaN where the Sharpe ratio is."""
    x = np.asarray(x, dtype=float)
    ratio = sharpe(x)
    return float(np.sqrt((1.0 + 0.5 * ratio * ratio) / x.size)) if ratio == ratio else np.nan


def downside_deviation(x) -> float:
    """Root mean square of the losses below target 0: ``sqrt(mean(min(x, 0)^2))`` over all values."""
    x = np.asarray(x, dtype=float)
    return float(np.sqrt(np.mean(np.minimum(x, 0.0) ** 2))) if x.size else np.nan


def sortino(x) -> float:
    """Sortino ratio, target 0: ``mean(x) / downside_deviation(x)``.

    ``inf`` when no value is negative and the mean is positive; NaN with fewer than two values (as for
    :func:`sharpe`: one path says nothing about dispersion) or an all-zero sample.
    """
    x = np.asarray(x, dtype=float)
    if x.size < 2:
        return np.nan
    down = downside_deviation(x)
    mean = float(x.mean())
    if down > 0:
        return mean / down
    return np.inf if mean > 0 else np.nan


# -- per path ------------------------------------------------------------------------------------------------


def max_drawdown(marks: pd.DataFrame) -> pd.Series:
    """Maximum drawdown of the mark-to-market P&L of each path: ``max_t (max_{s <= t} PnL_s - PnL_t)``.

    Read from the marks table, so a fill's effect shows at the next mark. In currency units, >= 0.

    Returns
    -------
    Series
        Indexed by path.
    """
    ordered = by_path(marks)
    peak = ordered.groupby("path")["mtm"].cummax()
    return (peak - ordered["mtm"]).groupby(ordered["path"]).max()


def default_interval(clock: str, duration: float) -> float:
    """Sampling interval of the P&L series: ``duration / 100`` on a synthetic clock, 60 s on a real one."""
    return duration / SYNTHETIC_INTERVALS if check_clock(clock) == "synthetic" else REAL_INTERVAL_S


def series_scale(clock: str, interval: float, duration: float) -> float:
    """Factor turning a per-interval ratio into the reported one.

    Synthetic clock: ``sqrt(duration / interval)``, the ratio over the whole path (comparable with the Sharpe
    across paths when increments are independent). Real clock: annualised,
    ``sqrt(252 * 23400 s / interval)`` (252 trading days of 6.5 hours).
    """
    if check_clock(clock) == "synthetic":
        return float(np.sqrt(duration / interval))
    return float(np.sqrt(TRADING_DAYS_PER_YEAR * TRADING_SECONDS_PER_DAY / interval))


def pnl_grid(marks: pd.DataFrame, clock: str = "synthetic", interval: float | None = None) -> dict:
    """Each path's P&L sampled every ``h``: ``{path: (h, mtm at t_0, t_0 + h, ..., t_0 + n h)}`` with ``n =
    floor((t_end - t_0) / h)`` (last mark at or before each time; ``h`` from :func:`default_interval` unless
    given)."""
    starts, ends = path_bounds(marks)
    grids, paths, times = {}, [], []
    for path, start, end in zip(starts.index, starts.to_numpy(), ends.to_numpy()):
        h = interval or default_interval(clock, end - start)
        n = int(np.floor((end - start) / h + 1e-9)) if h > 0 else 0
        grids[path] = (h, len(times), n + 1)
        paths.append(np.full(n + 1, path))
        times.append(start + h * np.arange(n + 1))
    # One lookup for every path at once: value_at sorts the marks once.
    flat_paths = np.concatenate(paths) if paths else np.empty(0)
    flat_times = np.concatenate(times) if times else np.empty(0)
    mtm = value_at(marks, "mtm", flat_paths, flat_times)
    offsets = np.cumsum([0] + [len(t) for t in times])
    return {path: (h, mtm[offsets[i]:offsets[i] + size])
            for i, (path, (h, _, size)) in enumerate(grids.items())}


def series_ratios(marks: pd.DataFrame, clock: str = "synthetic", interval: float | None = None) -> pd.DataFrame:
    """Sharpe and Sortino ratios of each path's P&L time series.

    The P&L is sampled every ``h`` time units from the path's start (:func:`pnl_grid`), its increments are
    ``r_i = PnL_{t_0 + i h} - PnL_{t_0 + (i-1) h}``, and ``ts_sharpe = sharpe(r) * scale``,
    ``ts_sortino = sortino(r) * scale`` with the scale of :func:`series_scale` for a path of length ``n h``;
    ``ts_sharpe_se = sharpe_se(r) * scale`` is the standard error of ``ts_sharpe`` (:func:`sharpe_se`).

    Parameters
    ----------
    marks : DataFrame
        A ledger's marks table.
    clock : {"synthetic", "real"}
        Decides the default ``h`` (:func:`default_interval`) and the scale.
    interval : float, optional
        ``h`` in the run's time unit.

    Returns
    -------
    DataFrame
        Indexed by path: ``ts_sharpe``, ``ts_sortino``, ``ts_sharpe_se``.
    """
    check_clock(clock)
    if interval is not None and not interval > 0:
        raise ConfigError(f"interval must be > 0, got {interval!r}")
    rows = {}
    for path, (h, mtm) in pnl_grid(marks, clock, interval).items():
        r = np.diff(mtm)
        scale = series_scale(clock, h, h * r.size) if r.size else np.nan
        rows[path] = (sharpe(r) * scale, sortino(r) * scale, sharpe_se(r) * scale)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["ts_sharpe", "ts_sortino", "ts_sharpe_se"]
                                  ).rename_axis("path")


def path_risk(ledger: Ledger, *, cap: float | None = None, clock: str = "synthetic",
              interval: float | None = None) -> pd.DataFrame:
    """Risk metrics of every path.

    Columns
    -------
    duration
        ``t_end - t_0``.
    mean_q, var_q
        Time average of the inventory, ``(1/T) int q_t dt``, and its time-weighted variance within the path,
        ``(1/T) int q_t^2 dt - mean_q^2``.
    time_at_cap
        Share of the time with ``|q_t| >= cap`` (NaN without ``cap``).
    max_drawdown
        :func:`max_drawdown`.
    ts_sharpe, ts_sortino, ts_sharpe_se
        :func:`series_ratios`.
    quoted_sides
        Number of quote sides sent: each row of the quotes table counts 1 per side that is not withdrawn.
    fill_ratio
        Fills per quoted side, ``fills / quoted_sides``: the share of the quotes the strategy sent that traded
        (a quote filled in two parts counts twice). NaN when nothing was quoted.
    fill_rate
        Fills per unit of time, ``fills / duration``.
    turnover, turnover_value
        Quantity traded, ``sum |size|``, and its value ``sum price * size``.

    Parameters
    ----------
    ledger : Ledger
        A run's tables.
    cap : float, optional
        Inventory limit for ``time_at_cap``.
    clock, interval
        As for :func:`series_ratios`.

    Raises
    ------
    ConfigError
        If the ledger has no marks, ``cap`` is not > 0 or the clock is unknown.
    """
    if cap is not None and not cap > 0:
        raise ConfigError(f"cap must be > 0, got {cap!r}")
    steps, starts, ends = inventory_steps(ledger)
    out = pd.DataFrame(index=starts.index)
    out["duration"] = ends - starts
    q = steps["inventory"].to_numpy()
    out["mean_q"] = time_average(steps, q, ends)
    out["var_q"] = (time_average(steps, q * q, ends) - out["mean_q"] ** 2).clip(lower=0.0)
    # A cap of 5 with unit orders is reached exactly; the tolerance only absorbs rounding of fractional sizes.
    out["time_at_cap"] = np.nan if cap is None else time_average(steps, np.abs(q) >= cap * (1 - 1e-12), ends)
    out["max_drawdown"] = max_drawdown(ledger.marks)
    out = out.join(series_ratios(ledger.marks, clock, interval))

    quotes = ledger.quotes
    sides = quotes["bid"].notna().astype(int) + quotes["ask"].notna().astype(int)
    out["quoted_sides"] = sides.groupby(quotes["path"]).sum().reindex(out.index, fill_value=0)
    count = ledger.fills.groupby("path").size().reindex(out.index, fill_value=0)
    out["fill_ratio"] = count / out["quoted_sides"].where(out["quoted_sides"] > 0)
    out["fill_rate"] = count / out["duration"].where(out["duration"] > 0)
    out = out.join(turnover(ledger.fills, out.index))
    return out.rename_axis("path")


def turnover(fills: pd.DataFrame, paths: pd.Index) -> pd.DataFrame:
    """Quantity and value traded on each path: ``turnover = sum |size|``, ``turnover_value = sum price * size``.

    Parameters
    ----------
    fills : DataFrame
        A ledger's fills table.
    paths : Index
        The paths to report (0 for a path without fills).

    Returns
    -------
    DataFrame
        Indexed like ``paths``: ``turnover``, ``turnover_value``.
    """
    by = fills["path"]
    return pd.DataFrame({"turnover": fills["size"].groupby(by).sum(),
                         "turnover_value": (fills["price"] * fills["size"]).groupby(by).sum()}
                        ).reindex(paths, fill_value=0.0)


def inventory_distribution(ledger: Ledger, max_levels: int = 101) -> pd.Series:
    """Share of time spent at each inventory level, pooled over paths (every path weighted by its duration).

    ``share(x) = sum over paths of time with q_t = x / total time``. When there are more than ``max_levels``
    distinct levels (fractional fills) the inventory is binned into ``max_levels`` equal bins, indexed by centre.

    Returns
    -------
    Series
        Indexed by inventory level, summing to 1 (empty if every path has zero duration).
    """
    steps, _, ends = inventory_steps(ledger)
    weight = pd.Series(time_weights(steps, ends), index=steps["inventory"].to_numpy())
    total = weight.sum()
    if not total > 0:
        return pd.Series(dtype=float)
    share = weight.groupby(level=0).sum() / total
    if len(share) > max_levels:
        counts, edges = np.histogram(share.index.to_numpy(), bins=max_levels, weights=share.to_numpy())
        share = pd.Series(counts, index=0.5 * (edges[:-1] + edges[1:]))
    return share.rename_axis("inventory")


def _mean_se(values: pd.Series, one_path_se: pd.Series | None) -> float:
    """Standard error of the mean of ``values`` over paths; with one path, that path's own standard error."""
    if len(values) == 1:
        return float(one_path_se.iloc[0]) if one_path_se is not None else np.nan
    return float(values.std(ddof=1) / np.sqrt(values.count())) if values.count() > 1 else np.nan


def risk_summary(per_path: pd.DataFrame) -> dict[str, float]:
    """Risk across paths, from :func:`path_risk` joined with :func:`analytics.path_metrics`.

    Returns
    -------
    dict
        ``inventory_var_final`` = sample variance of ``q_T`` across paths (ddof = 1);
        ``inventory_var_time`` = variance of the inventory at a time drawn uniformly on a path drawn uniformly,
        ``mean_p(mean_q2_p) - mean_p(mean_q_p)^2`` (on one path, its time-weighted variance);
        ``time_at_cap`` = mean share of time at the cap; ``max_drawdown`` = mean over paths;
        ``sharpe`` and ``sortino`` of the final P&L across paths (:func:`sharpe`, :func:`sortino`);
        ``ts_sharpe``, ``ts_sortino`` = means over paths of the time-series ratios; ``ts_sharpe_se`` = the
        standard error of ``ts_sharpe``: across paths, of their mean; on one path (a replay), of its ratio;
        ``fill_ratio`` = total fills / total quoted sides; ``fill_rate`` = mean over paths;
        ``turnover`` = mean quantity traded per path.
    """
    pnl = per_path["pnl"].to_numpy()
    sides = per_path["quoted_sides"].sum()
    final_q = per_path["final_q"].to_numpy()
    return {
        "inventory_var_final": float(np.var(final_q, ddof=1)) if final_q.size > 1 else np.nan,
        "inventory_var_time": float(per_path["mean_q2"].mean() - per_path["mean_q"].mean() ** 2),
        "time_at_cap": float(per_path["time_at_cap"].mean()),
        "max_drawdown": float(per_path["max_drawdown"].mean()),
        "sharpe": sharpe(pnl),
        "sortino": sortino(pnl),
        "ts_sharpe": float(per_path["ts_sharpe"].mean()),
        "ts_sortino": float(per_path["ts_sortino"].mean()),
        "ts_sharpe_se": _mean_se(per_path["ts_sharpe"], per_path.get("ts_sharpe_se")),
        "fill_ratio": float(per_path["fills"].sum() / sides) if sides > 0 else np.nan,
        "fill_rate": float(per_path["fill_rate"].mean()),
        "turnover": float(per_path["turnover"].mean()),
    }
