"""Runs of any size: refused up front when one path cannot fit, streamed to disk in bounded memory otherwise,
with the same files bit for bit whatever --workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.metrics import RunningSummary, path_metrics, summarize
from engine import ExponentialFills, Ledger, run_paths
from feeds import SyntheticMarket
from mmsim import cmd_replay, cmd_run, paper
from mmsim.cli import main
from mmsim.compare import compare
from strategies import SymmetricSpread

REPO = Path(__file__).resolve().parents[2]
SMALL = ["--T", "0.05", "--strategy", "naive", "--seed", "4"]


@pytest.mark.parametrize("args, needles", [
    (["run", "--A", "1e12"], ["A=1e+12", "2e+12 events per path", "lower A or T"]),
    (["run", "--dt", "1e-9"], ["dt=1e-09", "1e+09 events per path", "raise dt or lower T"]),
    (["run", "--T", "1e6"], ["T=1e+06", "4.8e+08 events per path"]),
    (["paper", "--paths", "100000000"], ["paths=100000000", "2e+10 path-steps"]),
    (["replay", "day.csv", "--requote-ms", "1e-9"], ["--requote-ms 1e-09", "8.64e+16 requotes per day"]),
])
def test_what_cannot_fit_is_refused_at_once_naming_the_option_and_the_event_count(tmp_path, capsys, monkeypatch,
                                                                                   args, needles):
    """Exit 2 before any simulation, one line naming the option and the estimated count, nothing written."""

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before refusing")

    for module, name in ((cmd_run, "compare"), (paper, "run_vectorised"), (cmd_replay, "Simulation")):
        monkeypatch.setattr(module, name, no_simulation)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    assert not list(tmp_path.iterdir())


def test_streamed_ledger_files_are_the_same_bit_for_bit_whatever_the_workers(tmp_path, capsys, monkeypatch):
    """--workers 1 and 2 write byte-identical ledger and per-path files, which read back as run_paths' ledger;
    a run larger than the report budget draws its report from the first paths, and mmsim report rebuilds it."""
    monkeypatch.setattr(cmd_run, "REPORT_EVENTS", 200.0)  # about 8 paths of this market (24 events each)
    for workers in ("1", "2"):
        assert main(["run", *SMALL, "--paths", "64", "--workers", workers, "--out", str(tmp_path / workers),
                     "--json"]) == 0
    capsys.readouterr()
    names = ["fills.parquet", "quotes.parquet", "marks.parquet", "paths.parquet"]
    for name in names:
        assert (tmp_path / "1" / "naive" / name).read_bytes() == (tmp_path / "2" / "naive" / name).read_bytes()
    market = SyntheticMarket(T=0.05)
    spread = json.loads((tmp_path / "1" / "summary.json").read_text())["config"]
    expected = run_paths(market, SymmetricSpread(cmd_run.build_strategies(["naive"], _args(spread), market)[0].spread),
                         ExponentialFills(), paths=64, seed=4)
    saved = Ledger.load(tmp_path / "1" / "naive")
    for table in ("fills", "quotes", "marks"):
        pd.testing.assert_frame_equal(getattr(saved, table), getattr(expected, table))

    summary = json.loads((tmp_path / "1" / "summary.json").read_text())
    shown = summary["report"]["paths"]
    assert shown == int(200 // market.expected_events) and summary["config"]["report_paths"] == \
        f"the first {shown:,} of 64 paths"
    assert summary["rows"][0]["pnl_mean"] == pytest.approx(path_metrics(expected)["pnl"].mean(), rel=1e-12)
    assert main(["report", str(tmp_path / "1")]) == 0


def _args(config: dict):
    from types import SimpleNamespace
    return SimpleNamespace(**config)


def test_pooled_summary_of_blocks_equals_the_summary_of_all_paths():
    """Folding paths into blocks of moments and pooling them (Chan et al.) gives summarize() of all of them:
    the pooled mean and variance are exact identities, so only rounding (1e-12 relative) may differ."""
    rng = np.random.default_rng(3)
    per_path = pd.DataFrame({"pnl": rng.normal(5, 2, 1000), "final_q": rng.integers(-5, 6, 1000).astype(float),
                             "mean_q2": rng.exponential(3, 1000), "fills": rng.poisson(20, 1000).astype(float),
                             "avg_spread": np.where(rng.random(1000) < 0.1, np.nan, rng.uniform(1, 2, 1000))})
    running = RunningSummary(block_paths=97)
    for start in range(0, 1000, 41):
        running.add(per_path.iloc[start:start + 41])
    pooled, whole = running.summary(), summarize(per_path)
    assert pooled.keys() == whole.keys()
    for key in whole:
        assert pooled[key] == pytest.approx(whole[key], rel=1e-12), key


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's memory from /proc")
def test_a_billion_path_run_stays_bounded_in_memory_and_ctrl_c_leaves_nothing(tmp_path):
    """mmsim run --paths 1000000000 used to grow about 100 MB/s until killed. Its memory now levels off once the
    report's first paths are kept (the buffers then fill and flush), so from 8 s to 14 s it may move by the
    size of those buffers but not by 100 MB a second; Ctrl-C then leaves no --out."""
    out = tmp_path / "big"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "mmsim", "run", "--paths", "1000000000", "--strategy", "naive",
                             "--out", str(out)], cwd=out.parent, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def rss_mb() -> float:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    # Start-up and the report's first paths take a few seconds (longer on a busy machine): measure after 8 s.
    time.sleep(8)
    early = rss_mb()
    time.sleep(6)
    late = rss_mb()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    # The old growth was ~100 MB/s (600 MB here); now at most the write buffers and a few seconds of the
    # cycles collected every COLLECT_INTERVAL_S (measured plateau: 500 to 550 MB, from about 5 s on).
    assert late - early < 300, f"memory grew from {early:.0f} MB to {late:.0f} MB in 6 s"
    assert proc.returncode == 130 and err.decode().strip() == "mmsim run: interrupted"
    assert not out.exists()


def test_a_streamed_run_keeps_only_the_first_paths_in_memory_and_all_of_them_on_disk(tmp_path):
    """compare(out=, keep_paths=3): the files hold every path, memory only paths 0..2, the summary all."""
    market = SyntheticMarket(T=0.05)
    [result] = compare(market, [SymmetricSpread(1.0)], ExponentialFills(), paths=40, seed=2, out=tmp_path,
                       keep_paths=3)
    assert result.paths_kept == 3 and sorted(set(result.ledger.marks["path"])) == [0, 1, 2]
    saved = Ledger.load(tmp_path / result.name)
    assert sorted(set(saved.marks["path"])) == list(range(40))
    per_path = pd.read_parquet(tmp_path / result.name / "paths.parquet")
    assert list(per_path["path"]) == list(range(40)) and result.summary["paths"] == 40
    assert result.summary["pnl_mean"] == pytest.approx(per_path["pnl"].mean(), rel=1e-12)
    assert sorted(set(Ledger.load(tmp_path / result.name, paths=3).marks["path"])) == [0, 1, 2]
