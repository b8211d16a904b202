"""ReplayFeed: rows in order across chunks, lazy chunk reading, the clock and horizon, and bad chunks."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from engine import BUY, SELL, DataError, FillModel, FillRun, Quote, Simulation
from feeds import FrameSource, ReplayFeed, infer_tick_size, quote_row, tick_frame, trade_row
from strategies import Strategy

ROWS = [quote_row(10.0, 99.95, 100.05, 100, 200), trade_row(10.5, 100.05, 30, BUY),
        quote_row(10.5, 99.95, 100.05, 100, 170), trade_row(11.0, 99.95, 40, SELL),
        quote_row(11.0, 99.94, 100.05, 300, 170), quote_row(12.0, 99.96, 100.04, 50, 60)]


class Recorder(FillModel):
    """A fill model that only records what the feed delivers (and fills nothing)."""

    def __init__(self):
        self.seen = []

    def on_book(self, sim):
        s = sim.state
        self.seen.append(("book", sim.scheduler.now, s.best_bid, s.best_ask, s.best_bid_size, s.best_ask_size))

    def attach(self, sim, rng):
        return RecorderRun(sim, self)


class RecorderRun(FillRun):
    def __init__(self, sim, model):
        super().__init__(sim)
        self.model = model

    def on_book(self):
        self.model.on_book(self.sim)

    def on_market_order(self, side, size, depth, price):
        self.model.seen.append(("trade", self.sim.scheduler.now, side, size, price))


class Quiet(Strategy):
    """Quotes far from the market and requotes on a timer only."""

    requote_on_tick = False
    requote_on_fill = False

    def __init__(self, every=None):
        self.requote_interval_s = every
        self.times = []

    def quote(self, state):
        self.times.append(state.time)
        return Quote(state.mid - 1, state.mid + 1)


def run(source, strategy=None, model=None):
    model = model or Recorder()
    sim = Simulation(ReplayFeed(source), strategy or Quiet(), model)
    sim.run()
    return sim, model


@pytest.mark.parametrize("chunk_rows", [None, 1, 4])
def test_rows_reach_the_simulation_in_file_order_with_sizes_sides_and_prices(chunk_rows):
    """Quote rows become set_book and trade rows market_order calls, in file order, however the rows are chunked."""
    # set_book(bid, ask, sizes) and market_order(side, size, price).
    _, model = run(FrameSource.from_rows(ROWS, chunk_rows=chunk_rows))
    assert model.seen == [
        ("book", 10.0, 99.95, 100.05, 100.0, 200.0), ("trade", 10.5, BUY, 30.0, 100.05),
        ("book", 10.5, 99.95, 100.05, 100.0, 170.0), ("trade", 11.0, SELL, 40.0, 99.95),
        ("book", 11.0, 99.94, 100.05, 300.0, 170.0), ("book", 12.0, 99.96, 100.04, 50.0, 60.0)]


def test_the_clock_starts_at_the_first_row_and_the_horizon_is_the_last_row():
    """A 0.5 s timer runs from the first row (t=10) to the last (t=12), and the final mark is at t=12."""
    strategy = Quiet(every=0.5)
    sim, _ = run(FrameSource.from_rows(ROWS), strategy)
    assert strategy.times == [10.0, 10.5, 11.0, 11.5, 12.0]
    assert sim.state.horizon == 12.0
    assert sim.ledger.marks.time.iloc[-1] == 12.0
    assert sim.ledger.marks.time.iloc[0] == 10.0


def test_mid_moves_are_marked_and_sizes_alone_do_not_move_the_mid():
    """Marks at the first book, at t=11 (mid 99.995) and t=12 (100.00), plus the final mark."""
    sim, _ = run(FrameSource.from_rows(ROWS))
    marks = sim.ledger.marks
    assert list(marks.time) == [10.0, 11.0, 12.0, 12.0]
    assert list(marks.mid.round(6)) == [100.0, 99.995, 100.0, 100.0]


def test_chunks_are_read_lazily_one_ahead_at_most():
    """When a row of chunk i is replayed, at most chunks 0..i+1 have been pulled from the source."""
    frames = [tick_frame([quote_row(float(t), 99.95, 100.05 + 0.01 * (t % 2))]) for t in range(6)]

    class Counting(FrameSource):
        pulled = 0

        def chunks(self):
            for frame in self._frames:
                Counting.pulled += 1
                yield frame

    class Check(Recorder):
        def on_book(self, sim):
            assert Counting.pulled <= int(sim.scheduler.now) + 2

    run(Counting(frames), model=Check())
    assert Counting.pulled == 6


def test_empty_chunks_are_skipped():
    """Empty frames between chunks change nothing."""
    frames = [tick_frame([]), tick_frame(ROWS[:3]), tick_frame([]), tick_frame(ROWS[3:]), tick_frame([])]
    _, model = run(FrameSource(frames))
    _, expected = run(FrameSource.from_rows(ROWS))
    assert model.seen == expected.seen


def test_a_source_without_rows_is_a_data_error_naming_it():
    """Replaying a source with no rows at all says which source was empty."""
    with pytest.raises(DataError, match="empty.csv: no rows: nothing to replay"):
        run(FrameSource([tick_frame([])], name="empty.csv"))


def test_time_going_back_within_or_across_chunks_is_a_data_error_naming_the_row():
    """Row 2 earlier than row 1 (in one chunk, or at a chunk boundary) stops the replay with the row number."""
    rows = [quote_row(1.0, 99.95, 100.05), quote_row(2.0, 99.95, 100.05), quote_row(1.5, 99.95, 100.05)]
    for chunk_rows in (None, 2):
        with pytest.raises(DataError, match=r"bad\.csv: row 2 \(counting from 0\): time 1\.5"):
            run(FrameSource.from_rows(rows, chunk_rows=chunk_rows, name="bad.csv"))


def test_a_chunk_missing_columns_is_a_data_error():
    """A frame without the contract's columns names the source and the missing column."""
    frame = tick_frame(ROWS).drop(columns=["side"])
    with pytest.raises(DataError, match="src: .*side"):
        run(FrameSource([frame], name="src"))


def test_frame_source_counts_rows_and_reads_everything_back():
    """stats has rows, quotes and trades; read_all returns the rows with the contract's dtypes."""
    source = FrameSource.from_rows(ROWS, chunk_rows=4)
    assert source.stats == {"rows": 6, "quotes": 4, "trades": 2, "crossed_or_locked_skipped": 0}
    every = source.read_all()
    assert len(every) == 6 and str(every["kind"].dtype) == "int8" and str(every["ts"].dtype) == "float64"
    assert math.isnan(every["price"].iloc[0]) and every["side"].iloc[0] == 0


def test_infer_tick_size_takes_the_smallest_gap_between_quoted_prices():
    """Quotes on a cent grid give 0.01 even with a half-cent trade print in the data."""
    frame = tick_frame(ROWS + [trade_row(13.0, 99.995, 10, SELL)])
    assert infer_tick_size(frame) == 0.01


def test_infer_tick_size_needs_two_distinct_prices():
    """One price level is not enough to see a grid."""
    frame = tick_frame([quote_row(0.0, 99.95, 99.95)])
    with pytest.raises(DataError, match="tick size"):
        infer_tick_size(frame)


def test_tick_frame_has_exactly_the_contract_columns():
    """The column order and dtypes of a chunk are the readers' contract."""
    frame = tick_frame(ROWS)
    assert list(frame.columns) == ["ts", "kind", "bid", "ask", "bid_size", "ask_size", "price", "size", "side"]
    assert dict(frame.dtypes.astype(str)) == {
        "ts": "float64", "kind": "int8", "bid": "float64", "ask": "float64", "bid_size": "float64",
        "ask_size": "float64", "price": "float64", "size": "float64", "side": "int8"}
    assert isinstance(frame, pd.DataFrame)
