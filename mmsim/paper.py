"""The ``mmsim paper`` recipe: the Monte Carlo experiment of Avellaneda and Stoikov (2008), section 3.3.

Settings (the published version's): ``s0 = 100``, ``T = 1``, ``sigma = 2``, ``dt = 0.005`` (200 steps),
``q0 = 0``, cash 0, ``A = 140``, ``k = 1.5``. At each step the quotes are computed from the current state; the bid
and the ask then fill independently, each with probability ``min(1, A exp(-k delta) dt)`` (``delta`` its distance
from the mid); then the mid moves by ``+/- sigma sqrt(dt)`` with equal probability. Profit is
``cash_T + q_T S_T``. Per gamma two strategies run on the same paths: ``inventory`` (Avellaneda-Stoikov quotes
around the reservation price) and ``symmetric`` (the inventory strategy's time-average spread, centred on the mid).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import closing

import attrs

from analytics import path_metrics, summarize
from analytics.metrics import RunningSummary
from engine import ConfigError, ExponentialFills, StepFills, draw_paths, iter_ledgers, run_vectorised
from engine.errors import check_positive
from feeds import SyntheticMarket
from mmsim.specs import StrategySpec, build_strategies
from strategies import Retimed

#: The gammas of the paper's three tables, in its order.
PAPER_GAMMAS = (0.1, 0.01, 1.0)
FILLS = ("step", "exact")
ENGINES = ("vectorised", "event")
#: Keys of every row (``fills``: "step" or "exact"; ``fills_mean``: fills per path, both sides).
ROW_KEYS = ("gamma", "strategy", "fills", "avg_spread", "profit_mean", "profit_std", "final_q_mean", "final_q_std",
            "fills_mean")
METRICS = ("avg_spread", "profit_mean", "profit_std", "final_q_mean", "final_q_std")

#: The published tables: gamma -> strategy -> (avg spread, profit, std(profit), final q, std(final q)).
PUBLISHED = {
    0.1: {"inventory": (1.29, 62.94, 5.89, 0.10, 2.80), "symmetric": (1.29, 67.21, 13.43, -0.018, 8.66)},
    0.01: {"inventory": (1.33, 66.78, 8.76, -0.02, 4.70), "symmetric": (1.33, 67.36, 13.39, -0.31, 8.65)},
    1.0: {"inventory": (1.15, 33.92, 4.72, -0.02, 1.88), "symmetric": (1.15, 33.42, 8.40, 0.04, 3.26)},
}


def paper_market() -> SyntheticMarket:
    """The paper's market, spelled out (they are also :class:`feeds.SyntheticMarket`'s defaults today)."""
    return SyntheticMarket(s0=100.0, T=1.0, sigma=2.0, dt=0.005, A=140.0, k=1.5, increments="binary")


def published_rows(gammas: Sequence[float]) -> list[dict]:
    """The paper's published figures for those of ``gammas`` it has a table for, with the keys of :data:`METRICS`."""
    rows = []
    for gamma in gammas:
        for strategy, values in PUBLISHED.get(float(gamma), {}).items():
            rows.append({"gamma": float(gamma), "strategy": strategy, **dict(zip(METRICS, values))})
    return rows


def paper_strategies(gamma: float, market: SyntheticMarket) -> dict[str, object]:
    """The two strategies of one table: ``inventory`` and ``symmetric`` (with the inventory strategy's average
    spread over the quote grid ``0, dt, ..., T - dt``)."""
    inventory, symmetric = build_strategies(("avellaneda-stoikov", "naive"), StrategySpec(gamma=gamma), market,
                                            market.A)
    return {"inventory": inventory, "symmetric": symmetric}


def _row(gamma: float, strategy: str, fills: str, summary: dict) -> dict:
    return {"gamma": gamma, "strategy": strategy, "fills": fills, "avg_spread": summary["avg_spread"],
            "profit_mean": summary["pnl_mean"], "profit_std": summary["pnl_std"],
            "final_q_mean": summary["final_q_mean"], "final_q_std": summary["final_q_std"],
            "fills_mean": summary["fills_mean"]}


def run_paper(gammas: Sequence[float] = PAPER_GAMMAS, *, paths: int = 1000, seed: int = 0,
              fills: Sequence[str] = ("step",), engine: str = "vectorised", workers: int = 1,
              progress: Callable[[int], None] | None = None) -> list[dict]:
    """Run the experiment and return one row per fill model, gamma and strategy.

    Parameters
    ----------
    gammas : sequence of float
        Risk aversions (each > 0), one table each.
    paths, seed : int
        Paths per strategy, and the seed. Every strategy, gamma and fill model meets the same mid paths.
    fills : sequence of {"step", "exact"}
        ``step``: the paper's ``min(1, A exp(-k delta) dt)`` per step; ``exact``: continuous-time Poisson market
        orders with exponential depths, quotes held through each step (see :mod:`engine.vectorised`).
    engine : {"vectorised", "event"}
        The vectorised engine (default, fast) or the event engine (the same model event by event).
    workers : int
        Processes for the event engine.
    progress : callable, optional
        Called with the number of paths finished (event engine only).

    Returns
    -------
    list of dict
        Keys :data:`ROW_KEYS`, in the order fills, gamma, strategy.

    Raises
    ------
    ConfigError
        If a gamma is not > 0, a fill model or engine is unknown, or ``paths`` or ``seed`` is out of range.
    """
    gammas = [check_positive("gamma", g) for g in gammas]
    if not gammas:
        raise ConfigError("gamma: give at least one value")
    for f in fills:
        if f not in FILLS:
            raise ConfigError(f"fills must be 'step' or 'exact', got {f!r}")
    if engine not in ENGINES:
        raise ConfigError(f"engine must be 'vectorised' or 'event', got {engine!r}")
    market = paper_market()
    draws = draw_paths(market, paths=paths, seed=seed) if engine == "vectorised" else None
    rows = []
    for fill in fills:
        # The step model draws its fills itself: the event engine's market then needs no market orders.
        fill_model = StepFills(A=market.A, k=market.k, dt=market.dt) if fill == "step" else ExponentialFills()
        event_market = attrs.evolve(market, A=0.0) if fill == "step" else market
        for gamma in gammas:
            for name, strategy in paper_strategies(gamma, market).items():
                if draws is not None:
                    summary = summarize(run_vectorised(market, strategy, fill_model, draws=draws).columns())
                else:  # task by task, so that memory stays bounded whatever the number of paths
                    running = RunningSummary()
                    retimed = Retimed(strategy, requote_on_tick=True, requote_on_fill=False)
                    with closing(iter_ledgers(event_market, retimed, fill_model, paths=paths, seed=seed,
                                              workers=workers, progress=progress)) as parts:
                        for part in parts:
                            running.add(path_metrics(part))
                    summary = running.summary()
                rows.append(_row(gamma, name, fill, summary))
    return rows
