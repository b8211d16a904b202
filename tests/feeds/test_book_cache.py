"""A level-N day kept between runs: loaded back as it was read, found again only for the same files, and never
in the way (a bad cache file is read again, a folder that cannot be written is not an error)."""

from __future__ import annotations

import json
import os

import attrs

import pytest

import numpy as np

from feeds.book_cache import cache_file, cached_book
from feeds.lobster_book import BookInMemory, LobsterBookSource
from mmsim.cli import main
from tests.lobster_files import random_day, write_lobster


@pytest.fixture
def message(tmp_path):
    """Orders rest up to 8 levels deep in a level-5 file: levels come into view at the edge (the replay would
    refuse this file; reading and keeping it are the same either way)."""
    return write_lobster(tmp_path, random_day(1500, 5, seed=3, depth=8), 5)


def assert_same_chunks(loaded, read) -> None:
    """Field by field, value and type (1 == 1.0 == True would hide a numpy or float that the loop then meets)."""
    assert len(loaded) == len(read)
    for a, b in zip(loaded, read):
        for field in attrs.fields(type(b)):
            x, y = getattr(a, field.name), getattr(b, field.name)
            assert type(x) is type(y), field.name
            if isinstance(y, list):
                assert len(x) == len(y) and all(type(u) is type(v) and u == v for u, v in zip(x, y)), field.name
                for u, v in zip(x, y):  # tops: tuples of floats, or None
                    if isinstance(v, tuple):
                        assert [type(w) for w in u] == [type(w) for w in v], field.name
            elif isinstance(y, dict):  # edges: the same rows in the same order, the same tuples of ints
                assert list(x.items()) == list(y.items()), field.name
                assert all(type(w) is int for moved in x.values() for t in moved for w in t), field.name
            else:
                assert x == y, field.name


def test_a_kept_day_loads_back_as_it_was_read_without_reading_the_files(message, tmp_path, monkeypatch):
    read = BookInMemory(LobsterBookSource(message, chunk_rows=1000))  # 200 rows a chunk: several chunks
    first = cached_book(LobsterBookSource(message, chunk_rows=1000), tmp_path / "cache")
    assert first._chunks == read._chunks and first.stats == read.stats
    assert sum(1 for c in read._chunks for e in c.edges.values() for _ in e) > 0  # edges are kept too

    def no_reading(self):
        raise AssertionError("the files were read again")

    monkeypatch.setattr(LobsterBookSource, "chunks", no_reading)
    again = cached_book(LobsterBookSource(message, chunk_rows=1000), tmp_path / "cache")
    assert_same_chunks(again._chunks, read._chunks)
    assert again.stats == read.stats
    assert (again.name, again.levels) == (read.name, read.levels)


def test_another_chunking_or_a_changed_file_is_another_entry(message, tmp_path):
    folder = tmp_path / "cache"
    key = cache_file(LobsterBookSource(message), folder)
    assert cache_file(LobsterBookSource(message, chunk_rows=1000), folder) != key
    warm_up = LobsterBookSource(message, until=34_260.0)
    assert cache_file(warm_up, folder) != key
    assert cached_book(warm_up, folder)._chunks == BookInMemory(LobsterBookSource(message, until=34_260.0))._chunks
    assert max(t for c in cached_book(warm_up, folder)._chunks for t in c.time) < 34_260.0
    mtime = message.stat().st_mtime_ns
    message.write_text(message.read_text())  # rewritten, its modification time put back: the inode time moved
    os.utime(message, ns=(mtime, mtime))
    assert cache_file(LobsterBookSource(message), folder) != key


@pytest.mark.parametrize("bad", ["bytes", "npy", "meta", "short"])
def test_a_bad_cache_file_is_read_again_and_replaced(message, tmp_path, bad):
    folder = tmp_path / "cache"
    source = LobsterBookSource(message)
    path = cache_file(source, folder)
    cached_book(source, folder)
    if bad == "bytes":
        path.write_bytes(b"not an npz")
    elif bad == "npy":
        with open(path, "wb") as f:
            np.save(f, np.arange(3))
    else:
        with np.load(path) as data:
            arrays = dict(data)
        if bad == "meta":
            arrays["meta"] = np.array("[1, 2]")
        else:
            arrays["rows"] = arrays["rows"][:-1]  # a chunk lost: the columns no longer fit the rows
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    book = cached_book(source, folder)
    assert_same_chunks(book._chunks, BookInMemory(LobsterBookSource(message))._chunks)
    assert_same_chunks(cached_book(source, folder)._chunks, book._chunks)


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


def test_a_day_the_replay_refuses_is_refused_the_same_way_from_the_cache(message, tmp_path, capsys):
    """The fixture's book disagrees with its messages at data row 6: the same one line, kept or not."""
    errors = []
    for cache in ([], ["--cache-dir", str(tmp_path / "c")], ["--cache-dir", str(tmp_path / "c")]):
        argv = ["replay", str(message), "--strategy", "naive", "--tick-size", "0.01", "--warmup-min", "0",
                "--spread", "0.04", "--json", *cache]
        assert main(argv) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1] == errors[2] and errors[0].count("\n") == 1 and "data row 6" in errors[0]


def test_a_reading_error_is_named_after_an_earlier_disagreement_and_the_day_is_not_kept(message, tmp_path,
                                                                                            capsys):
    """A malformed deep level late in the order-book file (the level-1 ticks read fine): the replay of the files
    names the earlier book disagreement first (it reads as it replays); from a folder, the same, and nothing is
    kept."""
    book = message.with_name(message.name.replace("message", "orderbook"))
    rows = book.read_text().splitlines()
    rows[1200] = rows[1200].rsplit(",", 1)[0] + ",x"
    book.write_text("\n".join(rows) + "\n")
    errors = []
    for cache in ([], ["--cache-dir", str(tmp_path / "c")]):  # 200 rows a chunk: the bad row is in a later one
        argv = ["replay", str(message), "--strategy", "naive", "--tick-size", "0.01", "--warmup-min", "0",
                "--spread", "0.04", "--chunk-rows", "1000", "--json", *cache]
        assert main(argv) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1] and "data row 6" in errors[0]
    assert not list((tmp_path / "c").glob("*.npz"))


def test_a_cache_dir_where_the_data_replay_as_ticks_is_one_line_and_exit_2(tmp_path, capsys):
    level_one = write_lobster(tmp_path, random_day(600, 1, seed=2, depth=1), 1)
    assert main(["replay", str(level_one), "--cache-dir", str(tmp_path / "c"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--cache-dir keeps level-N LOBSTER days" in err


def test_a_cache_dir_that_is_a_file_is_one_line_and_exit_2(message, tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["replay", str(message), "--cache-dir", str(tmp_path / "f"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--cache-dir" in err and "is not a folder" in err
