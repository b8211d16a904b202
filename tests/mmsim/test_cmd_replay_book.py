"""``mmsim replay`` on full-depth LOBSTER files: the queue model picked from the data, the fill split in the
summary, and bad files (one line naming the file and row, exit 2, nothing written)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from analytics.calibration import quote_intensity
from engine.queue_fills import QueueFills
from feeds import QUOTE, FrameSource, read_lobster
from feeds.lobster_book import BookInMemory, LobsterBookSource
from mmsim.cli import main
from mmsim.cmd_replay import warmup_rows
from tests.lobster_files import NAME, book_rows, random_day, write_lobster
from tests.mmsim.test_cmd_replay import fails

RESTING = [(1, 100, 99.95, 1), (3, 300, 99.94, 1), (5, 300, 99.93, 1), (2, 100, 100.05, -1), (4, 300, 100.06, -1),
           (6, 300, 100.07, -1)]


def day(n: int = 400, cancels: bool = False) -> list[tuple]:
    """Orders joining at both best prices and the oldest there (first the resting ones) trading, a message every
    0.25 s; with ``cancels``, every other time the oldest cancels instead (a cancel from the front of the queue,
    which the level-1 rule takes to come from behind us: it cannot tell)."""
    messages, waiting = [], {1: [1], -1: [2]}
    for i in range(n):
        t, side = 34200.0 + 0.25 * i, 1 if i % 2 else -1
        price = 99.95 if side == 1 else 100.05
        if i % 4 < 2:
            waiting[side].append(100 + i)
            messages.append((t, 1, 100 + i, 100, price, side))
        else:
            messages.append((t, 3 if cancels and i % 8 >= 6 else 4, waiting[side].pop(0), 100, price, side))
    return messages


def run_json(capsys, *argv) -> dict:
    code = main(["replay", *map(str, argv), "--warmup-min", "0", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_a_deep_book_replays_with_exact_queues_and_level_one_with_the_assumed_queue(tmp_path, capsys):
    """Level 2 picks l3, level 1 picks conservative; --queue overrides; the summary splits the fills."""
    deep = write_lobster(tmp_path, day(), 2, RESTING)
    report = run_json(capsys, deep, "--strategy", "naive", "--spread", "0.1", "--order-size", "50",
                      "--tick-size", "0.01")
    assert report["market"]["queue"] == "l3" and report["market"]["queue_source"] == "level-2 data"
    assert report["data"]["levels"] == 2 and report["data"]["rows"] == 400
    split = report["fill_split"]
    assert split["at_touch"] + split["behind_touch"] + split["through"] == report["fills"] > 0
    assert split["queue_fills"] == split["at_touch"] + split["behind_touch"]
    forced = run_json(capsys, deep, "--strategy", "naive", "--spread", "0.1", "--tick-size", "0.01",
                      "--queue", "conservative")
    assert forced["market"]["queue"] == "conservative" and forced["market"]["queue_source"] == "--queue"
    flat = write_lobster(tmp_path, day(), 1, RESTING, name="FLAT_2012-06-21_34200000_57600000")
    assert run_json(capsys, flat, "--strategy", "naive", "--spread", "0.1",
                    "--tick-size", "0.01")["market"]["queue"] == "conservative"


def test_feed_latency_reaches_the_simulation_and_the_table_shows_it(tmp_path, capsys):
    """--feed-latency-ms is shown in the table beside the queue model picked from the data."""
    deep = write_lobster(tmp_path, day(), 2, RESTING)
    assert main(["replay", str(deep), "--strategy", "naive", "--spread", "0.1", "--tick-size", "0.01",
                 "--warmup-min", "0", "--feed-latency-ms", "250"]) == 0
    out = capsys.readouterr().out
    assert "queue l3 (level-2 data)" in out and "feed latency 250 ms" in out


def test_l3_needs_order_ids(tmp_path, capsys):
    """Generic quotes and trades files have no order ids: --queue l3 is refused."""
    q, t = tmp_path / "q.csv", tmp_path / "t.csv"
    q.write_text("ts,bid,ask\n1,99.9,100.1\n")
    t.write_text("ts,price,size,side\n2,100.1,5,1\n")
    assert "--queue l3 needs LOBSTER files" in fails(capsys, "--quotes", q, "--trades", t, "--queue", "l3",
                                                     "--tick-size", "0.01", "--strategy", "naive", "--spread", "0.1",
                                                     "--warmup-min", "0", out_dir=tmp_path / "out")


@pytest.mark.parametrize("spoil, expected", [
    ("short book", r"orderbook_2.csv: ends after data row 399"),
    ("never added", r"message_2.csv: data row 3: order id 999 was never added"),
    ("disagrees", r"orderbook_2.csv: data row 5: the book disagrees with the messages"),
    ("truncated", r"message_2.csv: data row 400: missing"),
])
def test_bad_files_are_one_line_naming_the_file_and_row_and_leave_no_output(tmp_path, capsys, spoil, expected):
    messages = day()
    rows = book_rows(messages, 2, RESTING)
    if spoil == "short book":
        rows = rows[:-1]
    if spoil == "never added":
        # a new level that holds only order 777: id 999 cannot be there (ids at 100.05 could: untracked size)
        messages[1] = (messages[1][0], 1, 777, 100, 100.04, -1)
        messages[2] = (messages[2][0], 3, 999, 100, 100.04, -1)
        rows = book_rows(messages, 2, RESTING)
    if spoil == "disagrees":
        rows[4] = rows[4].replace("999400,300", "999400,299", 1)
    message = write_lobster(tmp_path, messages, 2, RESTING, book=rows)
    if spoil == "truncated":
        text = message.read_text()
        message.write_text(text[:text.rstrip("\n").rfind(",")])
    err = fails(capsys, message, "--strategy", "naive", "--spread", "0.1", "--tick-size", "0.01",
                "--warmup-min", "0", out_dir=tmp_path / "out")
    assert NAME in err and re.search(expected, err), err


def test_the_warm_up_k_of_a_level_n_replay_is_measured_by_the_exact_queue_on_the_warm_up_only(tmp_path, capsys):
    """On a level-5 file the replay trades with the exact queue, so the warm-up's hypothetical quotes are matched
    by it too: the k it reports is the mid-pegged fit on the warm-up's messages (and no later one) replayed with
    the full book and QueueFills, not the level-1 rule's fit on the warm-up's ticks (a different number)."""
    message = write_lobster(tmp_path, random_day(2400, 5, seed=1), 5)
    assert main(["replay", str(message), "--strategy", "avellaneda-stoikov", "--tick-size", "0.01",
                 "--warmup-min", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["market"]["queue"] == "l3" and report["strategy_params"]["k_source"] == "warm-up quote fills"
    warm, end = warmup_rows(read_lobster(str(message)), 5)
    book = LobsterBookSource(message, until=end, chunk_rows=500)  # 100 rows a chunk: the cut falls inside one
    times = [t for chunk in book.chunks() for t in chunk.time]
    assert max(times) < end and len(times) == sum(m[0] < end for m in random_day(2400, 5, seed=1))
    quotes = warm[warm["kind"] == QUOTE]
    fit = {"tick_size": 0.01, "median_spread": float(np.median(quotes["ask"] - quotes["bid"])), "window_s": 0.1}
    exact = quote_intensity(book, fill_model=QueueFills(0.01), **fit)
    assert report["strategy_params"]["k"] == exact.k != quote_intensity(FrameSource([warm]), **fit).k


def test_replays_of_one_day_that_share_its_book_and_warm_up_fit_give_what_each_gives_alone(tmp_path, monkeypatch):
    """A study cell's replays share one SharedDay: the full book is read once and the warm-up's k fit made once
    (A-S and GLFT both need it), and every replay's ledger and report are those of replaying it alone."""
    from mmsim import cmd_replay
    from mmsim.cmd_replay import SharedDay, replay_run
    from mmsim.real_study import replay_args

    message = write_lobster(tmp_path, random_day(2400, 5, seed=1), 5)
    fits, reads = [], []
    monkeypatch.setattr(cmd_replay, "quote_intensity", lambda *a, **k: fits.append(1) or quote_intensity(*a, **k))
    monkeypatch.setattr(cmd_replay, "BookInMemory", lambda source: reads.append(1) or BookInMemory(source))

    class Day:
        argv = [str(message)]

    argvs = [["--strategy", "avellaneda-stoikov"], ["--strategy", "glft", "--max-inventory", "500"],
             ["--strategy", "naive", "--spread", "0.04"]]
    options = ("--warmup-min", "5", "--tick-size", "0.01")
    shared = SharedDay()
    for argv in argvs:
        alone, alone_report = replay_run(replay_args(Day, options, argv), show_progress=False)
        together, together_report = replay_run(replay_args(Day, options, argv), show_progress=False, shared=shared)
        for table in ("fills", "quotes", "marks"):
            assert getattr(alone.ledger, table).equals(getattr(together.ledger, table)), (argv, table)
        assert {k: v for k, v in alone_report.items() if k != "wall_s"} == \
            {k: v for k, v in together_report.items() if k != "wall_s"}
    assert len(reads) == 1 and len(fits) == 2 + 1  # two alone (A-S, GLFT), one shared; the book read once
