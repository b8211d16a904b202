"""From tick data to what the intensity likelihood needs: the depth each trade reached, per window and side, and
the half-spread path that decides which market orders could be seen at all.

Depths are kept as whole numbers of *half-ticks* from the mid, so that every comparison on the price grid is
exact: with the best bid ``b`` and ask ``a`` in ticks, the mid is ``(a + b) / 2`` and the half-spread ``h = a - b``
half-ticks. A quote on the grid on the ask side sits at ``h, h + 2, h + 4, ...`` half-ticks from the mid (at or
beyond the touch), and likewise on the bid side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import attrs
import numpy as np

from engine import ConfigError, DataError
from engine.errors import check_positive
from engine.lazy_modules import lazy_module
from feeds import QUOTE, TRADE, TickSource, infer_tick_size

pd = lazy_module("pandas")


@attrs.frozen
class TickArrays:
    """The columns of a tick stream that calibration uses: quotes ``(q_ts, bid, ask)`` and trades
    ``(t_ts, price, side)``, each in time order."""

    name: str
    trades_file: str
    q_ts: np.ndarray
    bid: np.ndarray
    ask: np.ndarray
    t_ts: np.ndarray
    price: np.ndarray
    side: np.ndarray
    stats: dict

    @classmethod
    def collect(cls, ticks: TickSource | pd.DataFrame | Iterable[pd.DataFrame], name: str = "ticks") -> TickArrays:
        """Read a tick source (:class:`feeds.FileSource`, :class:`feeds.FrameSource`), one tick frame or an
        iterable of chunks.

        Raises
        ------
        DataError
            If there are no quotes, or no trades at all (nothing to calibrate on): the message names the file.
        """
        trades_file = getattr(ticks, "trades_file", name)
        name = getattr(ticks, "name", name)
        chunks = ticks.chunks() if hasattr(ticks, "chunks") else [ticks] if isinstance(ticks, pd.DataFrame) \
            else ticks
        parts: dict[str, list] = {k: [] for k in ("q_ts", "bid", "ask", "t_ts", "price", "side")}
        for chunk in chunks:
            kind = chunk["kind"].to_numpy()
            q, t = kind == QUOTE, kind == TRADE
            for key, column, mask in (("q_ts", "ts", q), ("bid", "bid", q), ("ask", "ask", q), ("t_ts", "ts", t),
                                      ("price", "price", t), ("side", "side", t)):
                parts[key].append(chunk[column].to_numpy()[mask])
        arrays = {k: np.concatenate(v) if v else np.empty(0) for k, v in parts.items()}
        stats = dict(getattr(ticks, "stats", {}))
        if not len(arrays["q_ts"]):
            raise DataError(f"{name}: no quotes at all: calibration needs the best bid and ask")
        if not len(arrays["t_ts"]):
            raise DataError(f"{trades_file}: no trades at all: calibration needs executions to measure how deep "
                            f"market orders reach")
        return cls(name=name, trades_file=trades_file, stats=stats, **arrays)

    def quote_frame(self) -> pd.DataFrame:
        """The quotes as a tick frame's ``kind``, ``bid`` and ``ask`` columns (for :func:`feeds.infer_tick_size`)."""
        return pd.DataFrame({"kind": np.full(len(self.q_ts), QUOTE), "bid": self.bid, "ask": self.ask})


def reach(x, h):
    """Depth (half-ticks) of the nearest quote on the grid at or beyond depth ``x`` when the half-spread is ``h``:
    ``h`` inside the spread, else ``h`` plus whole ticks."""
    return np.where(x > h, h + 2 * ((x - h + 1) // 2), h)


@attrs.frozen
class DepthData:
    """Per window and side, the deepest trade, and the half-spread path split at window boundaries.

    Attributes
    ----------
    tick : float
        Tick size, price units.
    window_s : float
        Window length, seconds.
    n_windows : int
        Windows ``(t0 + i tau, t0 + (i + 1) tau]``, the last one possibly shorter.
    seg_window, seg_dt, seg_half_spread : ndarray
        Stretches of time with one book: their window, length (s) and half-spread (half-ticks).
    max_depth : ndarray
        ``(2, n_windows)`` deepest arrival, half-ticks from the mid (row 0 buyer-initiated, reaching asks;
        row 1 seller-initiated, reaching bids); -1 where none.
    arrival_depth, arrival_half_spread, arrival_side : ndarray
        Each market order (trades at one time on one side are one order): its depth, the half-spread it met,
        its aggressor side.
    arrival_inside : ndarray of bool
        Orders all of whose prints were inside the spread (hidden or midpoint liquidity).
    inside_spread : int
        How many orders printed inside the spread, counted as reaching the touch.
    trades, trades_before_book : int
        Trade rows used, and those dropped because no book was known yet.
    duration_s : float
        Time covered, seconds.
    """

    tick: float
    window_s: float
    n_windows: int
    seg_window: np.ndarray = attrs.field(repr=False)
    seg_dt: np.ndarray = attrs.field(repr=False)
    seg_half_spread: np.ndarray = attrs.field(repr=False)
    max_depth: np.ndarray = attrs.field(repr=False)
    arrival_depth: np.ndarray = attrs.field(repr=False)
    arrival_half_spread: np.ndarray = attrs.field(repr=False)
    arrival_side: np.ndarray = attrs.field(repr=False)
    arrival_inside: np.ndarray = attrs.field(repr=False)
    inside_spread: int
    trades: int
    trades_before_book: int
    duration_s: float

    @property
    def half_tick(self) -> float:
        """Price units per half-tick: depths in half-ticks times this are price units."""
        return 0.5 * self.tick

    @property
    def arrivals(self) -> int:
        return len(self.arrival_depth)

    def time_by_half_spread(self) -> tuple[np.ndarray, np.ndarray]:
        """The half-spreads (half-ticks) the book had, and the seconds it spent at each."""
        seconds = np.bincount(self.seg_half_spread, weights=self.seg_dt)
        h = np.flatnonzero(seconds)
        return h, seconds[h]


def grid_ticks(prices: np.ndarray, tick: float, what: str) -> np.ndarray:
    """Prices as whole ticks, or :class:`ConfigError` if one is off the grid."""
    ticks = prices / tick
    whole = np.round(ticks)
    off = np.flatnonzero(np.abs(ticks - whole) > 1e-6)
    if len(off):
        raise ConfigError(f"tick size {tick!r} does not divide the {what} price {float(prices[off[0]])!r}")
    return whole.astype(np.int64)


def depth_data(arrays: TickArrays, *, window_s: float, tick_size: float | None = None) -> DepthData:
    """Measure the depth of every market order and gather it by window and side.

    Each trade's depth is measured from the mid prevailing just before its timestamp (the last quote strictly
    earlier), so the executions of one order that sweeps several levels, which share a timestamp, all measure
    from the book the order met; the order's depth is the deepest of them. A trade at price ``p`` reached ``p``
    and not the next tick beyond: its depth is known to within a tick. A print inside the spread (hidden or
    midpoint liquidity) is counted as an order that reached the touch and stopped there.

    Parameters
    ----------
    arrays : TickArrays
        The quotes and trades.
    window_s : float
        Window length, seconds (> 0).
    tick_size : float, optional
        Price grid step; inferred from the quote prices when not given.

    Raises
    ------
    DataError
        If no trade comes after the first quote, or the data span no time.
    ConfigError
        If ``tick_size`` does not divide the quote prices.
    """
    window_s = check_positive("window_s", window_s)
    tick = infer_tick_size(arrays.quote_frame()) if tick_size is None else check_positive("tick_size", tick_size)
    bid, ask = grid_ticks(arrays.bid, tick, "bid"), grid_ticks(arrays.ask, tick, "ask")
    half_spread, mid2 = ask - bid, ask + bid  # half-spread in half-ticks; mid in half-ticks

    q_ts, t_ts = arrays.q_ts, arrays.t_ts
    before = np.searchsorted(q_ts, t_ts, side="left") - 1  # the last quote strictly before each trade
    known = before >= 0
    if not known.any():
        raise DataError(f"{arrays.trades_file}: every trade comes before the first quote: no book to measure from")
    before, t_ts = before[known], t_ts[known]
    side = arrays.side[known].astype(np.int64)
    h = half_spread[before]
    # Depth beyond the touch in whole ticks (a sub-tick print counts down to the tick it passed); inside the
    # spread it is negative and clamped to the touch.
    depth_raw = side * (2.0 * arrays.price[known] / tick - mid2[before])
    beyond = np.floor((depth_raw - h) / 2.0 + 1e-9).astype(np.int64)
    inside = beyond < 0
    depth = h + 2 * np.maximum(beyond, 0)

    # One market order per (time, side): its deepest print.
    new_order = np.ones(len(t_ts), dtype=bool)
    new_order[1:] = (t_ts[1:] != t_ts[:-1]) | (side[1:] != side[:-1])
    order_id = np.cumsum(new_order) - 1
    order_depth = np.full(order_id[-1] + 1, -1, dtype=np.int64)
    np.maximum.at(order_depth, order_id, depth)
    first = np.flatnonzero(new_order)
    order_inside = np.bincount(order_id, weights=~inside, minlength=len(first)) == 0  # all its prints were inside

    t0 = q_ts[0]
    t_end = max(q_ts[-1], t_ts[-1])
    if not t_end > t0:
        raise DataError(f"{arrays.name}: the data span no time (first and last times are {t0!r})")
    n_windows = max(1, math.ceil((t_end - t0) / window_s - 1e-9))
    edges = t0 + window_s * np.arange(n_windows)

    order_window = np.clip(np.searchsorted(edges, t_ts[first], side="left") - 1, 0, n_windows - 1)
    max_depth = np.full((2, n_windows), -1, dtype=np.int64)
    row = np.where(side[first] > 0, 0, 1)
    np.maximum.at(max_depth, (row, order_window), order_depth)

    starts = np.unique(np.concatenate([q_ts, edges]))
    starts = starts[starts < t_end]
    ends = np.append(starts[1:], t_end)
    seg_quote = np.searchsorted(q_ts, starts, side="right") - 1
    seg_window = np.searchsorted(edges, starts, side="right") - 1
    dt = ends - starts
    keep = dt > 0
    return DepthData(
        tick=tick, window_s=window_s, n_windows=n_windows, seg_window=seg_window[keep], seg_dt=dt[keep],
        seg_half_spread=half_spread[seg_quote[keep]], max_depth=max_depth, arrival_depth=order_depth,
        arrival_half_spread=h[first], arrival_side=side[first], arrival_inside=order_inside,
        inside_spread=int(order_inside.sum()),
        trades=int(known.sum()), trades_before_book=int((~known).sum()), duration_s=float(t_end - t0))
