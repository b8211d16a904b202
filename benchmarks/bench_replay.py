"""Replay benchmark: the full AAPL LOBSTER day (2012-06-21) against Avellaneda-Stoikov requoting every 100 ms.

Targets (issue 5): the replay itself under 2 s; ``mmsim replay`` end to end (read, replay, write the ledger)
under 5 s; peak memory under 500 MB. Run with::

    python -m pytest benchmarks/bench_replay.py --benchmark-only

Needs the tick-file readers (``feeds.read_lobster``) and ``<repo>/../shared/data/lobster``; skipped otherwise.
"""

from __future__ import annotations

import json
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
