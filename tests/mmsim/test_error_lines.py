"""Faults that used to end in a traceback (issue 15 item 8) now end as the README promises: one line on stderr
naming the file or option, exit code 2, and nothing half-written on disk."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from mmsim.cli import main

#: A short synthetic run: one strategy, a few short paths.
SMALL_RUN = ["--strategy", "naive", "--paths", "2", "--T", "0.2"]

STRATEGIES = '''
import threading
from strategies import Quote, Strategy

class Locked(Strategy):
    """Holds a lock: it cannot be copied for each path, nor pickled to a worker."""
    def __init__(self):
        self.lock = threading.Lock()
    def quote(self, state):
        return Quote(state.mid - 1, state.mid + 1)

class Quits(Strategy):
    def quote(self, state):
        raise SystemExit(0)
'''


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory) -> Path:
    """The results folder of a small run (copied by each test that spoils it)."""
    out = tmp_path_factory.mktemp("saved") / "run"
    assert main(["run", *SMALL_RUN, "--out", str(out)]) == 0
    return out


def one_line(capsys, argv, *, code=2) -> str:
    """Run ``mmsim argv``; assert the exit code and one line on stderr, no traceback; return the line."""
    assert main([str(a) for a in argv]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("command", ["replay", "calibrate"])
def test_an_empty_lobster_pair(tmp_path, capsys, command):
    message = tmp_path / "X_2012-06-21_34200000_57600000_message_1.csv"
    message.write_bytes(b"")
    message.with_name(message.name.replace("message", "orderbook")).write_bytes(b"")
    line = one_line(capsys, [command, message, "--out", tmp_path / "out"])
    assert line == f"mmsim {command}: error: {message}: no data rows (an empty LOBSTER message file)"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spoil, expected", [
    (lambda path: path.write_bytes(b"not parquet"), "fills.parquet: not a readable Parquet ledger file"),
    (lambda path: pd.read_parquet(path).assign(time=lambda f: [[t] for t in f["time"]]).to_parquet(path),
     "fills.parquet: column time holds object values, not numbers"),
])
def test_a_corrupt_ledger_under_mmsim_report(saved_run, tmp_path, capsys, spoil, expected):
    """The report being rebuilt is left as it was."""
    out = shutil.copytree(saved_run, tmp_path / "run")
    report = (out / "report.html").read_bytes()
    spoil(out / "naive" / "fills.parquet")
    assert expected in one_line(capsys, ["report", out])
    assert (out / "report.html").read_bytes() == report


@pytest.mark.parametrize("field, value, expected", [
    ("report", {"cap": "x"}, "summary.json: 'report' field 'cap' is 'x': expected a number"),
    ("report", {"horizons": "x"}, "summary.json: 'report' field 'horizons' is 'x': expected a list of numbers"),
    ("report", {"title": 5}, "summary.json: 'report' field 'title' is 5: expected text"),
    ("report", {"clock": "weird"}, "run: clock must be 'synthetic' or 'real', got 'weird'"),
    ("config", 7, "summary.json: 'config' must be an object"),
])
def test_a_hand_edited_summary_under_mmsim_report(saved_run, tmp_path, capsys, field, value, expected):
    """summary.json's report options of the wrong type used to end in a TypeError or AttributeError."""
    out = shutil.copytree(saved_run, tmp_path / "run")
    report = (out / "report.html").read_bytes()
    summary = json.loads((out / "summary.json").read_text())
    (out / "summary.json").write_text(json.dumps({**summary, field: value}))
    assert one_line(capsys, ["report", out]).endswith(expected)
    assert (out / "report.html").read_bytes() == report


def test_a_read_only_folder(tmp_path, capsys, monkeypatch):
    """Nothing can be created under --out (simulated: the tests may run as root, whom permissions do not stop)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):
        if Path(path).is_relative_to(locked):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    # The folder is named, not the staging folder mmsim tried to create in it.
    line = one_line(capsys, ["run", *SMALL_RUN, "--out", locked])
    assert line == f"mmsim run: error: {locked}: Read-only file system"
    line = one_line(capsys, ["run", *SMALL_RUN, "--out", locked / "new"])
    assert line == f"mmsim run: error: --out '{locked / 'new'}': cannot create the directory (Read-only file system)"
    assert files(locked) == set()


def test_a_full_disk(tmp_path, capsys, monkeypatch):
    """The disk fills up while the ledger is written: the half-written file and the new folder are removed."""
    def to_parquet(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    def write_table(self, table, *args, **kwargs):  # the ledger is streamed to its files in pieces
        raise OSError(errno.ENOSPC, "No space left on device", str(self.where))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    line = one_line(capsys, ["run", *SMALL_RUN, "--out", "full"])
    assert line == f"mmsim run: error: {tmp_path / 'full'}: No space left on device"
    assert files(tmp_path) == set()


def test_sweep_with_a_dask_address_that_is_not_one(tmp_path, capsys):
    line = one_line(capsys, ["sweep", "--dask", "foo", "--grid", "gamma=0.1", "--paths", "2", "--out",
                             tmp_path / "sweep"])
    assert "argument --dask: expected local or a scheduler address like tcp://HOST:PORT, got 'foo'" in line
    assert not (tmp_path / "sweep").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_strategy_that_cannot_be_copied(tmp_path, capsys, workers):
    (tmp_path / "mine.py").write_text(STRATEGIES)
    line = one_line(capsys, ["run", "--strategy", f"{tmp_path / 'mine.py'}:Locked", "--paths", "4", "--workers",
                             workers, "--out", tmp_path / "out"])
    assert line.startswith("mmsim run: error: strategy Locked cannot be copied for each path or sent to worker "
                           "processes (cannot pickle '_thread.lock' object)")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["run", "--paths", "2", "--T", "0.2"], ["replay"]])
def test_a_strategy_that_calls_sys_exit_does_not_exit_0(tmp_path, capsys, command):
    (tmp_path / "mine.py").write_text(STRATEGIES)
    data = []
    if command == ["replay"]:
        (tmp_path / "q.csv").write_text("ts,bid,ask\n1.0,9.99,10.01\n2.0,9.98,10.00\n")
        (tmp_path / "t.csv").write_text("ts,price,size,side\n1.5,10.01,5,buy\n")
        # A one-second day: no warm-up, so the tick size is given.
        data = ["--quotes", tmp_path / "q.csv", "--trades", tmp_path / "t.csv", "--warmup-min", "0",
                "--tick-size", "0.01"]
    line = one_line(capsys, [*command, *data, "--strategy", f"{tmp_path / 'mine.py'}:Quits", "--out",
                             tmp_path / "out"])
    assert " raised in quote at t=" in line and line.endswith("SystemExit(0)")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("findings, problem", [
    (".", "is a folder: give a file name"),
    ("nope/deeper/findings.md", "the folder 'nope/deeper' does not exist"),
])
def test_study_findings_that_cannot_be_a_file_are_refused_before_the_study(tmp_path, capsys, findings, problem):
    line = one_line(capsys, ["study", "--paths", "10", "--out", "study", "--findings", findings])
    assert line.startswith(f"mmsim study: error: --findings {findings!r}") and problem in line
    assert files(tmp_path) == set()


def test_a_list_typed_parquet_column(tmp_path, capsys):
    """A Parquet quotes file whose bid holds lists (one number each) is refused at its first row."""
    pd.DataFrame({"ts": [1.0, 2.0], "bid": [[9.99], [9.98]], "ask": [10.01, 10.0]}).to_parquet(tmp_path / "q.parquet")
    pd.DataFrame({"ts": [1.5], "price": [10.01], "size": [5.0], "side": ["buy"]}).to_parquet(tmp_path / "t.parquet")
    line = one_line(capsys, ["replay", "--quotes", tmp_path / "q.parquet", "--trades", tmp_path / "t.parquet",
                             "--out", tmp_path / "out"])
    assert line == f"mmsim replay: error: {tmp_path / 'q.parquet'}: data row 1: bid array([9.99]) is not a number"
    assert not (tmp_path / "out").exists()


def test_library_errors_name_parameters_and_the_command_line_names_its_options():
    """The library says ``window_s``; ``mmsim calibrate`` shows the same error with its option, ``--window-s``;
    a name the command has no option for is left as it is, and the error survives pickling (sweep workers)."""
    import argparse
    import pickle

    from engine import ConfigError
    from mmsim.cli import build_parser, error_text

    error = ConfigError("window_s 40: too long for window_size", params=("window_s", "window_size"))
    assert pickle.loads(pickle.dumps(error)).params == ("window_s", "window_size")
    calibrate = build_parser().commands["calibrate"]
    assert error_text(error, calibrate) == "--window-s 40: too long for window_size"
    assert error_text(error, argparse.ArgumentParser()) == str(error)
