"""Stopping a real ``mmsim`` process with workers: Ctrl-C, SIGTERM and SIGKILL stop it (and its workers) at once
and leave nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Long enough that the run is still working when it is stopped (minutes of work on 2 processes).
LONG = {"run": ["run", "--paths", "200000", "--strategy", "naive"],
        "study": ["study", "--paths", "200000", "--no-reports"]}


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start_with_workers(args: list[str], out: Path) -> tuple[subprocess.Popen, set[int]]:
    """Start ``mmsim ARGS --workers 2 --out OUT`` in its own session; return it once its workers run."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "mmsim", *args, "--workers", "2", "--out", str(out)], cwd=out.parent,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.05)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the command should have started its workers"
    time.sleep(0.5)  # let them get into their tasks
    return proc, workers


def _gone_within(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pids)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
@pytest.mark.parametrize("command", ["run", "study"])
def test_ctrl_c_with_workers_stops_within_seconds_and_writes_nothing(tmp_path, command):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it): exit 130 with one line within a few
    seconds, the workers are gone, and --out was never created."""
    out = tmp_path / "out"
    proc, workers = _start_with_workers(LONG[command], out)
    stopped = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert time.monotonic() - stopped < 5
    assert proc.returncode == 130 and err.decode().strip() == f"mmsim {command}: interrupted"
    assert _gone_within(workers, 2)
    assert not out.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_sigterm_and_sigkill_leave_no_worker_and_no_staging_folder(tmp_path):
    """SIGTERM: exit 143 with one line, workers gone, --out removed. SIGKILL of the parent: the workers notice
    and exit by themselves within a second or two."""
    out = tmp_path / "term"
    proc, workers = _start_with_workers(LONG["run"], out)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143 and err.decode().strip() == "mmsim run: terminated"
    assert _gone_within(workers, 2)
    assert not out.exists()

    proc, workers = _start_with_workers(LONG["run"], tmp_path / "killed")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _gone_within(workers, 3), "workers outlived their killed parent"
