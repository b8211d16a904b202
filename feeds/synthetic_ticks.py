"""Synthetic tick data with a known fill intensity, to test calibration against the truth."""

from __future__ import annotations

import numpy as np

from engine.errors import ConfigError, check_non_negative, check_positive
from engine.lazy_modules import lazy_module
from feeds.tickdata import QUOTE, TRADE, ticks_from_columns

pd = lazy_module("pandas")


def synthetic_ticks(A: float, k: float, *, duration_s: float = 600.0, tick: float = 0.01, s0: float = 100.0,
                    spreads_ticks: tuple[int, ...] = (1, 2, 3, 4), book_rate: float = 2.0, seed: int = 0
                    ) -> pd.DataFrame:
    """A tick chunk from the model that :func:`analytics.intensity.fit_depth_mle` assumes.

    The book changes at Poisson times (``book_rate`` per second): the best bid takes a step of -1, 0 or +1 tick
    and the spread is drawn from ``spreads_ticks``. On each side market orders arrive at rate ``A`` per second;
    each reaches ``D ~ Exponential(k)`` beyond the mid it meets. One that reaches the touch prints there and at
    every further tick it reaches (one TRADE row per level, all at its time); one that does not is unseen.
    Trades do not move the book.

    Parameters
    ----------
    A : float
        Market orders per second per side (> 0).
    k : float
        Depth decay, per price unit (> 0).
    duration_s, tick, s0 : float
        Length (s), tick size and starting mid.
    spreads_ticks : tuple of int
        Spreads to draw from, in ticks (>= 1).
    book_rate : float
        Book changes per second (>= 0).
    seed : int
        Seed of the random numbers.

    Returns
    -------
    pandas.DataFrame
        A tick chunk (see :mod:`feeds.tickdata`), times from 0.
    """
    A, k = check_positive("A", A), check_positive("k", k)
    duration_s, tick = check_positive("duration_s", duration_s), check_positive("tick", tick)
    book_rate = check_non_negative("book_rate", book_rate)
    spreads = np.asarray(spreads_ticks, dtype=np.int64)
    if not len(spreads) or spreads.min() < 1:
        raise ConfigError(f"spreads_ticks must be whole numbers of ticks >= 1, got {spreads_ticks!r}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))

    n_book = rng.poisson(book_rate * duration_s)
    q_ts = np.concatenate([[0.0], np.sort(rng.uniform(0.0, duration_s, n_book))])
    spread = rng.choice(spreads, n_book + 1)
    bid = round(s0 / tick) - spread[0] // 2 + np.concatenate([[0], np.cumsum(rng.integers(-1, 2, n_book))])
    ask = bid + spread

    counts = rng.poisson(A * duration_s, 2)
    t_ts = rng.uniform(0.0, duration_s, counts.sum())
    side = np.repeat([1, -1], counts)
    depth = rng.exponential(1.0 / k, counts.sum())
    book = np.searchsorted(q_ts, t_ts, side="right") - 1
    half = 0.5 * spread[book] * tick
    seen = depth >= half
    levels = np.floor((depth[seen] - half[seen]) / tick).astype(np.int64) + 1  # the touch and each tick beyond
    order = np.repeat(np.flatnonzero(seen), levels)
    level = np.arange(len(order)) - np.repeat(np.cumsum(levels) - levels, levels)
    touch = np.where(side[order] > 0, ask[book[order]], bid[book[order]])
    price = (touch + side[order] * level) * tick

    ts = np.concatenate([t_ts[order], q_ts])
    kind = np.concatenate([np.full(len(order), TRADE), np.full(len(q_ts), QUOTE)])
    rows = np.argsort(ts, kind="stable")
    nan_t, nan_q = np.full(len(order), np.nan), np.full(len(q_ts), np.nan)
    return ticks_from_columns(
        ts[rows], kind[rows],
        bid=np.concatenate([nan_t, bid * tick])[rows], ask=np.concatenate([nan_t, ask * tick])[rows],
        bid_size=np.concatenate([nan_t, np.ones(len(q_ts))])[rows],
        ask_size=np.concatenate([nan_t, np.ones(len(q_ts))])[rows],
        price=np.concatenate([price, nan_q])[rows], size=np.concatenate([np.ones(len(order)), nan_q])[rows],
        side=np.concatenate([side[order], np.zeros(len(q_ts))])[rows])
