"""mmsim.output.staged_out_dir: all of a command's output appears, or none of it."""

from __future__ import annotations

import pytest

from mmsim.output import staged_out_dir


def test_staged_files_move_into_place_with_their_sub_folders(tmp_path):
    """On success every staged file, nested ones too, is in the output folder and the staging folder is gone."""
    out = tmp_path / "out"
    with staged_out_dir(out) as stage:
        (stage / "a").mkdir()
        (stage / "a" / "x.txt").write_text("x")
        (stage / "summary.json").write_text("{}")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["a", "a/x.txt", "summary.json"]


def test_an_error_leaves_no_output_and_keeps_what_was_there(tmp_path):
    """A failure removes a folder the block created, and leaves an existing folder as it was."""
    new, old = tmp_path / "new", tmp_path / "old"
    old.mkdir()
    (old / "keep.txt").write_text("k")
    for out in (new, old):
        with pytest.raises(RuntimeError), staged_out_dir(out) as stage:
            (stage / "half.txt").write_text("h")
            raise RuntimeError("boom")
    assert not new.exists()
    assert [p.name for p in old.iterdir()] == ["keep.txt"]
