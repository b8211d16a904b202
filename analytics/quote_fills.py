"""What a resting quote experiences: fill intensities measured by replaying hypothetical quotes through the
replay's own fill rule, and the fit of ``lambda(x) = A exp(-k x)`` to them by maximum likelihood.

A *hypothetical quote* is pegged at a fixed offset ``x`` and re-pegged at every decision time (every
``window_s`` seconds, and after each fill), exactly as a strategy requoting on that timer would be:

* ``anchor="touch"``: ``x`` behind the same-side best (a bid at ``best_bid - x``, an ask at ``best_ask + x``), so
  ``x`` is depth alone, whatever the spread;
* ``anchor="mid"``: ``x`` from the mid (a bid at ``mid - x``, an ask at ``mid + x``), the Avellaneda-Stoikov
  ``delta``; such a quote sits inside the spread when it is wide and behind the touch when it is narrow.

Each offset is one replay (:class:`engine.Simulation` with the fill model and source ``mmsim replay`` picks for
the data: by default :class:`engine.replay_fills.TradeThroughFills`, conservative queue, on ticks; a level-N
LOBSTER :class:`feeds.lobster_book.LobsterBookSource` with :class:`engine.queue_fills.QueueFills`, the exact
queue): the fill rule is the replay's, not a copy of it. A *fill event* is one instant at which a side filled (the
executions of one sweep share a timestamp and count once, as one market order fills a synthetic quote once).

The likelihood treats the fill events of a (window, side, offset) cell as Poisson with mean ``A e exp(-k x)``,
``e`` the seconds the quote rested in the window. Cells of one stretch of time are not independent (market orders
come in bursts), so the standard errors are clustered by time block (sandwich); the Poisson ones are beside them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np

from analytics.markouts import markouts
from analytics.mle import ExponentialLaw, maximize
from engine import ConfigError, DataError, FillModel, Quote, Simulation
from engine.errors import check_positive
from engine.replay_fills import TradeThroughFills
from engine.lazy_modules import lazy_module
from feeds.lobster_book import read_once, replay_feed
from strategies import Retimed, Strategy

pd = lazy_module("pandas")

ANCHORS = ("touch", "mid")
#: What each queue rule of the replay fills (``mmsim replay --queue``), for :func:`fill_rule`.
QUEUE_RULES = {
    "l3": "our exact place in the queue from the book rebuilt by order id: at our price once every order ahead "
          "has executed or left, through our price (or an order posted through it) at once",
    "conservative": "trade through our price, or at our price after the displayed queue ahead has traded, or the "
                    "opposite best moving to our price",
    "touch": "trade through our price, or any trade at our price, or the opposite best moving to our price",
}


def fill_rule(queue: str, levels: int, post_only: str) -> str:
    """The fill rule in words, as ``calibration.json`` records it: the queue rule (a key of :data:`QUEUE_RULES`)
    replayed on level-``levels`` data (full depth when deeper than level 1, or with ``l3``), and the post-only
    rule."""
    replayed = "full-depth" if levels > 1 or queue == "l3" else "level-1"
    return f"replay {replayed} {queue} on level-{levels} data: {QUEUE_RULES[queue]}; post-only {post_only}"


#: The default fill rule hypothetical quotes are matched by (calibration.json records the one used).
FILL_RULE = fill_rule("conservative", 1, "clamp")


@attrs.frozen
class Pegged(Strategy):
    """Quote at a fixed ``offset`` from the ``anchor`` (see the module docstring), ``order_size`` each side."""

    anchor: str
    offset: float
    order_size: float = 100.0
    name = "pegged"
    quote_inputs = ("best_ask", "best_bid", "mid")

    def quote(self, state) -> Quote:
        x, size = self.offset, self.order_size
        if self.anchor == "touch":
            return Quote(state.best_bid - x, state.best_ask + x, size, size)
        return Quote(state.mid - x, state.mid + x, size, size)


@attrs.frozen
class QuoteCells:
    """Fill events and exposures of hypothetical quotes, per (offset, window, side).

    Attributes
    ----------
    anchor : str
        ``"touch"`` or ``"mid"``.
    offsets : ndarray
        The offsets ``x``, price units (L,).
    window_s : float
        Decision interval, seconds.
    start : ndarray
        Start time of each window, seconds (W,).
    exposure : ndarray
        Seconds a quote rested in each window (W,): the same for every offset and side.
    fills : ndarray
        Fill events per offset, window and side (bid, ask) (L, W, 2).
    markout : ndarray
        Sum over those fill events of the mid's move against us ``horizon_s`` later, price units (L, W, 2).
    horizon_s : float
        The markout horizon.
    """

    anchor: str
    offsets: np.ndarray
    window_s: float
    start: np.ndarray
    exposure: np.ndarray
    fills: np.ndarray
    markout: np.ndarray
    horizon_s: float

    def select(self, keep: np.ndarray) -> QuoteCells:
        """The cells of the windows where ``keep`` (a boolean mask over windows) is true."""
        return attrs.evolve(self, start=self.start[keep], exposure=self.exposure[keep], fills=self.fills[:, keep],
                            markout=self.markout[:, keep])

    def at(self, keep: np.ndarray) -> QuoteCells:
        """The cells of the offsets where ``keep`` (a boolean mask over offsets) is true."""
        return attrs.evolve(self, offsets=self.offsets[keep], fills=self.fills[keep], markout=self.markout[keep])

    def side(self, side: int) -> QuoteCells:
        """Only the bid (``side=0``) or the ask (``side=1``)."""
        return attrs.evolve(self, fills=self.fills[:, :, side:side + 1], markout=self.markout[:, :, side:side + 1])

    @property
    def sides(self) -> int:
        return self.fills.shape[2]

    def level_table(self, block_s: float) -> pd.DataFrame:
        """Per offset: fill events, exposure, the rate (per second per side) with its Poisson and clustered SEs."""
        blocks = _blocks(self.start, block_s)
        rows = []
        for i, x in enumerate(self.offsets):
            n = self.fills[i].sum(axis=1)
            e = self.exposure * self.sides
            total_n, total_e = float(n.sum()), float(e.sum())
            rate = total_n / total_e
            resid = np.bincount(blocks, n - rate * e)
            rows.append({"offset": float(x), "fills": int(total_n), "exposure_s": total_e, "rate": rate,
                         "se_poisson": math.sqrt(total_n) / total_e, "se": math.sqrt(float(resid @ resid)) / total_e})
        return pd.DataFrame(rows)


def hypothetical_cells(source, anchor: str, offsets: Sequence[float], *, window_s: float, tick_size: float,
                       order_size: float = 100.0, horizon_s: float = 1.0,
                       fill_model: FillModel | None = None) -> QuoteCells:
    """Replay ``source`` once per offset with a :class:`Pegged` quote and count what it experienced.

    Parameters
    ----------
    source : TickSource or LobsterBookSource
        The data (replayed once per offset: prefer an in-memory :class:`feeds.FrameSource`); a LOBSTER book
        source replays message by message with the full book, as ``mmsim replay`` does for level-N files (its
        files are read and checked once and held in memory: :func:`feeds.lobster_book.read_once`).
    anchor : {"touch", "mid"}
    offsets : sequence of float
        Offsets, price units (>= 0).
    window_s : float
        Decision interval: the quote is re-pegged every ``window_s`` seconds and after each fill.
    tick_size : float
        The price grid (the fill model puts quotes on it: bids down, asks up).
    order_size : float
        Size of each side of the quote (a trade smaller than it fills part of it).
    horizon_s : float
        Horizon of the markouts kept for the impact estimate.
    fill_model : FillModel, optional
        The replay's fill model (default :class:`engine.replay_fills.TradeThroughFills` on ``tick_size``,
        conservative queue).
    """
    if anchor not in ANCHORS:
        raise ConfigError(f"anchor must be 'touch' or 'mid', got {anchor!r}")
    window_s = check_positive("window_s", window_s)
    fills_by_offset, markouts_by_offset = [], []
    start = exposure = None
    fill_model = TradeThroughFills(tick_size) if fill_model is None else fill_model
    source = read_once(source)  # a LOBSTER book is read and checked once, not once per offset
    for x in offsets:
        strategy = Retimed(Pegged(anchor, float(x), order_size), window_s, False, True)
        sim = Simulation(replay_feed(source), strategy, fill_model, seed=0)
        ledger = sim.run()
        quotes, marks = ledger.quotes, ledger.marks
        if not len(quotes):
            raise DataError(f"{getattr(source, 'name', 'ticks')}: no quote could be placed (no two-sided book)")
        if start is None:
            t0, t_end = float(quotes["time"].iloc[0]), float(marks["time"].iloc[-1])
            n_windows = int(math.ceil((t_end - t0) / window_s - 1e-9))
            if n_windows < 1:
                raise DataError(f"{getattr(source, 'name', 'ticks')}: the data span {t_end - t0:g} s, less than "
                                f"one window of {window_s:g} s")
            start = t0 + window_s * np.arange(n_windows)
            exposure = np.minimum(start + window_s, t_end) - start
        fills = ledger.fills
        counts = np.zeros((len(start), 2))
        moves = np.zeros((len(start), 2))
        if len(fills):
            marked = markouts(ledger, [horizon_s], clock="real")
            events = marked.groupby(["time", "side"], sort=False).first().reset_index()
            w = np.clip(np.floor((events["time"].to_numpy() - start[0]) / window_s + 1e-9).astype(int), 0,
                        len(start) - 1)
            s = (events["side"].to_numpy() < 0).astype(int)  # 0: our bid filled, 1: our ask
            np.add.at(counts, (w, s), 1.0)
            np.add.at(moves, (w, s), events[float(horizon_s)].to_numpy())
        fills_by_offset.append(counts)
        markouts_by_offset.append(moves)
    return QuoteCells(anchor=anchor, offsets=np.asarray(offsets, dtype=float), window_s=window_s, start=start,
                      exposure=exposure, fills=np.stack(fills_by_offset), markout=np.stack(markouts_by_offset),
                      horizon_s=horizon_s)


def _blocks(start: np.ndarray, block_s: float) -> np.ndarray:
    """Cluster index of each window: consecutive blocks of ``block_s`` seconds."""
    return np.unique(np.floor((start - start[0]) / block_s).astype(int), return_inverse=True)[1]


@attrs.frozen
class RateFit(ExponentialLaw):
    """``lambda(x) = A exp(-k x)`` fitted to fill events, per second per side (intervals from the clustered
    covariance).

    Attributes
    ----------
    A : float
        Intensity at offset 0, per second per side.
    k : float
        Decay per price unit of offset.
    cov : ndarray
        Covariance of ``(ln A, k)`` clustered by time block (sandwich): the headline uncertainty.
    cov_poisson : ndarray
        Covariance of ``(ln A, k)`` from the Poisson likelihood alone (inverse observed information).
    anchor : str
        What the offset is measured from.
    loglik : float
    cells : int
        (window, side, offset) cells.
    events : int
        Fill events.
    clusters : int
        Time blocks.
    """

    A: float
    k: float
    cov: np.ndarray = attrs.field(eq=False, repr=False)
    cov_poisson: np.ndarray = attrs.field(eq=False, repr=False)
    anchor: str
    loglik: float
    cells: int
    events: int
    clusters: int

    @property
    def A_se(self) -> float:
        return self.A * math.sqrt(self.cov[0, 0])

    @property
    def k_se(self) -> float:
        return math.sqrt(self.cov[1, 1])

    @property
    def A_se_poisson(self) -> float:
        return self.A * math.sqrt(self.cov_poisson[0, 0])

    @property
    def k_se_poisson(self) -> float:
        return math.sqrt(self.cov_poisson[1, 1])

    def rate_se(self, x) -> np.ndarray:
        """Clustered standard error of :meth:`rate` (delta method: ``d ln rate = d ln A - x dk``)."""
        x = np.asarray(x, dtype=float)
        var = self.cov[0, 0] - 2.0 * x * self.cov[0, 1] + x * x * self.cov[1, 1]
        return self.rate(x) * np.sqrt(np.maximum(var, 0.0))

    def to_dict(self) -> dict:
        return {"A": self.A, "k": self.k, "A_se": self.A_se, "k_se": self.k_se, "A_ci95": list(self.A_ci95),
                "k_ci95": list(self.k_ci95), "A_se_poisson": self.A_se_poisson, "k_se_poisson": self.k_se_poisson,
                "anchor": self.anchor, "loglik": self.loglik, "cells": self.cells, "events": self.events,
                "clusters": self.clusters}


def fit_rates(cells: QuoteCells, *, block_s: float = 300.0, what: str = "fill intensity") -> RateFit:
    """Maximum-likelihood ``A`` and ``k`` from hypothetical-quote cells.

    Each (window, side, offset) cell's fill events ``n`` are Poisson with mean ``A e exp(-k x)``: the
    log-likelihood ``sum n (ln A - k x) - A e exp(-k x)`` is concave in ``(ln A, k)`` and maximised by Newton's
    method with its analytic gradient and Hessian. The clustered covariance is ``H^-1 (sum_b g_b g_b') H^-1``,
    ``g_b`` the score summed over the cells of time block ``b`` (``block_s`` seconds): it allows any dependence
    between the windows, sides and offsets of one block.

    Raises
    ------
    DataError
        If no quote ever filled, or fills happened at one offset only (``k`` is not identified).
    """
    block_s = check_positive("block_s", block_s)
    x = cells.offsets
    n_lw = cells.fills.sum(axis=2)  # (L, W): both sides
    e_w = cells.exposure * cells.sides  # (W,)
    n_l, e_total = n_lw.sum(axis=1), float(e_w.sum())
    if n_l.sum() == 0:
        raise DataError(f"{what}: no hypothetical quote filled: nothing to fit")
    if np.count_nonzero(n_l) < 2:
        raise DataError(f"{what}: fills at one offset only: k is not identified")
    scale = max(float(np.max(x)), 1e-12)  # work with kappa = k * scale, of order 1
    u = x / scale

    def loglik(theta):
        a, kappa = theta
        mu = e_total * np.exp(a - kappa * u)  # expected events per offset
        value = float(n_l @ (a - kappa * u) - mu.sum())
        grad = np.array([n_l.sum() - mu.sum(), float(-(n_l @ u) + mu @ u)])
        hess = -np.array([[mu.sum(), -(mu @ u)], [-(mu @ u), mu @ (u * u)]])
        return value, grad, hess

    theta, value, hess, _ = maximize(loglik, [math.log(n_l.sum() / (e_total * len(x))), 0.0], what=what)
    a, kappa = theta
    inv = np.linalg.inv(-hess)
    # Scores per window, summed into blocks: (n - mu) (1, -u) over offsets.
    resid = n_lw - np.exp(a - kappa * u)[:, None] * e_w[None, :]  # (L, W)
    blocks = _blocks(cells.start, block_s)
    g = np.stack([np.bincount(blocks, resid.sum(axis=0)), np.bincount(blocks, -(u @ resid))], axis=1)
    robust = inv @ (g.T @ g) @ inv
    to_k = np.diag([1.0, 1.0 / scale])
    return RateFit(A=math.exp(a), k=float(kappa / scale), cov=to_k @ robust @ to_k, cov_poisson=to_k @ inv @ to_k,
                   anchor=cells.anchor, loglik=value, cells=int(n_lw.size * cells.sides), events=int(n_l.sum()),
                   clusters=int(blocks.max()) + 1)


def impact(cells: QuoteCells, *, block_s: float = 300.0) -> tuple[float, float, int]:
    """The move of the mid ``horizon_s`` after the market orders that filled the quotes, in the orders'
    direction (against us): the mean per offset, averaged over the offsets with equal weights (the move grows
    with the depth of the quote filled: equal weights keep the shallow offsets' many fills from swamping the
    deep ones). With its SE clustered by time block, and the number of fill events.

    Raises
    ------
    DataError
        If some offset never filled.
    """
    n = cells.fills.sum(axis=2)  # (L, W)
    m = cells.markout.sum(axis=2)
    events = n.sum(axis=1)
    if np.any(events == 0):
        raise DataError("price impact: a hypothetical quote never filled at some offset")
    means = m.sum(axis=1) / events
    blocks = _blocks(cells.start, block_s)
    # The estimate is sum_i (sum_w m_iw / N_i) / L: its residual per window is sum_i (m_iw - mean_i n_iw) / N_i / L.
    resid = np.bincount(blocks, (((m - means[:, None] * n) / events[:, None]).sum(axis=0)) / len(events))
    return float(means.mean()), math.sqrt(float(resid @ resid)), int(events.sum())


__all__ = ["ANCHORS", "FILL_RULE", "QUEUE_RULES", "Pegged", "QuoteCells", "RateFit", "fill_rule", "fit_rates",
           "hypothetical_cells", "impact"]
