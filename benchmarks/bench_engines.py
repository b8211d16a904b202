"""Benchmarks (pytest-benchmark): the scheduler, the event engine, and the paper experiment on both engines.

Run with ``pytest benchmarks/ --benchmark-only``; plain ``pytest`` does not collect this folder (testpaths).
See ``benchmarks/README.md`` for the figures measured and what limits them.
Each benchmark records its throughput and its target in ``benchmark.extra_info``.
"""

from __future__ import annotations

import copy

from engine import ExponentialFills, Ledger, Scheduler, Simulation, path_seed
from feeds import SyntheticMarket
from mmsim.paper import PAPER_GAMMAS, run_paper
from strategies import AvellanedaStoikov

SCHEDULER_EVENTS = 200_000
ENGINE_PATHS = 200


def _chain(events: int) -> Scheduler:
    """A scheduler holding a chain of ``events`` trivial events, each scheduling the next."""
    scheduler = Scheduler()
    schedule = scheduler.schedule

    def handler(i: int) -> None:
        if i < events:
            schedule(scheduler.now + 0.001, 1, handler, i + 1)

    schedule(0.0, 1, handler, 1)
    return scheduler


def test_scheduler_events_per_second(benchmark):
    """Raw scheduler: push + pop + a handler that only schedules the next event."""
    chains: list[Scheduler] = []

    def setup():
        chains.append(_chain(SCHEDULER_EVENTS))
        return (chains[-1],), {}

    benchmark.pedantic(Scheduler.run, setup=setup, rounds=5, iterations=1)
    assert all(s.events == SCHEDULER_EVENTS for s in chains)
    benchmark.extra_info.update(events=SCHEDULER_EVENTS, events_per_s=round(SCHEDULER_EVENTS / benchmark.stats.stats.min))


def test_event_engine_events_per_second_on_the_default_market(benchmark):
    """The event engine on the default synthetic A-S market (A-S gamma 0.1, exact fills), per-path setup included."""
    market, strategy, fills = SyntheticMarket(), AvellanedaStoikov(), ExponentialFills()

    def run() -> int:
        ledger, events = Ledger(), 0
        for path in range(ENGINE_PATHS):
            sim = Simulation(market, copy.copy(strategy), fills, seed=path_seed(0, path), ledger=ledger, path=path)
            sim.run()
            events += sim.scheduler.events
        return events

    events = benchmark.pedantic(run, rounds=5, iterations=1)
    rate = events / benchmark.stats.stats.min
    benchmark.extra_info.update(paths=ENGINE_PATHS, events=events, events_per_s=round(rate),
                                target_events_per_s=500_000)


def test_paper_experiment_vectorised(benchmark):
    """The full paper experiment (3 gammas x 2 strategies x 1000 paths, step fills) on the vectorised engine."""
    rows = benchmark.pedantic(run_paper, args=(PAPER_GAMMAS,), kwargs={"paths": 1000}, rounds=5, iterations=1)
    assert len(rows) == 6
    benchmark.extra_info.update(target_s=0.5, best_s=round(benchmark.stats.stats.min, 3))


def test_paper_experiment_vectorised_with_exact_fills(benchmark):
    """The same with both fill models (what ``mmsim paper --fills exact`` runs): 12 strategy runs."""
    rows = benchmark.pedantic(run_paper, args=(PAPER_GAMMAS,), kwargs={"paths": 1000, "fills": ("step", "exact")},
                              rounds=5, iterations=1)
    assert len(rows) == 12
    benchmark.extra_info.update(best_s=round(benchmark.stats.stats.min, 3))


def test_paper_experiment_event_engine(benchmark):
    """The full paper experiment on the event engine (one process)."""
    rows = benchmark.pedantic(run_paper, args=(PAPER_GAMMAS,), kwargs={"paths": 1000, "engine": "event"},
                              rounds=1, iterations=1)
    assert len(rows) == 6
    benchmark.extra_info.update(target_s=15.0, best_s=round(benchmark.stats.stats.min, 3))
