"""A level-N day kept between runs: loaded back as it was read, found again only for the same files, and never
in the way (a bad cache file is read again, a folder that cannot be written is not an error)."""

from __future__ import annotations

import json
import os

import pytest

from feeds.book_cache import cache_file, cached_book
from feeds.lobster_book import BookInMemory, LobsterBookSource
from mmsim.cli import main
from tests.lobster_files import random_day, write_lobster


@pytest.fixture
def message(tmp_path):
    """Orders rest up to 8 levels deep in a level-5 file: levels come into view at the edge (the replay would
    refuse this file; reading and keeping it are the same either way)."""
    return write_lobster(tmp_path, random_day(1500, 5, seed=3, depth=8), 5)


def test_a_kept_day_loads_back_as_it_was_read_without_reading_the_files(message, tmp_path, monkeypatch):
    read = BookInMemory(LobsterBookSource(message, chunk_rows=1000))  # 200 rows a chunk: several chunks
    first = cached_book(LobsterBookSource(message, chunk_rows=1000), tmp_path / "cache")
    assert first._chunks == read._chunks and first.stats == read.stats
    assert sum(1 for c in read._chunks for e in c.edges.values() for _ in e) > 0  # edges are kept too

    def no_reading(self):
        raise AssertionError("the files were read again")

    monkeypatch.setattr(LobsterBookSource, "chunks", no_reading)
    again = cached_book(LobsterBookSource(message, chunk_rows=1000), tmp_path / "cache")
    assert again._chunks == read._chunks and again.stats == read.stats
    assert (again.name, again.levels) == (read.name, read.levels)


def test_another_chunking_or_a_changed_file_is_another_entry(message, tmp_path):
    folder = tmp_path / "cache"
    key = cache_file(LobsterBookSource(message), folder)
    assert cache_file(LobsterBookSource(message, chunk_rows=1000), folder) != key
    warm_up = LobsterBookSource(message, until=34_260.0)
    assert cache_file(warm_up, folder) != key
    assert cached_book(warm_up, folder)._chunks == BookInMemory(LobsterBookSource(message, until=34_260.0))._chunks
    assert max(t for c in cached_book(warm_up, folder)._chunks for t in c.time) < 34_260.0
    os.utime(message, ns=(1, 1))  # the same bytes with another modification time
    assert cache_file(LobsterBookSource(message), folder) != key


def test_a_bad_cache_file_is_read_again_and_replaced(message, tmp_path):
    folder = tmp_path / "cache"
    source = LobsterBookSource(message)
    path = cache_file(source, folder)
    folder.mkdir()
    path.write_bytes(b"not an npz")
    book = cached_book(source, folder)
    assert book._chunks == BookInMemory(LobsterBookSource(message))._chunks
    assert cached_book(source, folder)._chunks == book._chunks and path.stat().st_size > 100


def test_a_folder_that_cannot_be_written_is_not_an_error(message, tmp_path):
    (tmp_path / "a-file").write_text("")
    book = cached_book(LobsterBookSource(message), tmp_path / "a-file" / "cache")
    assert book._chunks == BookInMemory(LobsterBookSource(message))._chunks


def test_mmsim_replay_with_a_cache_gives_the_same_report(tmp_path, capsys):
    message = write_lobster(tmp_path, random_day(1500, 5, seed=3), 5)
    reports = []
    for cache in (None, "c", "c"):
        argv = ["replay", str(message), "--strategy", "naive", "--tick-size", "0.01", "--warmup-min", "1", "--json"]
        assert main(argv + (["--cache-dir", str(tmp_path / cache)] if cache else [])) == 0
        reports.append({k: v for k, v in json.loads(capsys.readouterr().out).items() if k not in ("wall_s", "total_s")})
    assert reports[0] == reports[1] == reports[2] and reports[0]["fills"] > 0
    assert len(list((tmp_path / "c").glob("*.npz"))) == 1


def test_a_cache_dir_that_is_a_file_is_one_line_and_exit_2(message, tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["replay", str(message), "--cache-dir", str(tmp_path / "f"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--cache-dir" in err and "is not a folder" in err
