"""``mmsim sweep``: outputs, bad grids, and a sweep killed mid-run then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from mmsim.cli import main

REPO = Path(__file__).resolve().parents[2]
SMALL = ["--T", "0.2", "--paths", "4", "--seed", "3", "--workers", "1"]


def test_writes_the_table_csv_cells_and_a_report_with_heatmaps(tmp_path, capsys):
    """--json prints the rows; sweep.parquet, sweep.csv, one file per cell and report.html are written."""
    args = ["sweep", "--grid", "gamma=0.1,1", "--grid", "impact=0,0.05", *SMALL, "--out", str(tmp_path), "--csv",
            "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["gamma"], r["impact"]) for r in report["rows"]] == [(0.1, 0), (0.1, 0.05), (1, 0), (1, 0.05)]
    table = pd.read_parquet(tmp_path / "sweep.parquet")
    assert len(table) == 4 and {"pnl_mean", "sharpe", "mean_q2", "inventory_pnl_mean"} <= set(table.columns)
    assert len(pd.read_csv(tmp_path / "sweep.csv")) == 4
    assert len(list((tmp_path / "cells").glob("cell-*.json"))) == 4
    html = (tmp_path / "report.html").read_text()
    assert "fig-heatmaps-0" in html and "fig-heatmaps-1" not in html


def test_a_strategy_axis_compares_the_shipped_strategies(tmp_path, capsys):
    """strategy=glft,as-infinite,avellaneda-stoikov is an axis like any other."""
    assert main(["sweep", "--grid", "strategy=glft,as-infinite,avellaneda-stoikov", *SMALL, "--out",
                 str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["strategy"] for r in rows] == ["glft", "as-infinite", "avellaneda-stoikov"]


@pytest.mark.parametrize("grid, message", [
    ([], "the sweep has no axis: give at least one --grid NAME"),
    (["--grid", "gamma=0.1,0"], "grid gamma: every value must be > 0"),
    (["--grid", "kappa=1"], "unknown parameter 'kappa'"),
    (["--grid", "gamma:0.1"], "malformed"),
])
def test_bad_grids_exit_2_with_one_line(tmp_path, capsys, grid, message):
    """Empty grid, non-positive gamma, unknown names and malformed specs: exit 2, one line, nothing written."""
    assert main(["sweep", *grid, *SMALL, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_sweep_killed_mid_run_and_resumed_equals_an_uninterrupted_one(tmp_path):
    """SIGKILL after some cells are stored; --resume finishes it; every cell once, table as if never stopped."""
    grid = ["--grid", "gamma=0.05,0.1,0.5,1", "--grid", "strategy_k=1,1.5,3", "--paths", "60", "--seed", "5",
            "--workers", "1"]
    out = tmp_path / "killed"
    cells = out / "cells"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "mmsim", "sweep", *grid, "--out", str(out)], cwd=out.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(cells.glob("cell-*.json"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = len(list(cells.glob("cell-*.json")))
    assert 3 <= stored < 12, "the sweep should have been killed part-way"
    assert main(["sweep", *grid, "--out", str(out), "--resume"]) == 0
    assert main(["sweep", *grid, "--out", str(tmp_path / "whole")]) == 0
    resumed = pd.read_parquet(out / "sweep.parquet")
    whole = pd.read_parquet(tmp_path / "whole" / "sweep.parquet")
    pd.testing.assert_frame_equal(resumed, whole)
    assert list(resumed["cell"]) == list(range(12))
    assert sorted(p.name for p in cells.glob("cell-*.json")) == [f"cell-{i:06d}.json" for i in range(12)]


def test_ctrl_c_stops_at_once_with_exit_130_and_keeps_the_finished_cells(tmp_path):
    """SIGINT on a 2-process sweep: exit 130, one line, only whole cell files, no temporary file left behind."""
    out = tmp_path / "stopped"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "mmsim", "sweep", "--grid", "gamma=0.05,0.1,0.5,1",
                             "--grid", "strategy_k=1,1.5,3", "--paths", "150", "--workers", "2", "--engine", "event",
                             "--out", str(out)],
                            cwd=out.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "cells").glob("cell-*.json")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.decode().strip() == "mmsim sweep: interrupted"
    files = list((out / "cells").iterdir())
    assert 1 <= len(files) < 12 and all(p.name.startswith("cell-") for p in files)
    for path in files:
        json.loads(path.read_text())



def test_an_unreachable_scheduler_exits_2_and_leaves_no_folder(tmp_path, capsys, monkeypatch):
    """--dask with a scheduler that cannot be reached: one line, exit 2, and the new --out is removed again."""
    distributed = pytest.importorskip("distributed")

    def refuse(*args, **kwargs):
        raise OSError("Timed out trying to connect")

    monkeypatch.setattr(distributed, "Client", refuse)
    assert main(["sweep", "--grid", "gamma=0.1,1", *SMALL, "--dask", "tcp://127.0.0.1:1",
                 "--out", str(tmp_path / "out")]) == 2
    assert "cannot reach the scheduler" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_command_line_names_its_options_where_the_sweep_names_parameters(tmp_path, capsys, monkeypatch):
    """run_sweep says resume, out_dir and dask; mmsim sweep says --resume, --out and --dask, on one line, and
    leaves the package name (dask.distributed, mmsim[dask]) alone."""
    out = str(tmp_path / "out")
    assert main(["sweep", "--grid", "gamma=0.1,1", *SMALL, "--out", out]) == 0
    capsys.readouterr()
    assert main(["sweep", "--grid", "gamma=0.1,1", *SMALL, "--out", out]) == 2
    assert capsys.readouterr().err == (f"mmsim sweep: error: {out} already holds 2 finished cell(s): add --resume to "
                                       "continue that sweep, or use another --out\n")
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` raise ImportError
    assert main(["sweep", "--grid", "gamma=0.1,1", *SMALL, "--dask", "local", "--out", str(tmp_path / "new")]) == 2
    assert capsys.readouterr().err == ("mmsim sweep: error: --dask needs dask.distributed, which is not installed: "
                                       "pip install 'mmsim[dask]'\n")
