"""Full-depth LOBSTER replay: the book rebuilt order by order from the message file, checked against every row
of the order-book file, driving a simulation message by message.

The level ``N`` of the data is read from the order-book file (``4 N`` columns). The message file's order ids let
the book follow every visible order (:class:`engine.order_book.OrderBook`); displayed size that has no id to
follow (orders resting before the file starts, or that arrived while their level was outside the ``N`` levels)
is taken from the order-book file as *untracked* size when its level comes into view. Every row is checked: the
level the message touched must show what the messages give, every other level in view must be unchanged, and a
level may only come into or go out of view at the edge of the ``N`` levels. A disagreement is a
:class:`~engine.errors.DataError` naming the order-book file and the row.

Checks that compare a row with the one before are vectorised over a chunk; only the touched level is compared in
the per-message loop, so the replay costs a dictionary update per message.
"""

from __future__ import annotations

import os
import re
import bisect
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

import attrs
import numpy as np

from engine import DataError
from engine.fill_model import ADDED, EXECUTED, HIDDEN_EXECUTED
from engine.order_book import UNTRACKED, OrderBook
from engine.scheduler import MARKET_DATA, MARKET_ORDER
from feeds.lobster import (EMPTY_LEVEL, MESSAGE_COLUMNS, PRICE_SCALE, _csv_chunks, _messages, orderbook_beside)
from feeds.replay import ReplayFeed
from feeds.tickdata import check_sizes, existing_file, numeric, row_error

_OFFSET = 1 << 34  # prices (and LOBSTER's empty-level marker, 9999999999 < 2**34) shifted to be positive
_ROW = 1 << 36  # one row's span in the vectorised search keys


def orderbook_levels(path: str | os.PathLike) -> int:
    """The number of levels ``N`` of a LOBSTER order-book file, from its first line's ``4 N`` fields.

    Raises
    ------
    DataError
        The file is missing or empty, or its first line's field count is not a positive multiple of 4.
    """
    p = existing_file(path, "LOBSTER order-book file")
    with open(p, encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    if not first:
        raise DataError(f"{p}: empty: no order-book rows")
    fields = first.count(",") + 1
    if fields % 4:
        raise row_error(p, 1, f"expected a multiple of 4 fields (4 per level), found {fields}", header=False)
    return fields // 4


@attrs.frozen
class BookChunk:
    """One chunk of messages with the order-book rows beside them, checked and ready for the per-message loop.

    Lists (fast to index one row at a time): ``time``, ``kind``, ``order_id``, ``size``, ``price`` (integer,
    LOBSTER units), ``side`` (``direction``: +1 buy order, -1 sell order); ``level_size``, the order-book file's
    size at the message's level after it (-1 when that level is not in view); ``entered``, True when the level
    was not in view before the message; ``top``, the row's ``(bid, ask, bid_size, ask_size)`` in currency units
    when the best prices or sizes changed, else ``None``; ``edges``, ``{row: [(side, price, size), ...]}`` of
    levels that came into view at the edge (with their size) or went out of it (size 0); ``priority``, the
    scheduler priority of each row (an execution is a market order); ``bad_row`` and ``problem``, the first row
    (counting from 0 in the chunk; past the end when none) whose levels changed otherwise than its message allows,
    raised when the replay reaches it (so an earlier row that disagrees is named first); and ``first_row``.
    """

    first_row: int
    time: list
    kind: list
    order_id: list
    size: list
    price: list
    side: list
    level_size: list
    entered: list
    top: list
    edges: dict
    priority: list
    bad_row: int
    problem: str


class LobsterBookSource:
    """A LOBSTER message file and its order-book file of any level, read in checked chunks.

    Parameters
    ----------
    message_path : path
        ``TICKER_DATE_START_END_message_LEVEL.csv``.
    orderbook_path : path, optional
        The order-book file; by default the one named like the message file, in the same folder.
    chunk_rows : int
        Level-1 rows read at a time: a level-N file is read ``chunk_rows // N`` rows at a time, so memory stays
        bounded the same way whatever the depth and however long the day.
    until : float, optional
        Stop before the first message at or after this time (seconds after midnight): a warm-up's messages only.

    Attributes
    ----------
    name : str
        ``TICKER_DATE_START_END``.
    levels : int
        The data's ``N``, read from the order-book file.
    stats : dict
        Counts filled in while reading: ``rows``, ``trades`` (executions), ``visible_executions``,
        ``hidden_executions``, ``cross_trades``, ``halts``, ``untracked_executions`` (executions of orders
        without an id to follow), ``edge_levels`` (levels that came into view at the edge).

    Raises
    ------
    DataError
        A file is missing; the files' levels differ (the message file's name against the order-book file's
        columns); and, while reading, as :func:`feeds.read_lobster` (malformed rows, files of different lengths)
        or a row of the order-book file that disagrees with the messages.
    """

    def __init__(self, message_path: str | os.PathLike, orderbook_path: str | os.PathLike | None = None, *,
                 chunk_rows: int = 100_000, until: float | None = None) -> None:
        if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
            raise DataError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
        self.message = existing_file(message_path, "LOBSTER message file")
        self.book = orderbook_beside(self.message) if orderbook_path is None else existing_file(
            orderbook_path, "LOBSTER order-book file")
        self.levels = orderbook_levels(self.book)
        named = re.fullmatch(r".*_message_(\d+)\.csv", self.message.name)
        if named and int(named.group(1)) != self.levels:
            raise row_error(self.book, 1, f"{self.levels}-level order book ({4 * self.levels} fields) beside a "
                            f"level-{named.group(1)} message file {self.message.name}", header=False)
        self.name = self.message.name.rpartition("_message_")[0] or self.message.stem
        self.chunk_rows = max(1, chunk_rows // self.levels)
        self.row_files = (str(self.message),)  # what stats["rows"] counts (for progress bars)
        self.stats: dict[str, int] = {}
        self.until = until

    def chunks(self) -> Iterator[BookChunk]:
        """Checked chunks in file order (reading the files afresh, one chunk in memory at a time)."""
        self.stats.clear()
        self.stats.update(dict.fromkeys(("rows", "trades", "visible_executions", "hidden_executions",
                                         "cross_trades", "halts", "untracked_executions", "edge_levels"), 0))
        chunks = _read(self.message, self.book, self.levels, self.chunk_rows, self.stats)
        return chunks if self.until is None else _before(chunks, self.until)

    def __repr__(self) -> str:
        return f"LobsterBookSource({self.name!r}, levels={self.levels})"


class BookInMemory:
    """The checked chunks of a :class:`LobsterBookSource`, read once and then replayed from memory: for a span
    replayed many times (the warm-up's hypothetical quotes, one replay per offset), which would otherwise read and
    check the files again each time. Holds the whole span in memory.

    A reading error is kept with the chunks read before it and raised when a replay reaches it, as a replay of
    the files would: an earlier row that disagrees with the book is named first.

    Parameters
    ----------
    source : LobsterBookSource
        Read at once, to its end (or its ``until``).

    Attributes
    ----------
    error : DataError or None
        What stopped the reading, if anything.
    """

    def __init__(self, source: LobsterBookSource) -> None:
        chunks, self.error = [], None
        try:
            for chunk in source.chunks():
                chunks.append(chunk)
        except DataError as exc:
            self.error = exc
        self._set(source, chunks, source.stats)

    @classmethod
    def from_chunks(cls, source: LobsterBookSource, chunks: list[BookChunk], stats: dict) -> BookInMemory:
        """``source``'s chunks, checked before (:mod:`feeds.book_cache` keeps them between runs)."""
        book = cls.__new__(cls)
        book.error = None
        book._set(source, chunks, stats)
        return book

    def _set(self, source: LobsterBookSource, chunks: list[BookChunk], stats: dict) -> None:
        # What a replay names in its errors and progress: the source's files.
        self.name, self.levels, self.message, self.book = source.name, source.levels, source.message, source.book
        self.row_files, self._chunks = source.row_files, chunks
        self._read_stats = dict(stats)
        self.stats = dict(stats)

    def chunks(self) -> Iterator[BookChunk]:
        """The chunks, in order (then the reading's error, if any); ``stats`` start again from the reading's (a
        replay adds to them)."""
        self.stats.clear()
        self.stats.update(self._read_stats)
        return self._replay()

    def _replay(self) -> Iterator[BookChunk]:
        yield from self._chunks
        if self.error is not None:
            raise self.error

    def __repr__(self) -> str:
        return f"BookInMemory({self.name!r}, levels={self.levels})"


_ROW_FIELDS = ("time", "kind", "order_id", "size", "price", "side", "level_size", "entered", "top", "priority")


def _before(chunks: Iterator[BookChunk], end: float) -> Iterator[BookChunk]:
    """The chunks' messages before time ``end`` (reading stops at the first one at or after it)."""
    for chunk in chunks:
        cut = bisect.bisect_left(chunk.time, end)
        if cut == len(chunk.time):
            yield chunk
            continue
        yield attrs.evolve(chunk, **{f: getattr(chunk, f)[:cut] for f in _ROW_FIELDS},
                           edges={row: e for row, e in chunk.edges.items() if row < cut},
                           bad_row=min(chunk.bad_row, cut))
        return


def read_once(source):
    """``source`` ready to be replayed several times: a :class:`LobsterBookSource` read and checked once into a
    :class:`BookInMemory` (held in memory), anything else as it is."""
    return BookInMemory(source) if isinstance(source, LobsterBookSource) else source


def replay_feed(source):
    """The feed that replays ``source``: a :class:`LobsterBookSource` (or a wrapper of one: it has ``levels``)
    message by message with the full book, any other tick source as ticks (:class:`feeds.ReplayFeed`)."""
    return LobsterBookFeed(source) if hasattr(source, "levels") else ReplayFeed(source)


def _book_columns(rows, path: Path, first_row: int, levels: int) -> tuple[np.ndarray, ...]:
    """Validated integer ``(ask prices, ask sizes, bid prices, bid sizes)``, each ``(rows, levels)``."""
    values = rows.to_numpy(dtype=np.float64) if all(k in "iuf" for k in (d.kind for d in rows.dtypes)) else None
    if values is None or np.isnan(values).any():  # column by column, to name the first bad value
        values = np.column_stack([numeric(rows, i, path, first_row, header=False, label=_label(i))
                                  for i in range(4 * levels)])
    sizes = values[:, 1::2]
    if not (sizes >= 0).all():
        for j in range(sizes.shape[1]):
            check_sizes(sizes[:, j], _label(2 * j + 1), path, first_row, header=False, strictly=False)
    prices = values[:, 0::2]
    bad = ~((prices > 0) & (prices < EMPTY_LEVEL) | (np.abs(prices) == EMPTY_LEVEL))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise row_error(path, first_row + int(i), f"{_label(2 * int(j))} {prices[i, j]!r} is not a price",
                        header=False)
    v = values.astype(np.int64)
    return v[:, 0::4], v[:, 1::4], v[:, 2::4], v[:, 3::4]


def _label(column: int) -> str:
    level, k = divmod(column, 4)
    return ("ask_price", "ask_size", "bid_price", "bid_size")[k] + f"_{level + 1}"


def _side_checks(q: np.ndarray, s: np.ndarray, q0: np.ndarray, s0: np.ndarray, touched: np.ndarray,
                 side_name: str, first: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, str]]:
    """Compare each row of one side with the row before (``q0``, ``s0``: the row before the chunk).

    ``q`` are the side's prices made ascending from the best (asks as they are, bids negated), empty levels at
    the marker; ``touched[i]`` is the (signed) price the message of row ``i`` changed on this side, or a value
    no price takes. Returns ``(entered, edge_in, edge_out, bad)``: per level of each row, whether it came into
    view (any way), came into view at the edge, and, per level of the row before, whether it went out of view at
    the edge; ``bad`` is ``(row, problem)`` for the first row whose levels changed otherwise than the message
    allows (``(n, "")`` when none).
    """
    n, levels = q.shape
    qp = np.vstack([q0[None, :], q[:-1]])
    sp = np.vstack([s0[None, :], s[:-1]])
    shown, shown_before = s > 0, sp > 0
    # Where a row has the prices of the row before, each level is its own match; the other rows (a level came or
    # went) are matched by one sorted search, rows kept apart by a large offset (each row's prices ascend).
    seen, size_before, kept = np.ones((n, levels), dtype=bool), sp.copy(), shown.copy()
    moved = np.flatnonzero((q != qp).any(axis=1))
    if len(moved):
        rows = np.arange(len(moved), dtype=np.int64)[:, None] * _ROW
        qm, qpm, sm = q[moved], qp[moved], s[moved]
        keys, keys_before = (rows + qm + _OFFSET).ravel(), (rows + qpm + _OFFSET).ravel()
        at = np.minimum(np.searchsorted(keys_before, keys), keys.size - 1)
        seen[moved] = (keys_before[at] == keys).reshape(-1, levels)
        size_before[moved] = sp[moved].ravel()[at].reshape(-1, levels)
        back = np.minimum(np.searchsorted(keys, keys_before), keys.size - 1)
        kept[moved] = ((keys[back] == keys_before) & (sm.ravel()[back] > 0)).reshape(-1, levels)
    is_touched, was_touched = q == touched[:, None], qp == touched[:, None]
    # The deepest level in view; a side with fewer than N levels shows all it has, so nothing is beyond it.
    full, full_before = shown.all(axis=1), shown_before.all(axis=1)
    last = np.where(full, q[:, -1], _OFFSET)[:, None]
    last_before = np.where(full_before, qp[:, -1], _OFFSET)[:, None]
    entered = shown & ~(seen & (size_before > 0))
    changed = shown & seen & (size_before > 0) & (s != size_before) & ~is_touched
    appeared = entered & ~is_touched & (q < last_before)
    vanished = shown_before & ~kept & ~was_touched & (qp < last)
    if first:  # the row before the file is unknown: its first row only sets the book
        changed[0] = appeared[0] = vanished[0] = False
    bad = (n, "")
    for wrong, problem in ((changed, "size changed at a level the message did not touch"),
                           (appeared, "a level appeared inside the book without a message adding to it"),
                           (vanished, "a level vanished inside the book without a message emptying it")):
        if wrong.any():
            i, j = np.argwhere(wrong)[0]
            price = abs(int(q[i, j] if wrong is not vanished else qp[i, j]))
            if i < bad[0]:
                bad = (int(i), f"the book disagrees with the messages: {problem} ({side_name} {price / PRICE_SCALE:g})")
    edge_in = entered & ~is_touched
    if first:
        edge_in[0] = shown[0] & ~is_touched[0]
    edge_out = shown_before & ~kept & ~was_touched
    return entered, edge_in, edge_out, bad


def _read(message: Path, book: Path, levels: int, chunk_rows: int, stats: dict) -> Iterator[BookChunk]:
    last_time = -np.inf
    first_row = 1
    empty = np.full(levels, EMPTY_LEVEL, dtype=np.int64)
    before = (empty, np.zeros(levels, np.int64), -empty, np.zeros(levels, np.int64))
    previous_top = None
    pairs = zip_longest(_csv_chunks(message, len(MESSAGE_COLUMNS), chunk_rows),
                        _csv_chunks(book, 4 * levels, chunk_rows))
    for msg, rows in pairs:
        n_msg, n_book = (0 if msg is None else len(msg)), (0 if rows is None else len(rows))
        if n_msg != n_book:
            short, other = (message, book) if n_msg < n_book else (book, message)
            raise DataError(f"{short}: ends after data row {first_row - 1 + min(n_msg, n_book)} but {other} has more "
                            f"rows (a LOBSTER message file and its order-book file have one row per message)")
        time, kind, size, price, direction = _messages(msg, message, first_row, last_time)
        order_id = numeric(msg, 2, message, first_row, header=False, label="order_id").astype(np.int64)
        last_time = time[-1]
        ask, ask_size, bid, bid_size = _book_columns(rows, book, first_row, levels)
        kind_i = kind.astype(np.int64)
        price_i = np.rint(price).astype(np.int64)
        side = direction.astype(np.int64)
        touches = np.isin(kind_i, (1, 2, 3, 4))
        no_price = -(_OFFSET - 1)  # below every shifted price: "touched nothing"
        first = first_row == 1
        a_entered, a_in, a_out, a_bad = _side_checks(ask, ask_size, before[0], before[1],
                                              np.where(touches & (side == -1), price_i, no_price), "ask", first)
        b_entered, b_in, b_out, b_bad = _side_checks(-bid, bid_size, -before[2], before[3],
                                              np.where(touches & (side == 1), -price_i, no_price), "bid", first)
        # The file's size at the message's level, and whether that level was out of view before it.
        at_level = np.where((side == -1)[:, None], ask == price_i[:, None], bid == price_i[:, None])
        at_level &= touches[:, None]
        j = at_level.argmax(axis=1)
        has = at_level.any(axis=1)
        pick = np.arange(len(j))
        level_size = np.where(has, np.where(side == -1, ask_size[pick, j], bid_size[pick, j]), -1)
        entered = has & np.where(side == -1, a_entered[pick, j], b_entered[pick, j])

        top = np.column_stack([bid[:, 0], ask[:, 0], bid_size[:, 0], ask_size[:, 0]])
        changed = np.empty(len(top), dtype=bool)
        changed[0] = previous_top is None or bool((top[0] != previous_top).any())
        changed[1:] = (top[1:] != top[:-1]).any(axis=1)
        previous_top = top[-1]
        # No top for the strategy when a side is empty, or crossed or locked (as feeds.read_lobster).
        changed &= (top[:, 0] != -EMPTY_LEVEL) & (top[:, 1] != EMPTY_LEVEL) & (top[:, 0] < top[:, 1])
        # The top, for the rows that change it only (about a third of a level-10 file's).
        rows_changed = np.flatnonzero(changed)
        top = top[rows_changed]
        tops = [None] * len(changed)
        for row, t in zip(rows_changed.tolist(), zip((top[:, 0] / PRICE_SCALE).tolist(),
                                                     (top[:, 1] / PRICE_SCALE).tolist(),
                                                     top[:, 2].astype(np.float64).tolist(),
                                                     top[:, 3].astype(np.float64).tolist())):
            tops[row] = t

        edges: dict[int, list] = {}
        for s_name, q, s, q_before, e_in, e_out in ((-1, ask, ask_size, before[0], a_in, a_out),
                                                    (1, bid, bid_size, before[2], b_in, b_out)):
            q_prev = np.vstack([q_before[None, :], q[:-1]])
            i, jj = np.nonzero(e_out)
            for row, at in zip(i.tolist(), q_prev[i, jj].tolist()):
                edges.setdefault(row, []).append((s_name, at, 0))
            i, jj = np.nonzero(e_in)
            for row, at, shown in zip(i.tolist(), q[i, jj].tolist(), s[i, jj].tolist()):
                edges.setdefault(row, []).append((s_name, at, shown))
        stats["rows"] += n_msg
        stats["edge_levels"] += int(a_in.sum() + b_in.sum())
        stats["visible_executions"] += int((kind_i == 4).sum())
        stats["hidden_executions"] += int((kind_i == 5).sum())
        stats["trades"] += int(np.isin(kind_i, (4, 5)).sum())
        stats["cross_trades"] += int((kind_i == 6).sum())
        stats["halts"] += int((kind_i == 7).sum())
        yield BookChunk(first_row, time.tolist(), kind_i.tolist(), order_id.tolist(), size.astype(np.int64).tolist(),
                        price_i.tolist(), side.tolist(), level_size.tolist(), entered.tolist(), tops, edges,
                        np.where(np.isin(kind_i, (4, 5)), MARKET_ORDER, MARKET_DATA).tolist(), *min(a_bad, b_bad))
        before = (ask[-1], ask_size[-1], bid[-1], bid_size[-1])
        first_row += n_msg


@attrs.frozen(eq=False)
class LobsterBookFeed:
    """Replays a :class:`LobsterBookSource` message by message into a simulation, keeping the full book.

    Every message updates the book (``sim.book``, an :class:`engine.order_book.OrderBook`), is checked against
    its order-book row, and reaches the fill model: a visible execution as ``sim.market_order`` (the print) and as
    ``sim.order_event`` with the executed order's place in its queue; a hidden execution and a new order as
    ``sim.order_event`` only; a change of the best prices or sizes as ``sim.set_book``. Cross trades (type 6) and
    halts (type 7) change nothing. Level-1 files replay this way too (with ``N = 1``).

    Parameters
    ----------
    source : LobsterBookSource
        The files.
    """

    source: LobsterBookSource = attrs.field()

    def attach(self, sim, rng: np.random.Generator) -> None:
        """Give ``sim`` a fresh book and schedule the first message (see :class:`engine.Feed`)."""
        source = self.source
        chunks = iter(source.chunks())
        book = sim.book = OrderBook()
        stats = source.stats
        schedule, set_book, market_order, order_event = (sim.scheduler.schedule, sim.set_book, sim.market_order,
                                                         sim.order_event)
        add, remove, untrack, levels = book.add, book.remove, book.untrack, book.sides
        state, scheduler = sim.state, sim.scheduler
        run_now_or_schedule = scheduler.run_now_or_schedule
        # The loaded chunk's columns, bound to locals by load(): this loop runs once per message.
        c = times = kinds = ids = sizes = prices = sides = shown_sizes = entered = tops = edges = priority = None
        n = bad_row = 0

        def load() -> bool:
            nonlocal c, times, kinds, ids, sizes, prices, sides, shown_sizes, entered, tops, edges, priority, n, bad_row
            for chunk in chunks:
                if chunk.time:
                    c, n, bad_row = chunk, len(chunk.time), chunk.bad_row
                    times, kinds, ids, sizes, prices, sides = c.time, c.kind, c.order_id, c.size, c.price, c.side
                    shown_sizes, entered, tops, edges, priority = c.level_size, c.entered, c.top, c.edges, c.priority
                    return True
            n = 0
            return False

        def fail(path: Path, j: int, problem: str) -> DataError:
            return row_error(path, c.first_row + j, problem, header=False)

        def on_row(j: int) -> None:
            # Rows run one after another while nothing else is due before the next one (most of a day: the
            # strategy's timer ticks every 100 ms); otherwise the next row is scheduled.
            while True:
                if j == bad_row:
                    raise fail(source.book, j, c.problem)
                kind = kinds[j]
                if kind <= 4:
                    side, price, size = sides[j], prices[j], sizes[j]
                    if kind == 1:
                        order_event(ADDED, side, price / PRICE_SCALE, size, add(ids[j], side, price, size))
                    else:
                        seq = remove(ids[j], side, price, size, kind == 3)
                        if seq is None:
                            if c.first_row + j > 1:  # the first message may act on the book before the file
                                raise fail(source.message, j, f"order id {ids[j]} was never added and its level "
                                           f"({_SIDE[side]} {price / PRICE_SCALE:g}) has no untracked size to hold it")
                        elif kind == 4:
                            if seq < 0:
                                stats["untracked_executions"] += 1
                            market_order(-side, size, None, price / PRICE_SCALE)
                            order_event(EXECUTED, side, price / PRICE_SCALE, size, seq)
                    level = levels[side].get(price)
                    total = 0 if level is None else level.total
                    shown = shown_sizes[j]
                    if entered[j]:  # the level came into view with this message: what we could not follow is untracked
                        followed = total - (0 if level is None else level.untracked)
                        if shown < followed:
                            raise fail(source.book, j, f"the book disagrees with the messages: {shown} shown at "
                                       f"{_SIDE[side]} {price / PRICE_SCALE:g}, {followed} from the messages")
                        book.set_untracked(side, price, shown - followed)
                    elif total != (shown if shown > 0 else 0):
                        raise fail(source.book, j, f"the book disagrees with the messages: {max(shown, 0)} shown at "
                                   f"{_SIDE[side]} {price / PRICE_SCALE:g}, {total} from the messages")
                elif kind == 5:  # not a print that moves queues: the fill model sees it as a hidden execution only
                    order_event(HIDDEN_EXECUTED, sides[j], prices[j] / PRICE_SCALE, sizes[j], UNTRACKED)
                moved = edges.get(j)
                if moved is not None:  # levels that came into or went out of view at the edge of the N levels
                    for edge_side, edge_price, edge_size in moved:
                        untrack(edge_side, edge_price, edge_size)
                top = tops[j]
                if top is not None:
                    set_book(*top)
                j += 1
                if j == n:
                    now = times[j - 1]
                    if not load():
                        state.horizon = now
                        return
                    j = 0
                if not run_now_or_schedule(times[j], priority[j], on_row, j):
                    return

        if not load():
            raise DataError(f"{source.message}: no rows: nothing to replay")
        if sim.scheduler.now < times[0] and not len(sim.scheduler):
            sim.scheduler.now = times[0]
        schedule(times[0], priority[0], on_row, 0)


_SIDE = {1: "bid", -1: "ask"}
