"""Replay benchmark: the full AAPL LOBSTER day (2012-06-21) against Avellaneda-Stoikov requoting every 100 ms,
and the GOOG day at level 10 (full book, exact queues) against level 1.

Targets (issue 5): the replay itself under 2 s; ``mmsim replay`` end to end (read, replay, write the ledger)
under 5 s; peak memory under 500 MB. Issue 11: the GOOG level-10 process no slower than 1.5x the level-1 one,
peak memory under 500 MB. Run with::

    python -m pytest benchmarks/bench_replay.py --benchmark-only

Needs the tick-file readers (``feeds.read_lobster``) and ``<repo>/../shared/data/lobster``; skipped otherwise.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import feeds
from engine.replay_fills import TradeThroughFills
from feeds import FrameSource
from mmsim.cmd_replay import replay
from strategies import Retimed, RollingAvellanedaStoikov

AAPL = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lobster"
        / "AAPL_2012-06-21_34200000_57600000_message_1.csv")

pytestmark = pytest.mark.skipif(not hasattr(feeds, "read_lobster") or not AAPL.is_file(),
                                reason=f"needs feeds.read_lobster and {AAPL}")

# Prints the command's JSON, then its own peak RSS (kB on Linux) on the last line of stderr.
_CLI = """
import resource, sys
from mmsim.cli import main
code = main(sys.argv[1:])
sys.stderr.write(f"\\nmaxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
sys.exit(code)
"""


@pytest.fixture(scope="module")
def aapl_in_memory() -> FrameSource:
    """The day read once, so the benchmark times the replay alone."""
    source = feeds.read_lobster(AAPL)
    return FrameSource(list(source.chunks()), name=source.name)


def test_replay_aapl_day_avellaneda_stoikov_100ms(benchmark, aapl_in_memory):
    """The replay loop alone (data already in memory): under 2 s."""
    def run():
        strategy = Retimed(RollingAvellanedaStoikov(k=20.0), 0.1)
        return replay(aapl_in_memory, strategy, TradeThroughFills(0.01))

    sim = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info.update(events=sim.scheduler.events, fills=sim.fill_count)
    assert benchmark.stats.stats.min < 2.0


def test_cli_end_to_end_time_and_peak_memory(benchmark, tmp_path):
    """``mmsim replay AAPL --out DIR`` in a fresh process: under 5 s and under 500 MB peak RSS."""
    peaks = []

    def run():
        out = subprocess.run([sys.executable, "-c", _CLI, "replay", str(AAPL), "--out", str(tmp_path / "out"),
                              "--json"], capture_output=True, text=True, check=True)
        peaks.append(int(out.stderr.strip().splitlines()[-1].split("=")[1]))
        return json.loads(out.stdout)

    start = time.perf_counter()
    report = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info.update(peak_rss_mb=max(peaks) / 1024, replay_s=report["wall_s"],
                                wall_per_run_s=(time.perf_counter() - start) / 3)
    assert benchmark.stats.stats.min < 5.0
    assert max(peaks) / 1024 < 500


GOOG = AAPL.with_name("GOOG_2012-06-21_34200000_57600000_message_{}.csv")


def _cli_run(path: Path) -> tuple[float, float, float, dict]:
    """``mmsim replay PATH --json`` (defaults: Avellaneda-Stoikov requoting every 100 ms) in a fresh process:
    wall seconds, CPU seconds of the child, peak RSS in MB, and the report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CLI, "replay", str(path), "--json"], capture_output=True,
                         text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(out.stderr.strip().splitlines()[-1].split("=")[1]) / 1024
    return wall, cpu, peak, json.loads(out.stdout)


@pytest.mark.skipif(not Path(str(GOOG).format(10)).is_file(), reason="needs the GOOG level-10 LOBSTER files")
def test_goog_level_ten_with_exact_queues_against_level_one(benchmark):
    """The whole process on the GOOG day at level 10 (full book, exact queues) against level 1 (issue 11): no
    slower than 1.5x, peak memory under 500 MB. Runs alternate, so both see the same load; the ratio of the
    fastest of each (wall and CPU) is reported."""
    runs = {1: [], 10: []}

    def both():
        for level in (1, 10):
            runs[level].append(_cli_run(Path(str(GOOG).format(level))))

    benchmark.pedantic(both, rounds=3, iterations=1)
    best = {level: (min(r[0] for r in rs), min(r[1] for r in rs), max(r[2] for r in rs))
            for level, rs in runs.items()}
    report = runs[10][0][3]
    benchmark.extra_info.update(
        level1_wall_s=best[1][0], level10_wall_s=best[10][0], wall_ratio=best[10][0] / best[1][0],
        level1_cpu_s=best[1][1], level10_cpu_s=best[10][1], cpu_ratio=best[10][1] / best[1][1],
        level1_peak_rss_mb=best[1][2], level10_peak_rss_mb=best[10][2], level10_events=report["events"],
        level10_queue=report["market"]["queue"])
    print(f"\nGOOG level 1: {best[1][0]:.2f} s wall, {best[1][1]:.2f} s CPU, {best[1][2]:.0f} MB; level 10: "
          f"{best[10][0]:.2f} s wall, {best[10][1]:.2f} s CPU, {best[10][2]:.0f} MB; ratio {best[10][0] / best[1][0]:.2f} "
          f"wall, {best[10][1] / best[1][1]:.2f} CPU")
    assert report["market"]["queue"] == "l3"
    assert best[10][1] / best[1][1] <= 1.5
    assert best[10][2] < 500
