"""A vectorised Monte Carlo engine for time-stepped models: every path advances in lockstep as numpy arrays.

The model is the one :class:`feeds.SyntheticMarket` and :class:`engine.StepFills` give the event engine, cut into
steps of length ``dt``. At each step, for all paths at once:

1. the strategy quotes from the current state (``strategy.quote(state)`` with ``state.mid``, ``state.inventory``
   and ``state.cash`` numpy arrays over paths; a NaN price, or ``None``, withdraws that side);
2. each side that was quoted fills, against the mid of the step, by the fill model's time-stepped rule;
3. the mid moves by the step's increment.

Fill rules, for a quote at depth ``delta`` from the mid with intensity ``lambda = A exp(-k delta)``:

``StepFills`` (the paper's recipe)
    the whole quote fills with probability ``min(1, lambda dt)``: the event engine's :class:`engine.StepFills`
    exactly (same random numbers, same arithmetic: the two engines give the same ledgers, bit for bit).
``ExponentialFills`` (exact)
    market orders reach the side as a Poisson process of rate ``A`` and each reaches a depth
    ``D ~ Exponential(k)``; the quote, held for the whole step, fills with every order that reaches it
    (``D >= delta``), up to its size. The number of such orders in a step is Poisson with mean ``lambda dt``
    (``lambda = A`` for ``delta < 0``), so a unit quote fills with probability ``1 - exp(-lambda dt)``. This is,
    exactly in distribution, what the event engine with :class:`engine.ExponentialFills` and the market's
    continuous-time orders does for a strategy that requotes on ticks only (``requote_on_fill = False``): the
    arrival process is not discretised, only the quote is refreshed once per step. With the event engine's
    default ``requote_on_fill = True`` a filled side is replaced at once and can fill again within the step,
    which this engine does not model.

Random numbers follow the event engine's: path ``i`` is seeded with :func:`engine.path_seed` ``(seed, i)``, whose
first child draws the market's increments and whose second draws one uniform per step and side for the fills
(the draws :class:`engine.StepFills` makes). A path is therefore the same however many paths run, and every
strategy run with the same seed meets the same markets.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pandas as pd

from engine.errors import ConfigError, StrategyError
from engine.fills import ExponentialFills, StepFills
from engine.ledger import FILL_COLUMNS, MARK_COLUMNS, QUOTE_COLUMNS, Ledger
from engine.montecarlo import check_paths_and_seed, path_seed
from engine.paths import market_increments
from engine.simulation import path_generators, strategy_name
from engine.types import Fees, MarketState, Quote

#: Columns of :meth:`VectorisedResult.per_path`, as :func:`analytics.path_metrics` names them.
PER_PATH_COLUMNS = ("pnl", "final_q", "fills", "mean_q2", "avg_spread")


@attrs.frozen(eq=False)
class PathDraws:
    """The random inputs of a vectorised run, drawn once and shared by every strategy run on them.

    Attributes
    ----------
    increments : numpy.ndarray
        ``(steps, paths)``: the mid's increments (log-increments for ``gbm``).
    uniforms : numpy.ndarray
        ``(steps, 2, paths)``: one uniform per step, side (bid, ask) and path, for the fills.
    """

    increments: np.ndarray
    uniforms: np.ndarray

    @property
    def paths(self) -> int:
        return self.increments.shape[1]

    @property
    def steps(self) -> int:
        return self.increments.shape[0]

#: The most paths x steps :func:`draw_paths` draws at once (about 1.2 GB of draws; every path is held in memory).
MAX_PATH_STEPS = 50_000_000


def draw_paths(market, *, paths: int, seed: int = 0) -> PathDraws:
    """Draw the increments and fill uniforms of ``paths`` paths of ``market``.

    Parameters
    ----------
    market
        A :class:`feeds.SyntheticMarket`, or any object with its attributes (``steps``, ``dt``, ``T``, ``sigma``,
        ``sigma_volatile``, ``to_volatile_rate``, ``to_calm_rate``, ``increments``).
    paths : int
        Number of paths (>= 1).
    seed : int
        Path ``i`` draws from :func:`engine.path_seed` ``(seed, i)``, as in the event engine.

    Returns
    -------
    PathDraws

    Raises
    ------
    ConfigError
        If ``paths`` or ``seed`` is not a whole number in range, or ``paths`` times the steps exceeds
        :data:`MAX_PATH_STEPS`.
    """
    check_paths_and_seed(paths, seed)
    steps = market.steps
    if paths * steps > MAX_PATH_STEPS:  # the draws alone take 24 bytes per path and step
        raise ConfigError(f"paths={paths} of {steps} steps each make {paths * steps:.3g} path-steps, more than the "
                          f"{MAX_PATH_STEPS:.0e} the vectorised engine holds in memory at once: lower paths (or "
                          "run the event engine, which streams paths)")
    increments = np.empty((paths, steps))
    uniforms = np.empty((paths, steps, 2))
    for i in range(paths):
        feed_rng, fill_rng = path_generators(path_seed(seed, i))
        increments[i] = market_increments(market, feed_rng)
        uniforms[i] = fill_rng.random((steps, 2))
    # Step-major, so that each step reads contiguous rows.
    return PathDraws(np.ascontiguousarray(increments.T), np.ascontiguousarray(uniforms.transpose(1, 2, 0)))


@attrs.frozen(eq=False)
class VectorisedResult:
    """What a vectorised run gives: one value per path, and the ledger when it was recorded.

    Attributes
    ----------
    name : str
        The strategy's name.
    pnl : numpy.ndarray
        Final mark-to-market minus the first, ``cash_T + q_T S_T``.
    final_q : numpy.ndarray
        Inventory at the end.
    fills : numpy.ndarray
        Number of fills (each side of each step counts once).
    mean_q2 : numpy.ndarray
        Time average of the squared inventory.
    avg_spread : numpy.ndarray
        Time average of the quoted spread ``ask - bid`` while both sides were quoted (NaN if never).
    ledger : Ledger or None
        With ``record=True``: the fills, quotes and marks tables the event engine would write.
    """

    name: str
    pnl: np.ndarray
    final_q: np.ndarray
    fills: np.ndarray
    mean_q2: np.ndarray
    avg_spread: np.ndarray
    ledger: Ledger | None = None

    def per_path(self) -> pd.DataFrame:
        """One row per path with the columns of :func:`analytics.path_metrics` (feed it to
        :func:`analytics.summarize`)."""
        frame = pd.DataFrame({name: getattr(self, name) for name in PER_PATH_COLUMNS})
        frame.index.name = "path"
        return frame


def _fill_rule(fill_model, market) -> tuple[str, float, float, float]:
    """(rule, A, k, dt) of a fill model the vectorised engine can run."""
    if isinstance(fill_model, StepFills):
        if not math.isclose(fill_model.dt, market.dt, rel_tol=1e-9):
            raise ConfigError(f"StepFills dt={fill_model.dt!r} must equal the market's dt={market.dt!r} "
                              "in the vectorised engine")
        return "step", fill_model.A, fill_model.k, fill_model.dt
    if isinstance(fill_model, ExponentialFills):
        return "exact", float(market.A), float(market.k), float(market.dt)
    raise ConfigError(f"the vectorised engine runs StepFills or ExponentialFills, not {type(fill_model).__name__}")


def _check_strategy(strategy) -> None:
    if getattr(strategy, "requote_interval_s", None) is not None:
        raise ConfigError("the vectorised engine requotes once per step: a strategy with requote_interval_s "
                          "needs the event engine")
    if not getattr(strategy, "requote_on_tick", True):
        raise ConfigError("the vectorised engine requotes once per step: a strategy with requote_on_tick = False "
                          "needs the event engine")


class _Quoter:
    """Calls the strategy on the array state and checks what it returns, naming the strategy, time and path."""

    def __init__(self, strategy, paths: int) -> None:
        self.strategy = strategy
        self.paths = paths
        self.name = strategy_name(strategy)
        self._withdrawn = np.full(paths, np.nan)

    def _side(self, price, t: float, what: str) -> np.ndarray:
        if price is None:
            return self._withdrawn
        price = np.asarray(price, dtype=float)
        if price.ndim == 0:
            return np.full(self.paths, float(price))
        if price.shape != (self.paths,):
            self._bad(t, None, f"{what} has shape {price.shape}, expected ({self.paths},)")
        return price

    def _size(self, size, t: float, what: str):
        if type(size) is float and 0.0 < size < math.inf:
            return size
        size = np.asarray(size, dtype=float)
        if size.ndim and size.shape != (self.paths,):
            self._bad(t, None, f"{what} has shape {size.shape}, expected ({self.paths},)")
        bad = ~(np.isfinite(size) & (size > 0.0))
        if bad.any():
            path = int(np.argmax(bad)) if size.ndim else None
            self._bad(t, path, f"{what}={float(size if path is None else size[path])!r}")
        return size if size.ndim else float(size)

    def _bad(self, t: float, path: int | None, what: str) -> None:
        where = "" if path is None else f" on path {path}"
        raise StrategyError(f"strategy {self.name} returned an invalid quote at t={t:.6g}{where}: {what}")

    def __call__(self, state: MarketState) -> tuple[np.ndarray, np.ndarray, object, object, np.ndarray, bool]:
        """``bid, ask, bid_size, ask_size, spread, two_sided``: prices as arrays (NaN where withdrawn), sizes as
        floats or arrays, ``spread = ask - bid`` (NaN where a side is withdrawn) and whether every path quoted
        both sides."""
        t = state.time
        try:
            quote = self.strategy.quote(state)
        except (Exception, SystemExit) as exc:  # sys.exit() in a strategy must not end the program quietly
            raise StrategyError(f"strategy {self.name} raised in quote at t={t:.6g}: {exc!r}") from exc
        if not isinstance(quote, Quote):
            self._bad(t, None, f"expected a Quote(bid=..., ask=...), got {type(quote).__name__}")
        bid, ask, bid_size, ask_size = quote
        bid = self._side(bid, t, "bid")
        ask = self._side(ask, t, "ask")
        bid_size = self._size(bid_size, t, "bid_size")
        ask_size = self._size(ask_size, t, "ask_size")
        spread = ask - bid
        # The common case in three operations: min is NaN if a side is withdrawn anywhere, max is inf if a price is.
        if spread.min() > 0.0 and spread.max() < math.inf:
            return bid, ask, bid_size, ask_size, spread, True
        for price, what in ((bid, "bid"), (ask, "ask")):
            infinite = np.isinf(price)
            if infinite.any():
                path = int(np.argmax(infinite))
                self._bad(t, path, f"{what}={float(price[path])!r}")
        crossed = bid >= ask  # False wherever a side is withdrawn (NaN)
        if crossed.any():
            path = int(np.argmax(crossed))
            self._bad(t, path, f"crossed quote bid={float(bid[path])!r} >= ask={float(ask[path])!r}")
        return bid, ask, bid_size, ask_size, spread, False


def _exact_filled(u: np.ndarray, mean: np.ndarray, size, order_size: float) -> np.ndarray:
    """``min(size, N order_size)`` with ``N ~ Poisson(mean)``, drawn by inverting N's survival function with
    ``u``: ``N >= j`` exactly when ``u < P(N >= j)``. The same ``u`` that fills a step quote (``u < mean``) is used,
    so an exact fill implies a step fill on the same draw (``1 - exp(-x) <= x``)."""
    pmf = np.exp(-mean)
    survival = -np.expm1(-mean)  # P(N >= 1), accurate for small means
    count = (u < survival).astype(float)
    needed = math.ceil(float(np.max(size)) / order_size)  # more orders than this cannot fill more
    for j in range(1, needed):
        pmf = pmf * mean / j  # P(N = j)
        survival = survival - pmf  # P(N >= j + 1)
        count += u < survival
    return np.minimum(size, count * order_size)


def run_vectorised(market, strategy, fill_model, *, paths: int | None = None, seed: int = 0,
                   draws: PathDraws | None = None, fees: Fees = Fees(), record: bool = False) -> VectorisedResult:
    """Run ``strategy`` on many paths of ``market`` at once.

    Parameters
    ----------
    market
        A :class:`feeds.SyntheticMarket`, or any object with its attributes: ``s0``, ``T``, ``dt``, ``steps``,
        ``sigma``, ``increments``, ``sigma_volatile``, ``to_volatile_rate``, ``to_calm_rate``, and for exact
        fills ``A``, ``k`` and ``order_size``. Price impact is not modelled (``impact`` must be 0).
    strategy
        An object with ``quote(state)`` whose maths works on numpy arrays (the shipped strategies do). It is
        called once per step for all paths; ``on_fill`` is not called.
    fill_model : StepFills or ExponentialFills
        The paper's per-step probability (with its own ``A``, ``k`` and a ``dt`` equal to the market's), or the
        exact Poisson fills in their time-stepped form (with the market's ``A`` and ``k``); see the module notes.
    paths : int, optional
        Number of paths (default 1000, or the number in ``draws``).
    seed : int
        Seed of the draws (ignored when ``draws`` is given).
    draws : PathDraws, optional
        Draws from :func:`draw_paths` to reuse: strategies run on the same draws meet the same markets.
    fees : Fees
        Charged on every fill.
    record : bool
        Also build the ``fills``, ``quotes`` and ``marks`` tables (costs memory and time).

    Returns
    -------
    VectorisedResult

    Raises
    ------
    ConfigError
        If the fill model, the market or the strategy needs the event engine, or ``paths`` disagrees with
        ``draws``.
    StrategyError
        If the strategy raises, or quotes crossed, infinite or non-positive sizes; the message names the time
        and the path.
    """
    rule, A, k, dt = _fill_rule(fill_model, market)
    if getattr(market, "impact", 0.0) or getattr(market, "informed", 0.0):
        raise ConfigError("the vectorised engine does not model price impact or informed orders: use the event "
                          "engine")
    _check_strategy(strategy)
    if draws is None:
        draws = draw_paths(market, paths=1000 if paths is None else paths, seed=seed)
    elif paths is not None and paths != draws.paths:
        raise ConfigError(f"paths={paths!r} disagrees with the {draws.paths} paths of the draws given")
    steps, n = market.steps, draws.paths
    if draws.steps != steps:
        raise ConfigError(f"the draws have {draws.steps} steps, the market {steps}")
    order_size = float(getattr(market, "order_size", 1.0))
    T = float(market.T)

    # The event engine's clock: ticks at dt, 2 dt, ..., the last at T; quotes at 0 and after every tick.
    tick_times = np.arange(1, steps + 1) * market.dt
    tick_times[-1] = T
    quote_times = [0.0, *tick_times[:-1].tolist()]
    weights = (tick_times - np.asarray(quote_times)).tolist()
    geometric = market.increments == "gbm"
    growth = np.exp(draws.increments) if geometric else None
    A_dt = A * dt

    quoter = _Quoter(strategy, n)
    state = MarketState(time=0.0, horizon=T, mid=np.full(n, float(market.s0)), inventory=np.zeros(n),
                        cash=np.zeros(n))
    mid, q, cash = state.mid, state.inventory, state.cash
    fill_count = np.zeros(n, dtype=np.int64)
    q2_time = np.zeros(n)
    spread_time = np.zeros(n)
    live_time = np.zeros(n)
    charge_fees = not fees.zero
    rows = _Recorder(n, steps) if record else None
    if rows is not None:
        rows.mark(0, 0.0, mid, q, cash)

    for i in range(steps):
        state.time, state.mid, state.inventory, state.cash = quote_times[i], mid, q, cash
        bid, ask, bid_size, ask_size, spread, two_sided = quoter(state)
        w = weights[i]
        if two_sided:
            spread_time += spread * w
            live_time += w
        else:
            live = ~np.isnan(spread)
            spread_time += np.where(live, spread * w, 0.0)
            live_time += live * w
        q2_time += q * q * w
        if rows is not None:
            rows.quote(i, quote_times[i], bid, ask, bid_size, ask_size, mid, q)

        u_bid, u_ask = draws.uniforms[i]
        if rule == "step":
            # NaN (withdrawn) compares False: no fill.
            bid_filled = np.where(u_bid < A_dt * np.exp(-k * (mid - bid)), bid_size, 0.0)
            ask_filled = np.where(u_ask < A_dt * np.exp(-k * (ask - mid)), ask_size, 0.0)
        else:
            bid_filled = _exact_filled(u_bid, A_dt * np.exp(-k * np.maximum(mid - bid, 0.0)), bid_size, order_size)
            ask_filled = _exact_filled(u_ask, A_dt * np.exp(-k * np.maximum(ask - mid, 0.0)), ask_size, order_size)
        t = tick_times[i]
        # Bid then ask, with the event engine's arithmetic (inventory += side * size, cash -= side * price * size
        # + fee), so that both engines give the same numbers to the last bit. Adding a zero fill leaves q as it is.
        for side, price, filled in ((1, bid, bid_filled), (-1, ask, ask_filled)):
            q = q + side * filled
            hit = filled > 0.0
            if hit.any():
                fee = fees.on(price, filled) if charge_fees else 0.0
                cash = np.where(hit, cash - (side * price * filled + fee), cash)
                fill_count += hit
                if rows is not None:
                    rows.fill(i, side, t, hit, price, filled, mid, fee, q, cash)

        mid = mid * growth[i] if geometric else mid + draws.increments[i]
        if rows is not None:
            rows.mark(i + 1, t, mid, q, cash)

    if rows is not None:
        # The event engine requotes at the horizon too (a quote that lives for no time) and marks once more.
        state.time, state.mid, state.inventory, state.cash = T, mid, q, cash
        bid, ask, bid_size, ask_size, _, _ = quoter(state)
        rows.quote(steps, T, bid, ask, bid_size, ask_size, mid, q)
        rows.mark(steps + 1, T, mid, q, cash)

    with np.errstate(invalid="ignore", divide="ignore"):
        avg_spread = np.where(live_time > 0.0, spread_time / np.where(live_time > 0.0, live_time, 1.0), np.nan)
    return VectorisedResult(
        name=quoter.name, pnl=cash + q * mid, final_q=q, fills=fill_count, mean_q2=q2_time / T,
        avg_spread=avg_spread, ledger=None if rows is None else rows.ledger())


class _Recorder:
    """Collects the rows the event engine would write, as arrays, and turns them into a :class:`Ledger`."""

    def __init__(self, paths: int, steps: int) -> None:
        self.paths, self.steps = paths, steps
        self.marks = np.empty((len(MARK_COLUMNS), paths, steps + 2))
        self.quotes = np.empty((len(QUOTE_COLUMNS), paths, steps + 1))
        self.fills = np.zeros((len(FILL_COLUMNS), paths, steps, 2))
        self.filled = np.zeros((paths, steps, 2), dtype=bool)
        self.path = np.arange(paths)

    @staticmethod
    def _put(target: np.ndarray, values: tuple) -> None:
        for column, value in zip(target, values):
            column[...] = value

    def mark(self, j: int, t: float, mid, q, cash) -> None:
        self._put(self.marks[:, :, j], (self.path, t, mid, q, cash, cash + q * mid))

    def quote(self, j: int, t: float, bid, ask, bid_size, ask_size, mid, q) -> None:
        self._put(self.quotes[:, :, j], (self.path, t, bid, ask, bid_size, ask_size, mid, q))

    def fill(self, i: int, side: int, t: float, hit, price, filled, mid, fee, q, cash) -> None:
        column = 0 if side == 1 else 1
        self.filled[:, i, column] = hit
        self._put(self.fills[:, :, i, column], (self.path, t, side, price, filled, mid, fee, q, cash))

    def ledger(self) -> Ledger:
        def frame(data: np.ndarray, columns: tuple[str, ...], keep=None) -> pd.DataFrame:
            flat = data.reshape(len(columns), -1)
            if keep is not None:
                flat = flat[:, keep.reshape(-1)]
            out = pd.DataFrame(dict(zip(columns, flat)))
            for name in ("path", "side"):
                if name in out:
                    out[name] = out[name].astype(np.int64)
            return out

        return Ledger.from_frames(fills=frame(self.fills, FILL_COLUMNS, self.filled),
                                  quotes=frame(self.quotes, QUOTE_COLUMNS), marks=frame(self.marks, MARK_COLUMNS))
