"""Full-depth LOBSTER replay: the book followed by order id, checked row by row, and its bad inputs."""

from __future__ import annotations

import pytest

from engine import DataError, FillModel, Quote, Simulation
from feeds.lobster_book import BookInMemory, LobsterBookFeed, LobsterBookSource, orderbook_levels
from strategies import Strategy
from tests.lobster_files import NAME, book_rows, write_lobster

# Resting before the file starts (no type-1 row): bids 99.95, 99.94, 99.93 (the last out of a level-2 view).
RESTING = [(1, 100, 99.95, 1), (3, 100, 99.94, 1), (5, 100, 99.93, 1), (2, 100, 100.05, -1), (4, 100, 100.06, -1),
           (6, 100, 100.07, -1)]
MESSAGES = [
    (34200.0, 1, 10, 50, 99.95, 1),    # a bid joins behind the 100 resting at 99.95
    (34200.1, 4, 1, 100, 99.95, 1),    # the resting order (never added in the file) executes
    (34200.2, 3, 3, 100, 99.94, 1),    # 99.94 empties: 99.93 comes into view at the edge
    (34200.3, 2, 10, 20, 99.95, 1),    # partial cancel of the followed order
    (34200.4, 5, 0, 10, 99.96, -1),    # hidden execution: the book does not change
    (34200.5, 3, 5, 100, 99.93, 1),    # the order that came into view leaves
]


class Quiet(Strategy):
    requote_on_tick = False
    requote_on_fill = False
    requote_interval_s = None

    def quote(self, state):
        return Quote(None, None)


def replay(message, **kwargs):
    source = LobsterBookSource(message, **kwargs)
    sim = Simulation(LobsterBookFeed(source), Quiet(), FillModel())
    sim.run()
    return sim, source


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
def test_the_book_follows_orders_by_id_and_takes_untracked_size_from_the_file(tmp_path, chunk_rows):
    """Resting orders without a type-1 row are untracked; the followed order keeps its id and place."""
    sim, source = replay(write_lobster(tmp_path, MESSAGES, 2, RESTING), chunk_rows=chunk_rows)
    level = sim.book.level(1, 999500)
    assert level.orders == {10: [30, 0]} and level.untracked == 0 and level.total == 30
    assert sim.book.total(1, 999400) == 0 and sim.book.total(1, 999300) == 0
    assert sim.book.depth(1, 2) == [(999500, 30)] and sim.book.depth(-1, 2) == [(1000500, 100), (1000600, 100)]
    assert sim.book.level(-1, 1000500).untracked == 100
    assert (source.stats["rows"], source.stats["visible_executions"], source.stats["hidden_executions"],
            source.stats["untracked_executions"]) == (6, 1, 1, 1)
    assert (sim.state.best_bid, sim.state.best_ask, sim.state.best_bid_size) == (99.95, 100.05, 30.0)
    assert source.levels == 2


def test_the_level_is_read_from_the_order_book_columns(tmp_path):
    """A level-3 file has 12 columns."""
    write_lobster(tmp_path, MESSAGES, 3, RESTING)
    assert orderbook_levels(tmp_path / f"{NAME}_orderbook_3.csv") == 3


def test_files_of_different_lengths_name_the_short_file_and_row(tmp_path):
    message = write_lobster(tmp_path, MESSAGES, 2, RESTING, book=book_rows(MESSAGES, 2, RESTING)[:-1])
    with pytest.raises(DataError, match=r"orderbook_2.csv: ends after data row 5 but .*message_2.csv has more rows"):
        replay(message, chunk_rows=4)


def test_files_of_different_levels_are_refused(tmp_path):
    """A level-2 order book beside a message file named level 1."""
    write_lobster(tmp_path, MESSAGES, 2, RESTING)
    message = tmp_path / f"{NAME}_message_1.csv"
    (tmp_path / f"{NAME}_message_2.csv").rename(message)
    with pytest.raises(DataError, match=r"orderbook_2.csv: data row 1: 2-level order book \(8 fields\) beside a "
                                        r"level-1 message file"):
        LobsterBookSource(message, tmp_path / f"{NAME}_orderbook_2.csv")


def test_an_order_id_never_added_where_no_untracked_size_can_hold_it_is_an_error(tmp_path):
    """99.96 only holds the followed order 10: a deletion of id 99 there was never added."""
    messages = [(34200.0, 1, 10, 50, 99.96, 1), (34200.1, 3, 99, 50, 99.96, 1)]
    with pytest.raises(DataError, match=r"message_2.csv: data row 2: order id 99 was never added and its level "
                                        r"\(bid 99.96\) has no untracked size"):
        replay(write_lobster(tmp_path, messages, 2, RESTING))


def test_an_unknown_id_at_a_level_with_untracked_size_is_the_data_as_lobster_writes_it(tmp_path):
    """Ids of orders resting before the file (or outside its levels) are legitimately never added."""
    messages = [(34200.0, 1, 10, 50, 99.96, 1), (34200.1, 3, 1, 100, 99.95, 1), (34200.2, 2, 2, 40, 100.05, -1)]
    sim, _ = replay(write_lobster(tmp_path, messages, 2, RESTING))
    assert sim.book.level(-1, 1000500).untracked == 60


@pytest.mark.parametrize("row, change, problem", [
    (4, ("30", "31"), "31 shown at bid 99.95, 30 from the messages"),       # the touched level
    (5, ("1000600,100", "1000600,90"), "size changed at a level the message did not touch"),
    (2, ("999400,100", "999200,100"), r"a level vanished inside the book without a message emptying it "
                                      r"\(bid 99.94\)"),
])
def test_a_row_that_disagrees_with_the_messages_names_the_order_book_file_and_row(tmp_path, row, change, problem):
    rows = book_rows(MESSAGES, 2, RESTING)
    assert change[0] in rows[row - 1]
    rows[row - 1] = rows[row - 1].replace(*change, 1)
    message = write_lobster(tmp_path, MESSAGES, 2, RESTING, book=rows)
    with pytest.raises(DataError, match=rf"orderbook_2.csv: data row {row}: "):
        replay(message)
    with pytest.raises(DataError, match=problem):
        replay(message)


@pytest.mark.parametrize("which", ["message", "orderbook"])
def test_a_truncated_last_line_names_the_file_and_row(tmp_path, which):
    message = write_lobster(tmp_path, MESSAGES, 2, RESTING)
    path = tmp_path / f"{NAME}_{which}_2.csv"
    text = path.read_text()
    path.write_text(text[:text.rstrip("\n").rfind(",") - 2])  # the last line loses its last fields
    with pytest.raises(DataError, match=rf"{which}_2.csv: data row 6: missing"):
        replay(message)


def test_real_goog_level_ten_rows_all_agree_with_the_messages(lobster_dir):
    """The vectorised row-to-row checks pass on the first 30,000 rows of GOOG level 10 (the whole day is replayed,
    with the per-message checks too, in tests/engine/test_no_phantom_fills.py); levels come into view at the edge."""
    source = LobsterBookSource(lobster_dir / "GOOG_2012-06-21_34200000_57600000_message_10.csv", chunk_rows=100_000)
    chunks = source.chunks()
    rows = sum(len(next(chunks).time) for _ in range(3))
    assert rows == 30_000 and source.stats["edge_levels"] > 100


def test_a_book_read_into_memory_replays_as_its_files_do_again_and_again(tmp_path):
    """BookInMemory (the warm-up's hypothetical quotes replay one span per offset) gives the files' book every
    time it is replayed, without reading them again."""
    message = write_lobster(tmp_path, MESSAGES, 2, RESTING)
    from_files, source = replay(message)
    in_memory = BookInMemory(LobsterBookSource(message, chunk_rows=2))
    message.unlink()  # read once: the files are no longer needed
    for _ in range(2):
        sim = Simulation(LobsterBookFeed(in_memory), Quiet(), FillModel())
        sim.run()
        assert sim.book.depth(1, 2) == from_files.book.depth(1, 2) and sim.book.depth(-1, 2) == \
            from_files.book.depth(-1, 2)
        assert sim.scheduler.events == from_files.scheduler.events
        assert in_memory.stats == source.stats  # each replay's counters, not their sum over the replays
    assert in_memory.levels == 2 and in_memory.stats["rows"] == 6
