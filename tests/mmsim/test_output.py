"""mmsim.output: all of a command's output appears or none of it, and a user's files are never touched."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from engine import ConfigError
from mmsim.output import MARKER, STAGING_PREFIX, check_out_dir, staged_out_dir


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_staged_files_move_into_place_with_their_sub_folders(tmp_path):
    """On success every staged file, nested ones too, is in the output folder, the marker lists them, and the
    staging folder is gone."""
    out = tmp_path / "out"
    with staged_out_dir(out, "run") as stage:
        (stage / "a").mkdir()
        (stage / "a" / "x.txt").write_text("x")
        (stage / "summary.json").write_text("{}")
    assert _tree(out) == [MARKER, "a", "a/x.txt", "summary.json"]
    assert json.loads((out / MARKER).read_text())["files"] == ["a/x.txt", "summary.json"]


def test_an_error_leaves_no_output_and_keeps_what_was_there(tmp_path):
    """A failure removes a folder the block created, and leaves an existing (mmsim) folder as it was."""
    new, old = tmp_path / "new", tmp_path / "old"
    with staged_out_dir(old, "run") as stage:
        (stage / "keep.txt").write_text("k")
    for out in (new, old):
        with pytest.raises(RuntimeError), staged_out_dir(out, "run") as stage:
            (stage / "half.txt").write_text("h")
            raise RuntimeError("boom")
    assert not new.exists()
    assert _tree(old) == [MARKER, "keep.txt"]


def test_a_folder_mmsim_did_not_write_is_refused_and_force_touches_only_mmsim_files(tmp_path):
    """A non-empty folder without the marker is refused; with force, mmsim writes its files and leaves the
    user's alone, and a later run replaces only what mmsim wrote."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    with pytest.raises(ConfigError, match="holds files mmsim did not write .*'notes.txt'.*--force"):
        check_out_dir(out)
    with staged_out_dir(out, "run", force=True) as stage:
        (stage / "naive").mkdir()
        (stage / "naive" / "fills.parquet").write_text("old")
        (stage / "summary.csv").write_text("old")
    check_out_dir(out)  # now it carries the marker: no --force needed
    with staged_out_dir(out, "run") as stage:
        (stage / "summary.csv").write_text("new")
    # The old strategy folder (mmsim's) is gone, the user's file is as it was.
    assert _tree(out) == [MARKER, "notes.txt", "summary.csv"]
    assert (out / "notes.txt").read_text() == "my notes" and (out / "summary.csv").read_text() == "new"


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_refused(out):
    with pytest.raises(ConfigError, match="--out is empty"):
        check_out_dir(out)


def test_a_staging_folder_of_a_dead_process_is_removed_by_the_next_run(tmp_path):
    """After SIGKILL a staging folder stays; the next command writing there removes it (not a live one's)."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{STAGING_PREFIX}{dead.stdout.strip()}-abc"
    live = out / f"{STAGING_PREFIX}1-abc"  # pid 1 is alive
    for folder in (stale, live):
        folder.mkdir()
        (folder / "marks.parquet").write_text("half")
    check_out_dir(out)  # a folder holding only staging folders is one mmsim wrote
    with staged_out_dir(out, "run") as stage:
        (stage / "summary.csv").write_text("s")
    assert not stale.exists() and live.exists()
