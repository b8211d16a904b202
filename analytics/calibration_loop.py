"""Calibrate, simulate, replay: does the synthetic market built from a calibration reproduce the replay of the
same day for fixed-depth quotes?

For each total spread ``S`` the naive strategy (``mid -/+ S / 2``, requoting every ``window_s`` and after each
fill) is replayed on the day by the replay's fill rule, and run in the calibrated synthetic market (``A``, ``k``,
``sigma``, ``impact`` from the calibration, exact fills, the mid ticking every ``dt``). Compared: fill events per
hour (instants at which a side filled: the executions of one sweep count once, as one synthetic market order
fills once) and the mean 1-second markout per fill event (the mid's move against us one second later).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analytics.calibration import CalibratedParameters, on_grid
from analytics.markouts import markouts
from engine import ExponentialFills, FillModel, Simulation, run_paths
from engine.replay_fills import TradeThroughFills
from engine.lazy_modules import lazy_module
from feeds import SyntheticMarket
from feeds.lobster_book import replay_feed
from strategies import Retimed, SymmetricSpread

pd = lazy_module("pandas")

#: Largest ratio (either way) between synthetic and replay that the loop accepts.
LOOP_FACTOR = 1.5


def _events(ledger, horizon_s: float) -> pd.DataFrame:
    """One row per fill event (path, time, side) with its markout at ``horizon_s``."""
    marked = markouts(ledger, [horizon_s], clock="real")
    return marked.groupby(["path", "time", "side"], sort=False)[float(horizon_s)].first().reset_index()


def replay_naive(source, spread: float, *, tick_size: float, window_s: float, order_size: float = 100.0,
                 horizon_s: float = 1.0, fill_model: FillModel | None = None) -> dict:
    """Fill events per hour and mean markout of the naive strategy replayed on ``source`` by ``fill_model``
    (default :class:`engine.replay_fills.TradeThroughFills`, conservative queue)."""
    strategy = Retimed(SymmetricSpread(spread, order_size), window_s, False, True)
    fill_model = TradeThroughFills(tick_size) if fill_model is None else fill_model
    ledger = Simulation(replay_feed(source), strategy, fill_model, seed=0).run()
    marks = ledger.marks["time"]
    hours = (float(marks.iloc[-1]) - float(marks.iloc[0])) / 3600.0
    events = _events(ledger, horizon_s)
    return {"fills_per_hour": len(events) / hours, "markout": float(events[float(horizon_s)].mean())}


def simulate_naive(params: CalibratedParameters, spread: float, *, s0: float, hours: float = 1.0, paths: int = 4,
                   dt: float = 0.1, seed: int = 0, horizon_s: float = 1.0) -> dict:
    """Fill events per hour and mean markout of the naive strategy in the calibrated synthetic market (clock in
    seconds), with the standard error of the fill rate over paths."""
    market = SyntheticMarket(s0=s0, T=3600.0 * hours, sigma=params.sigma, dt=dt, A=params.A, k=params.k,
                             increments="gaussian", impact=params.impact)
    ledger = run_paths(market, SymmetricSpread(spread), ExponentialFills(), paths=paths, seed=seed)
    events = _events(ledger, horizon_s)
    per_path = events.groupby("path").size().reindex(range(paths), fill_value=0) / hours
    return {"fills_per_hour": float(per_path.mean()),
            "fills_per_hour_se": float(per_path.std(ddof=1) / math.sqrt(paths)) if paths > 1 else math.nan,
            "markout": float(events[float(horizon_s)].mean()) if len(events) else math.nan}


def loop_table(source, params: CalibratedParameters, spreads: Sequence[float], *, window_s: float,
               s0: float, hours: float = 1.0, paths: int = 4, seed: int = 0,
               fill_model: FillModel | None = None) -> pd.DataFrame:
    """The calibrate-simulate-replay table: one row per total spread, with the ratios synthetic / replay and
    whether both are within :data:`LOOP_FACTOR`."""
    rows = []
    for spread in spreads:
        real = replay_naive(source, spread, tick_size=params.tick_size, window_s=window_s, fill_model=fill_model)
        synthetic = simulate_naive(params, spread, s0=s0, hours=hours, paths=paths, seed=seed)
        fill_ratio = synthetic["fills_per_hour"] / real["fills_per_hour"] if real["fills_per_hour"] else math.inf
        markout_ratio = synthetic["markout"] / real["markout"] if real["markout"] else math.inf
        ok = all(1.0 / LOOP_FACTOR <= r <= LOOP_FACTOR for r in (fill_ratio, markout_ratio))
        rows.append({"spread": spread, "replay_fills_per_hour": real["fills_per_hour"],
                     "synthetic_fills_per_hour": synthetic["fills_per_hour"],
                     "synthetic_fills_se": synthetic["fills_per_hour_se"], "fills_ratio": fill_ratio,
                     "replay_markout": real["markout"], "synthetic_markout": synthetic["markout"],
                     "markout_ratio": markout_ratio, "ok": ok})
    return pd.DataFrame(rows)


def loop_spreads(median_spread: float, tick_size: float) -> list[float]:
    """Total spreads from the median quoted spread up to twice it, on the tick grid."""
    return sorted({on_grid(median_spread * f, tick_size) for f in (1.0, 1.25, 1.5, 2.0)})


def markdown(table: pd.DataFrame, name: str) -> str:
    """The loop table as a Markdown table."""
    lines = [f"| {name}: total spread | fills/h replay | fills/h synthetic | ratio | markout 1 s replay | "
             f"markout 1 s synthetic | ratio | within {LOOP_FACTOR:g}x |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in table.itertuples():
        lines.append(f"| {r.spread:.2f} | {r.replay_fills_per_hour:.0f} | {r.synthetic_fills_per_hour:.0f} "
                     f"+/- {r.synthetic_fills_se:.0f} | {r.fills_ratio:.2f} | {r.replay_markout:.4f} | "
                     f"{r.synthetic_markout:.4f} | {r.markout_ratio:.2f} | {'yes' if r.ok else 'NO'} |")
    return "\n".join(lines)


__all__ = ["LOOP_FACTOR", "loop_spreads", "loop_table", "markdown", "replay_naive", "simulate_naive"]
