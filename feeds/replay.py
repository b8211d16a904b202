"""Replay a historical tick source into a simulation, one row at a time, with bounded memory.

A tick source is any object with ``chunks()`` (an iterable of DataFrames in time order, re-iterable) and a
``stats`` dict: the LOBSTER and generic tick-file readers of :mod:`feeds`, or :class:`FrameSource` over frames
already in memory. Every chunk has the columns :data:`TICK_COLUMNS`: ``ts`` (float seconds), ``kind``
(:data:`QUOTE` for a top-of-book update, :data:`TRADE` for a print), ``bid``, ``ask``, ``bid_size``, ``ask_size``
(NaN on trades), ``price``, ``size`` (NaN on quotes) and ``side`` (the aggressor, +1 buy / -1 sell; 0 on quotes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import attrs
import numpy as np

from engine.errors import DataError
from engine.scheduler import MARKET_DATA, MARKET_ORDER
from engine.lazy_modules import lazy_module
# The tick-chunk contract shared with the tick-file readers: kind codes, column order and dtypes.
from feeds.tickdata import QUOTE, TICK_COLUMNS, TICK_DTYPES, TRADE

pd = lazy_module("pandas")

_NAN = math.nan


class TickSource(Protocol):
    """What :class:`ReplayFeed` reads: chunks of tick rows in time order, and counters filled while reading."""

    name: str
    stats: dict

    def chunks(self) -> Iterable[pd.DataFrame]: ...


def quote_row(ts: float, bid: float, ask: float, bid_size: float = 100.0, ask_size: float = 100.0) -> dict:
    """One top-of-book update as a tick row (for :meth:`FrameSource.from_rows`)."""
    return {"ts": ts, "kind": QUOTE, "bid": bid, "ask": ask, "bid_size": bid_size, "ask_size": ask_size,
            "price": _NAN, "size": _NAN, "side": 0}


def trade_row(ts: float, price: float, size: float, side: int) -> dict:
    """One trade print as a tick row; ``side`` is the aggressor's, +1 buy (lifts asks) or -1 sell (hits bids)."""
    return {"ts": ts, "kind": TRADE, "bid": _NAN, "ask": _NAN, "bid_size": _NAN, "ask_size": _NAN,
            "price": price, "size": size, "side": side}


def tick_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """A tick chunk (columns :data:`TICK_COLUMNS`, contract dtypes) from rows made by :func:`quote_row` and
    :func:`trade_row`."""
    frame = pd.DataFrame(list(rows), columns=list(TICK_COLUMNS))
    return frame.astype(TICK_DTYPES)


class FrameSource:
    """A tick source over DataFrames already in memory (tests, notebooks, data from elsewhere).

    Parameters
    ----------
    frames : sequence of DataFrame
        Chunks with the columns :data:`TICK_COLUMNS`, in time order.
    name : str
        Shown in errors and summaries.

    Examples
    --------
    >>> src = FrameSource.from_rows([quote_row(0.0, 99.99, 100.01), trade_row(1.0, 100.01, 50, +1)])
    >>> src.stats["rows"], src.stats["quotes"], src.stats["trades"]
    (2, 1, 1)
    """

    def __init__(self, frames: Sequence[pd.DataFrame], name: str = "frames") -> None:
        self._frames = list(frames)
        self.name = name
        kinds = [f["kind"].to_numpy() for f in self._frames]
        quotes = int(sum((k == QUOTE).sum() for k in kinds))
        rows = int(sum(len(k) for k in kinds))
        self.stats = {"rows": rows, "quotes": quotes, "trades": rows - quotes, "crossed_or_locked_skipped": 0}

    @classmethod
    def from_rows(cls, rows: Sequence[dict], chunk_rows: int | None = None, name: str = "rows") -> FrameSource:
        """A source over rows made by :func:`quote_row` and :func:`trade_row`, split in chunks of
        ``chunk_rows`` rows (one chunk by default)."""
        rows = list(rows)
        step = chunk_rows or max(len(rows), 1)
        return cls([tick_frame(rows[i:i + step]) for i in range(0, len(rows), step)], name=name)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The frames, in order."""
        return iter(self._frames)

    def read_all(self) -> pd.DataFrame:
        """All rows in one frame."""
        return pd.concat(self._frames, ignore_index=True) if self._frames else tick_frame([])


def _columns(chunk: pd.DataFrame, source_name: str, first_row: int) -> tuple[list, ...]:
    """The chunk's columns as Python lists (fast to index one row at a time), after checking them."""
    missing = [c for c in TICK_COLUMNS if c not in chunk.columns]
    if missing:
        raise DataError(f"{source_name}: chunk starting at row {first_row} (counting from 0) lacks column(s) "
                        f"{', '.join(missing)}")
    ts = chunk["ts"].to_numpy(dtype=np.float64)
    if len(ts) > 1:
        back = np.flatnonzero(np.diff(ts) < 0)
        if len(back):
            row = first_row + int(back[0]) + 1
            raise DataError(f"{source_name}: row {row} (counting from 0): time {float(ts[back[0] + 1])!r} is "
                            "before the previous row's")
    return tuple(chunk[c].to_numpy().tolist() for c in TICK_COLUMNS)


@attrs.frozen(eq=False)
class ReplayFeed:
    """Replays a tick source: quote rows become ``sim.set_book``, trade rows ``sim.market_order``.

    Rows are scheduled lazily, one pending row at a time and one chunk in memory at a time, so a file larger than
    memory replays in bounded memory. Rows at one timestamp keep their file order (in LOBSTER a trade, then the
    book after it); at one instant all market data runs before quotes go live and before the strategy reacts (see
    :mod:`engine.scheduler`).

    Parameters
    ----------
    source : TickSource
        Where the rows come from (see the module docstring).

    Notes
    -----
    The simulation clock starts at the first row's time, so a requote timer starts with the data. The horizon
    (``sim.state.horizon``) is infinite until the last row is reached, then becomes that row's time: a replay
    strategy must not rely on a finite horizon. Pair the feed with :class:`engine.replay_fills.TradeThroughFills`.
    """

    source: Any = attrs.field()

    def attach(self, sim, rng: np.random.Generator) -> None:
        """Schedule the first row (see :class:`engine.Feed`)."""
        source = self.source
        name = getattr(source, "name", type(source).__name__)
        chunks = iter(source.chunks())
        scheduler = sim.scheduler
        schedule, run_now_or_schedule = scheduler.schedule, scheduler.run_now_or_schedule
        set_book, market_order, state = sim.set_book, sim.market_order, sim.state
        priority = {QUOTE: MARKET_DATA, TRADE: MARKET_ORDER}
        ts = kinds = bids = asks = bid_sizes = ask_sizes = prices = sizes = sides = None
        n = 0
        first_row = 0  # index in the whole source of the loaded chunk's first row

        def load() -> bool:
            """Load the next non-empty chunk; False at the end of the data."""
            nonlocal ts, kinds, bids, asks, bid_sizes, ask_sizes, prices, sizes, sides, n, first_row
            first_row += n
            last = ts[-1] if n else -math.inf
            for chunk in chunks:
                if len(chunk):
                    ts, kinds, bids, asks, bid_sizes, ask_sizes, prices, sizes, sides = _columns(
                        chunk, name, first_row)
                    n = len(ts)
                    if ts[0] < last:
                        raise DataError(f"{name}: row {first_row} (counting from 0): time {ts[0]!r} is before "
                                        "the previous row's")
                    return True
            n = 0
            return False

        def on_row(j: int) -> None:
            # Rows run one after another while nothing else is due before the next one (as in
            # feeds.lobster_book): the heap only sees a row when the strategy's timer or a quote comes first.
            while True:
                if kinds[j] == QUOTE:
                    set_book(bids[j], asks[j], bid_sizes[j], ask_sizes[j])
                else:
                    market_order(sides[j], sizes[j], None, prices[j])
                j += 1
                if j == n:
                    now = ts[j - 1]
                    if not load():
                        state.horizon = now  # the end of the data is the end of the replay
                        return
                    j = 0
                if not run_now_or_schedule(ts[j], priority[kinds[j]], on_row, j):
                    return

        if not load():
            raise DataError(f"{name}: no rows: nothing to replay")
        # Start the clock at the data, not at midnight: a requote timer then starts with the first row.
        if sim.scheduler.now < ts[0] and not len(sim.scheduler):
            sim.scheduler.now = ts[0]
        schedule(ts[0], priority[kinds[0]], on_row, 0)


def infer_tick_size(chunk: pd.DataFrame, max_decimals: int = 8) -> float:
    """The price grid of a tick chunk: the smallest gap between distinct quoted prices, rounded to
    ``max_decimals`` decimals.

    Quote prices only: trades inside the spread (hidden or midpoint executions) may print off the grid.

    Raises
    ------
    DataError
        If the chunk has fewer than two distinct quoted prices.
    """
    quotes = chunk[chunk["kind"] == QUOTE]
    prices = np.unique(np.round(np.concatenate([quotes["bid"].to_numpy(), quotes["ask"].to_numpy()]),
                                max_decimals))
    prices = prices[np.isfinite(prices)]
    gaps = np.diff(prices)
    gaps = gaps[gaps > 0.5 * 10.0 ** -max_decimals]
    if not len(gaps):
        raise DataError("cannot infer the tick size: fewer than two distinct quoted prices (give tick_size)",
                        params=("tick_size",))
    return float(np.round(gaps.min(), max_decimals))
