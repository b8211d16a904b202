"""The real-day study behind ``mmsim study --real``: the Avellaneda-Stoikov claims on replayed equity days.

Each cell is one day at one risk aversion. The day is walked forward: the first ``--warmup-min`` minutes are
replayed but not traded, and everything the strategies take from the data (tick size, ``k``, ``A``, the
starting volatility, the regimes' thresholds) is measured on them; the rest of the session is traded by

``as-rolling``
    Avellaneda-Stoikov with a rolling horizon (``mmsim replay``'s default);
``as-close``
    Avellaneda-Stoikov with the paper's finite horizon, to the close;
``glft``
    the Gueant-Lehalle-Fernandez-Tapia quotes, limited to ``glft_lots`` lots, fixed before trading (a tested
    strategy must not learn its limit from the day it trades);
``naive``
    symmetric quotes at ``as-rolling``'s time-average quoted spread on that day;
``naive-capped``
    the same, limited to the largest ``|q|`` ``as-rolling`` reached.

Every strategy runs through :func:`mmsim.cmd_replay.replay_run` with the same data options, order size,
latency, fees and queue model: exactly what ``mmsim replay`` would do with the same options. The risk
aversion is set in trader's units: ``skew_ticks``, the reservation-price shift of one lot at the warm-up's
volatility, ``gamma sigma^2 horizon_s order_size``, in ticks; ``gamma`` follows from it per day.

The traded session is cut into blocks of ``block_s`` (:mod:`analytics.time_blocks`); each block is labelled
calm, normal or volatile by its realised variance against the terciles of the warm-up's windows. Statistics
with intervals bootstrap the blocks (:mod:`mmsim.real_findings`).
"""

from __future__ import annotations

import time

import attrs
import numpy as np

from analytics.calibration import close_after
from analytics.markouts import markout_curve, markouts
from analytics.metrics import path_metrics
from analytics.series import inventory_steps
from analytics.time_blocks import (block_edges, block_metrics, past_thresholds, regime_labels,
                                   tercile_thresholds, window_variance)
from engine import ConfigError, DataError
from feeds import infer_tick_size
from mmsim.cmd_replay import SharedDay, replay_run, warmup_rows, warmup_sigma
from mmsim.tick_inputs import open_tick_source

#: The strategies of every cell, in the order they run (the naive ones copy as-rolling's spread and reach).
STRATEGIES = ("as-rolling", "as-close", "glft", "naive", "naive-capped")
#: Markout horizons of the regime table and the claims, seconds.
HORIZONS = (1.0, 5.0, 30.0)
#: Horizons of the markout curves in the report, seconds.
CURVE_HORIZONS = (0.0, 1.0, 5.0, 10.0, 30.0, 60.0)
#: One-lot skews of the risk-aversion grid, ticks: a tenth of a tick to several.
DEFAULT_SKEWS = (0.1, 0.3, 1.0, 3.0)
#: GLFT's inventory limit, in lots of the order size (the paper's ``Q``), unless the study is given another.
DEFAULT_GLFT_LOTS = 10.0
#: The cell the regime table and the claims use.
HEADLINE_SKEW = 1.0
#: Sampling step of the inventory paths kept for the report and of the 95th percentile of |q|, seconds.
PATH_STEP_S = 1.0
#: The replay options every strategy of a cell shares, recorded with its result.
SETUP = ("warmup_min", "order_size", "horizon_s", "latency_ms", "feed_latency_ms", "fee_bps", "fee_per_share",
         "requote_ms", "post_only")
#: The regimes' variance windows start every block_s / WINDOWS_PER_BLOCK (every minute for 5-minute blocks).
WINDOWS_PER_BLOCK = 5
#: Where the regimes' thresholds come from (see :class:`RealStudy`).
REGIME_THRESHOLDS = ("past", "warmup")
#: Points of the inventory path kept per cell (the report draws a day, not every second of it).
PATH_POINTS = 2000


def replay_args(day, options, strategy_argv):
    """The ``mmsim replay`` options of one strategy on ``day``: parsed by replay's own parser, so its defaults
    (queue model, requote timer, post-only rule) are the study's."""
    from mmsim.cli import build_parser

    return build_parser().parse_args(["replay", *day.argv, *options, *strategy_argv])


@attrs.frozen
class RealStudy:
    """The grid of cells: every day at every one-lot skew.

    Parameters
    ----------
    days : tuple of :class:`mmsim.real_days.Day`
    skews : tuple of float
        One-lot skews in ticks (the risk-aversion grid).
    options : tuple of str
        ``mmsim replay`` options common to every replay (order size, latency, fees, warm-up, ...).
    close : str
        ``HH:MM``: the end of ``as-close``'s horizon.
    block_s : float
        Length of the blocks and of the regimes' variance windows, seconds.
    regimes : {"past", "warmup"}
        Where the tercile thresholds of a block come from: every window before it (default: the warm-up and the
        blocks already over), or the warm-up's alone (the open is the day's most volatile stretch, so most
        blocks then come out calm).
    glft_lots : float
        GLFT's inventory limit in lots of the order size, chosen before the day is traded.
    """

    days: tuple = attrs.field(converter=tuple)
    skews: tuple = attrs.field(default=DEFAULT_SKEWS, converter=lambda v: tuple(float(x) for x in v))
    options: tuple = attrs.field(default=(), converter=tuple)
    close: str = "16:00"
    block_s: float = 300.0
    regimes: str = "past"
    glft_lots: float = DEFAULT_GLFT_LOTS

    def __attrs_post_init__(self) -> None:
        if self.regimes not in REGIME_THRESHOLDS:
            raise ConfigError(f"regimes must be one of {', '.join(REGIME_THRESHOLDS)}, got {self.regimes!r}")
        if not self.skews or not all(np.isfinite(s) and s > 0 for s in self.skews):
            raise ConfigError(f"skews must be numbers > 0, got {list(self.skews)}")
        if len(set(self.skews)) != len(self.skews):
            raise ConfigError("a skew is repeated")
        if not self.block_s > 0:
            raise ConfigError(f"block_s must be > 0, got {self.block_s!r}")
        if not (np.isfinite(self.glft_lots) and self.glft_lots > 0):
            raise ConfigError(f"glft_lots must be a number > 0, got {self.glft_lots!r}")

    names = ("day", "skew_ticks")

    @property
    def size(self) -> int:
        return len(self.days) * len(self.skews)

    def cell_params(self, index: int) -> dict:
        day, skew = divmod(index, len(self.skews))
        return {"day": self.days[day].name, "skew_ticks": self.skews[skew]}

    def cell_config(self, index: int) -> dict:
        day = self.days[index // len(self.skews)]
        return {"cell": index, **self.cell_params(index), "data": list(day.argv), "options": list(self.options),
                "close": self.close, "block_s": self.block_s, "regimes": self.regimes, "glft_lots": self.glft_lots}

    def run(self, index: int) -> dict:
        return run_day(self, self.days[index // len(self.skews)], self.skews[index % len(self.skews)], index)

    def table(self, rows) -> list[dict]:
        return list(rows)

    def check_days(self) -> None:
        """Open every day and read its warm-up, so that bad data is refused before any cell writes output.

        Raises
        ------
        DataError, ConfigError
            As a cell of that day would.
        """
        for day in self.days:
            _warmup(day, self.options, self.close)

    def headline(self) -> float:
        """The skew of the cells behind the regime table and the claims: :data:`HEADLINE_SKEW` if on the grid,
        else the grid's closest."""
        return min(self.skews, key=lambda s: (abs(np.log(s / HEADLINE_SKEW)), s))


def _warmup(day, options, close: str) -> tuple[float, float, float, object]:
    """``(tick size, warm-up sigma, warm-up end, replay args)`` of ``day``: what the gamma of a skew needs;
    ``close`` (A-S's horizon) is checked to fall after the warm-up."""
    args = replay_args(day, options, [])
    if not args.warmup_min > 0:
        raise ConfigError("the study calibrates on the warm-up and fixes the regimes from it: warmup_min must "
                          "be > 0", params=("warmup_min",))
    warm, trade_from = warmup_rows(open_tick_source(args), args.warmup_min)
    close_after(close, float(warm["ts"].iloc[0]), trade_from)
    tick = args.tick_size if args.tick_size is not None else infer_tick_size(warm)
    sigma = warmup_sigma(warm)
    if not sigma > 0:
        raise DataError(f"{day.name}: the mid does not move in the warm-up: gamma cannot be set from a skew")
    return tick, sigma, trade_from, args


def _steps_on_grid(ledger, grid: np.ndarray) -> np.ndarray:
    """The inventory in force at each time of ``grid``."""
    steps, _, _ = inventory_steps(ledger)
    idx = np.searchsorted(steps["time"].to_numpy(), grid, side="right") - 1
    return steps["inventory"].to_numpy()[np.clip(idx, 0, None)]


def _strategy_result(ledger, report: dict, edges: np.ndarray) -> dict:
    blocks = block_metrics(ledger, edges, HORIZONS)
    grid = np.arange(edges[0], edges[-1], PATH_STEP_S)
    q = _steps_on_grid(ledger, grid)
    keep = np.unique(np.linspace(0, len(grid) - 1, min(PATH_POINTS, len(grid))).astype(int))
    curve = markout_curve(markouts(ledger, CURVE_HORIZONS))
    params = report["strategy_params"]
    return {
        "blocks": {c: blocks[c].astype(float).tolist() for c in blocks.columns},
        "pnl": float(blocks["pnl"].sum()),
        "var_q": float(q.var()), "q95": float(np.quantile(np.abs(q), 0.95)),
        "max_abs_q": float(report["max_abs_inventory"]), "fills": int(report["fills"]),
        "avg_spread": float(path_metrics(ledger)["avg_spread"].iloc[0]),
        "markout": {c: curve[c].tolist() for c in ("side", "horizon", "mean", "se", "fills")},
        "path": {"time": grid[keep].tolist(), "inventory": q[keep].tolist()},
        "params": {k: params.get(k) for k in ("gamma", "k", "A", "sigma", "spread", "max_inventory", "close")
                   if params.get(k) is not None},
        "queue": report["market"]["queue"], "wall_s": report["wall_s"],
    }


def run_day(study: RealStudy, day, skew: float, index: int) -> dict:
    """Walk ``day`` forward at one-lot skew ``skew`` (ticks): every strategy of :data:`STRATEGIES`, the blocks,
    their regimes. Returns the cell's JSON-ready result."""
    start = time.perf_counter()
    tick, sigma, trade_from, args = _warmup(day, study.options, study.close)
    gamma = skew * tick / (sigma * sigma * args.horizon_s * args.order_size)
    g = ["--gamma", repr(gamma)]

    shared = SharedDay()  # the day's full book and warm-up fit, made once for the cell's five replays

    def replay(*argv):
        sim, report = replay_run(replay_args(day, study.options, argv), show_progress=False, shared=shared)
        return sim.ledger, report

    runs = {"as-rolling": replay("--strategy", "avellaneda-stoikov", *g),
            "as-close": replay("--strategy", "avellaneda-stoikov", *g, "--close", study.close)}
    as_ledger, as_report = runs["as-rolling"]
    spread = float(path_metrics(as_ledger)["avg_spread"].iloc[0])
    if not spread > 0:
        raise DataError(f"{day.name}: Avellaneda-Stoikov never quoted both sides: no spread for the naive quotes")
    runs["glft"] = replay("--strategy", "glft", *g, "--max-inventory", repr(study.glft_lots * args.order_size))
    # The naive benchmarks copy A-S's spread and reach after the fact, by design: benchmarks, not strategies.
    reach = repr(max(float(as_report["max_abs_inventory"]), args.order_size))
    runs["naive"] = replay("--strategy", "naive", "--spread", repr(spread))
    runs["naive-capped"] = replay("--strategy", "inventory-capped", "--spread", repr(spread),
                                  "--max-inventory", reach)

    marks = as_ledger.marks
    ts, mid = marks["time"].to_numpy(), marks["mid"].to_numpy()
    edges = block_edges(trade_from, float(as_report["end"]), study.block_s)
    step = study.block_s / WINDOWS_PER_BLOCK
    warmup = tercile_thresholds(ts, mid, float(ts[0]), trade_from, study.block_s, step)
    thresholds = (past_thresholds(ts, mid, float(ts[0]), edges, study.block_s, step) if study.regimes == "past"
                  else np.tile(warmup, (len(edges) - 1, 1)))
    variance = window_variance(ts, mid, edges[:-1], study.block_s)
    return {
        "cell": index, "day": day.name, "source": day.source, "date": day.date, "skew_ticks": skew, "gamma": gamma,
        "tick_size": tick,
        "setup": {k: getattr(args, k) for k in SETUP} | {"close": study.close, "block_s": study.block_s,
                                                          "regimes": study.regimes, "glft_lots": study.glft_lots},
        "sigma_warmup": sigma, "trade_from": trade_from, "end": float(as_report["end"]),
        "edges": edges.tolist(), "warmup_thresholds": list(warmup), "thresholds": thresholds.tolist(),
        "variance": variance.tolist(),
        "labels": regime_labels(variance, thresholds).tolist(),
        "strategies": {name: _strategy_result(ledger, report, edges) for name, (ledger, report) in runs.items()},
        "wall_s": round(time.perf_counter() - start, 3),
    }
