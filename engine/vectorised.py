"""A vectorised Monte Carlo engine for time-stepped models: every path advances in lockstep as numpy arrays.

The model is the one :class:`feeds.SyntheticMarket` and :class:`engine.StepFills` give the event engine, cut into
steps of length ``dt``. At each step, for all paths at once:

1. the strategy quotes from the current state (``strategy.quote(state)`` with ``state.mid``, ``state.inventory``
   and ``state.cash`` numpy arrays over paths; a NaN price, or ``None``, withdraws that side);
2. each side that was quoted fills, against the mid of the step, by the fill model's time-stepped rule;
3. the mid moves by the step's increment.

The rules of quoting, filling and booking are the event engine's own, not copies: the clock
(:func:`engine.paths.tick_times`), quote validation (:mod:`engine.quotes`), the books of a fill
(:mod:`engine.accounting`), and the fill rule, which each fill model gives in its time-stepped form
(:meth:`engine.FillModel.vectorised`; a model without one needs the event engine). The shipped rules, for a quote
at depth ``delta`` from the mid with intensity ``lambda = A exp(-k delta)`` (:func:`engine.fills.intensity_dt`):

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

import copy
import math
import pickle

import attrs
import numpy as np

from engine.accounting import book_fill, mark_to_market
from engine.errors import ConfigError, StrategyError
from engine.fill_model import FillModel, StepFillRule
from engine.ledger import FILL_COLUMNS, MARK_COLUMNS, QUOTE_COLUMNS, Ledger
from engine.montecarlo import check_paths_and_seed, path_seed
from engine.paths import market_increments, tick_times
from engine.quotes import ArrayQuotes, ask_quote, check_quote, strategy_name
from engine.simulation import path_generators
from engine.types import ASK, BID, Fees, Fill, MarketState
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

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

    def columns(self) -> dict[str, np.ndarray]:
        """The per-path arrays by the column names of :func:`analytics.path_metrics` (feed them to
        :func:`analytics.summarize`; unlike :meth:`per_path`, no pandas)."""
        return {name: getattr(self, name) for name in PER_PATH_COLUMNS}

    def per_path(self) -> pd.DataFrame:
        """One row per path with the columns of :func:`analytics.path_metrics` (feed it to
        :func:`analytics.summarize`)."""
        frame = pd.DataFrame(self.columns())
        frame.index.name = "path"
        return frame


def _refusal(market, strategy, fill_model) -> str | None:
    """Why :func:`run_vectorised` refuses this run (``None``: it runs it): one copy of these rules, for the
    engine's own errors and for :func:`why_not_vectorised`."""
    if not isinstance(fill_model, FillModel):
        return (f"fill_model must be an engine.FillModel with a time-stepped form (StepFills or ExponentialFills), "
                f"not {type(fill_model).__name__}")
    try:
        fill_model.vectorised(market)
    except ConfigError as exc:
        return str(exc)
    if getattr(market, "impact", 0.0) or getattr(market, "informed", 0.0):
        return "the vectorised engine does not model price impact or informed orders: use the event engine"
    if getattr(strategy, "requote_interval_s", None) is not None:
        return ("the vectorised engine requotes once per step: a strategy with requote_interval_s needs the event "
                "engine")
    if not getattr(strategy, "requote_on_tick", True):
        return ("the vectorised engine requotes once per step: a strategy with requote_on_tick = False needs the "
                "event engine")
    return None


#: Inventories of the few paths :func:`why_not_vectorised` quotes on as arrays (their mids differ too).
_PROBE_INVENTORY = (-2.0, -1.0, 0.0, 1.0, 2.0)


def _array_quote_mismatch(market, strategy) -> str | None:
    """Why ``strategy`` does not quote on arrays of paths as it quotes path by path (``None``: it does).

    It quotes (on copies, so that state kept on ``self`` is untouched) one array state of a few paths with
    different inventories and mids at time 0, and each of those paths as a state of floats, as the event engine
    would: the array quote must equal, path by path, the float quotes (relative 1e-9: numpy's and math's functions
    may round differently). A strategy written for floats fails the array call (``if state.inventory > 0`` on an
    array raises) or gives the same quote to every path. A strategy whose quote changes it (state kept from one
    quote to the next, which on arrays would mix the paths) is refused too: one probe at time 0 could not tell."""
    q = np.array(_PROBE_INVENTORY)
    mid = float(market.s0) + 0.25 * q
    name = strategy_name(strategy)
    state = MarketState(time=0.0, horizon=float(market.T), mid=mid.copy(), inventory=q.copy(), cash=np.zeros(q.size))

    def alone(path: int) -> MarketState:
        return MarketState(time=0.0, horizon=float(market.T), mid=float(mid[path]), inventory=float(q[path]),
                           cash=0.0)

    try:
        arrays = ArrayQuotes(copy.deepcopy(strategy), q.size)(state)[:4]
    except StrategyError as exc:
        check_quote(ask_quote(copy.deepcopy(strategy), alone(0), name), name, 0.0)  # fails here too: say so
        return f"its quote fails on arrays of paths ({exc.__cause__ or exc!r})"
    if _changed_by(strategy, lambda probe: probe.quote(alone(0))):
        return "its quote changes it (state kept from one quote to the next), which on arrays would mix the paths"
    for path in range(q.size):
        floats = check_quote(ask_quote(copy.deepcopy(strategy), alone(path), name), name, 0.0)
        for what, array, value in zip(("bid", "ask", "bid_size", "ask_size"), arrays, floats):
            got = float(np.broadcast_to(array, q.shape)[path])
            same = math.isnan(got) if value is None else math.isclose(got, value, rel_tol=1e-9)
            if not same:
                return (f"its quote on arrays of paths differs from its quote path by path ({what} at inventory "
                        f"{q[path]:g}: {got!r} on arrays, {value!r} alone)")
    return None


def _changed_by(strategy, call) -> bool:
    """Whether ``call(copy)`` changes a copy of ``strategy`` (its pickled state before and after). A strategy that
    cannot be pickled, or a call that raises, counts as changed (it could not be checked)."""
    probe = copy.deepcopy(strategy)
    try:
        before = pickle.dumps(probe)
        call(probe)
        return pickle.dumps(probe) != before
    except Exception:  # noqa: BLE001 - whatever the call or pickling raises, the event engine is the safe choice
        return True


def _reacts_to_fills(market, strategy) -> bool:
    """Whether ``strategy.on_fill`` changes the strategy (the vectorised engine never calls it): a copy is told of
    a fill on each side at time 0."""
    s0 = float(market.s0)

    def fills(probe) -> None:
        for side, price in ((BID, s0 - 1.0), (ASK, s0 + 1.0)):
            probe.on_fill(Fill(0.0, side, price, 1.0, s0, 0.0, float(side), -side * price))

    return _changed_by(strategy, fills)


def why_not_vectorised(market, strategy, fill_model, *, paths: int) -> str | None:
    """Why the vectorised engine cannot give what the event engine gives for this run, or ``None`` when it can.

    It can when :func:`run_vectorised` accepts the market, the fill model and the strategy's timing, the paths fit
    in memory (:data:`MAX_PATH_STEPS`), the run is the same model in both engines, the strategy does not keep
    state from its fills (``on_fill``, which the vectorised engine does not call, leaves it unchanged) and it quotes
    on arrays of paths as it quotes path by path (both tried on a copy). The same model: a strategy that requotes
    after each fill (``requote_on_fill``, the default) meets the event engine's model only with a fill model that
    fills at the ticks alone (:attr:`engine.FillModel.fills_between_ticks` false, as for :class:`engine.StepFills`),
    since the vectorised engine holds each quote through its step where the event engine replaces a filled side at
    once (and the new quote can fill again within the step).

    Parameters
    ----------
    market, strategy, fill_model
        As for :func:`run_vectorised`.
    paths : int
        Number of paths of the run.

    Returns
    -------
    str or None
        The reason, naming what the vectorised engine lacks.

    Raises
    ------
    StrategyError
        If the strategy fails on a state of floats too (the event engine would fail the same way).
    """
    reason = _refusal(market, strategy, fill_model)
    if reason is not None:
        return reason
    if paths * market.steps > MAX_PATH_STEPS:
        return (f"{paths} paths of {market.steps} steps are more than the {MAX_PATH_STEPS:.0e} path-steps the "
                "vectorised engine holds in memory at once")
    if getattr(strategy, "requote_on_fill", True) and fill_model.fills_between_ticks:
        return (f"the strategy requotes after each fill and {type(fill_model).__name__} fills between ticks, where "
                "the vectorised engine holds each quote through its step (step fills, or requote_on_fill = False, "
                "would run vectorised)")
    if _reacts_to_fills(market, strategy):
        return "its on_fill changes it (or could not be checked), and the vectorised engine does not call on_fill"
    return _array_quote_mismatch(market, strategy)


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
    fill_model : FillModel
        A model with a time-stepped form (:meth:`engine.FillModel.vectorised`): :class:`engine.StepFills`, the
        paper's per-step probability (with its own ``A``, ``k`` and a ``dt`` equal to the market's), or
        :class:`engine.ExponentialFills`, the exact Poisson fills in their time-stepped form (with the market's
        ``A`` and ``k``); see the module notes.
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
    refusal = _refusal(market, strategy, fill_model)
    if refusal is not None:
        raise ConfigError(refusal)
    fill_rule = fill_model.vectorised(market)
    if draws is None:
        draws = draw_paths(market, paths=1000 if paths is None else paths, seed=seed)
    elif paths is not None and paths != draws.paths:
        raise ConfigError(f"paths={paths!r} disagrees with the {draws.paths} paths of the draws given")
    if draws.steps != market.steps:
        raise ConfigError(f"the draws have {draws.steps} steps, the market {market.steps}")
    run = _Run(market, strategy, fill_rule, draws, fees, record)
    for i in range(draws.steps):
        run.step(i)
    return run.finish()


class _Run:
    """One vectorised run: the setup (:meth:`__init__`), one step for all paths (:meth:`step`) and the results
    (:meth:`finish`)."""

    def __init__(self, market, strategy, fill_rule: StepFillRule, draws: PathDraws, fees: Fees,
                 record: bool) -> None:
        n, steps = draws.paths, draws.steps
        self.draws, self.fill_rule, self.T = draws, fill_rule, float(market.T)
        self.fees = None if fees.zero else fees
        # The event engine's clock: ticks at dt, 2 dt, ..., the last at T; quotes at 0 and after every tick.
        self.tick_times = tick_times(steps, market.dt, self.T).tolist()
        self.quote_times = [0.0, *self.tick_times[:-1]]
        self.weights = [t - s for t, s in zip(self.tick_times, self.quote_times)]
        self.growth = np.exp(draws.increments) if market.increments == "gbm" else None
        self.quoter = ArrayQuotes(strategy, n)
        self.state = MarketState(time=0.0, horizon=self.T, mid=np.full(n, float(market.s0)), inventory=np.zeros(n),
                                 cash=np.zeros(n))
        self.mid, self.q, self.cash = self.state.mid, self.state.inventory, self.state.cash
        self.fill_count = np.zeros(n, dtype=np.int64)
        self.q2_time = np.zeros(n)
        self.spread_time = np.zeros(n)
        self.live_time = np.zeros(n)
        self.rows = _Recorder(n, steps) if record else None
        if self.rows is not None:
            self.rows.mark(0, 0.0, self.mid, self.q, self.cash)

    def _quote(self, t: float):
        state = self.state
        state.time, state.mid, state.inventory, state.cash = t, self.mid, self.q, self.cash
        return self.quoter(state)

    def step(self, i: int) -> None:
        """Quote at the step's start, fill each side against the step's mid, then move the mid."""
        mid, q, cash, rows = self.mid, self.q, self.cash, self.rows
        bid, ask, bid_size, ask_size, spread, two_sided = self._quote(self.quote_times[i])
        w = self.weights[i]
        if two_sided:
            self.spread_time += spread * w
            self.live_time += w
        else:
            live = ~np.isnan(spread)
            self.spread_time += np.where(live, spread * w, 0.0)
            self.live_time += live * w
        self.q2_time += q * q * w
        if rows is not None:
            rows.quote(i, self.quote_times[i], bid, ask, bid_size, ask_size, mid, q)

        u_bid, u_ask = self.draws.uniforms[i]
        bid_filled = self.fill_rule(u_bid, mid - bid, bid_size)
        ask_filled = self.fill_rule(u_ask, ask - mid, ask_size)
        t = self.tick_times[i]
        # Bid then ask, booked by the event engine's rule (engine.accounting), so both engines give the same
        # numbers to the last bit. A path without a fill keeps its books (a withdrawn side's NaN price must not
        # reach the cash).
        for side, price, filled in ((1, bid, bid_filled), (-1, ask, ask_filled)):
            hit = filled > 0.0
            if hit.any():
                fee = 0.0 if self.fees is None else self.fees.on(price, filled)
                q, booked = book_fill(q, cash, side, price, filled, fee)
                cash = np.where(hit, booked, cash)
                self.fill_count += hit
                if rows is not None:
                    rows.fill(i, side, t, hit, price, filled, mid, fee, q, cash)

        self.mid = mid * self.growth[i] if self.growth is not None else mid + self.draws.increments[i]
        self.q, self.cash = q, cash
        if rows is not None:
            rows.mark(i + 1, t, self.mid, q, cash)

    def finish(self) -> VectorisedResult:
        """The per-path results (and, when recording, the ledger)."""
        mid, q, cash, rows, T = self.mid, self.q, self.cash, self.rows, self.T
        if rows is not None:
            # The event engine requotes at the horizon too (a quote that lives for no time) and marks once more.
            bid, ask, bid_size, ask_size, _, _ = self._quote(T)
            rows.quote(self.draws.steps, T, bid, ask, bid_size, ask_size, mid, q)
            rows.mark(self.draws.steps + 1, T, mid, q, cash)
        live_time = self.live_time
        with np.errstate(invalid="ignore", divide="ignore"):
            avg_spread = np.where(live_time > 0.0, self.spread_time / np.where(live_time > 0.0, live_time, 1.0),
                                  np.nan)
        return VectorisedResult(
            name=self.quoter.name, pnl=mark_to_market(q, cash, mid), final_q=q, fills=self.fill_count,
            mean_q2=self.q2_time / T, avg_spread=avg_spread, ledger=None if rows is None else rows.ledger())


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
        self._put(self.marks[:, :, j], (self.path, t, mid, q, cash, mark_to_market(q, cash, mid)))

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
