"""Avellaneda-Stoikov quotes for replayed data: a rolling horizon and a volatility estimated from the mids seen."""

from __future__ import annotations

import math

import attrs

from engine import MarketState, Quote
from engine.errors import non_negative, optional_non_negative, optional_positive, positive
from strategies.avellaneda_stoikov import flow_spread
from strategies.base import Strategy

_new_tuple = tuple.__new__
_ceil, _floor = math.ceil, math.floor


@attrs.frozen
class RollingAvellanedaStoikov(Strategy):
    """The Avellaneda-Stoikov (2008) quotes with the time left held at ``horizon_s`` (or running down to ``close``)
    and sigma estimated online.

    A day of real data has no natural terminal time for the inventory penalty, so the strategy always quotes as
    if ``horizon_s`` seconds were left (a rolling horizon): the quotes no longer drift with the clock, and the
    inventory skew is the one a trader who must be flat ``horizon_s`` from now would use. With ``q`` the
    inventory in shares, ``g = gamma * order_size`` the risk aversion per lot (the lot convention of
    ``docs/model.md``) and ``tau = horizon_s``:

    * reservation price ``r = s - q gamma sigma^2 tau``;
    * total spread ``g sigma^2 tau + (2 / g) ln(1 + g / k)``;
    * quotes ``r -/+ spread / 2``: the finite-horizon :class:`AvellanedaStoikov` quotes with ``T - t = tau``.

    With ``close`` given, the horizon is the paper's finite one instead: ``tau = max(close - t, 0)``, the time
    left to the close (a time known before the session starts, so no look-ahead).

    On a tick grid (``tick_size``), the reservation price is rounded to the nearest tick and the half-spread up
    to whole ticks, separately: rounding the bid down and the ask up instead would erase a skew smaller than a
    tick, while this way the quotes move one tick as soon as the skew reaches half a tick. A reservation price
    exactly halfway between two ticks (the mid of an odd spread, at zero inventory) keeps both: the bid is set
    from the lower one, the ask from the upper, so the quotes stay symmetric about it.

    Volatility: unless ``sigma`` is given, it is the realised volatility of the mids the strategy sees when it
    quotes, over an exponential window of ``sigma_window_s`` seconds: ``sigma^2 = sum w dm^2 / sum w dt``, each
    increment weighted by ``exp(-age / sigma_window_s)``, an increment running from one mid to the next
    different one (:class:`RealisedVolatility`). ``sigma_prior`` (for example from a calibration) counts as one
    window's worth of observations at the start, so early quotes are not built on a handful of increments.

    Without ``close``, the quote depends on the mid and the inventory alone (``quote_inputs``): the estimate
    moves only when the mid does, so a replay skips the requotes that would see neither move.

    Parameters
    ----------
    gamma : float
        Absolute risk aversion, per currency unit of wealth (> 0).
    k : float
        Decay of the fill intensity ``A exp(-k delta)`` with the distance ``delta`` from the mid, per price unit.
    horizon_s : float
        The rolling time left, seconds (> 0).
    sigma : float or None
        Fixed volatility, price units per square-root second; ``None`` (default) estimates it online.
    sigma_prior : float
        Starting volatility of the online estimate, price units per square-root second (default 0).
    sigma_window_s : float
        Time constant of the online estimate, seconds.
    order_size : float
        Size of each side of the quote, the lot ``Delta``, shares.
    tick_size : float or None
        The price grid to put the quotes on (see above); ``None`` (default) leaves them off the grid.
    close : float or None
        The terminal time of a finite horizon, on the data's clock (seconds); ``None`` (default) rolls.

    Notes
    -----
    Requotes on its timer (``requote_interval_s``, default 0.1 s) and after each fill, not on every book change:
    a book that changes many times a second (the open) would otherwise cost a requote each time for quotes that
    the grid rounds to the same prices.
    """

    gamma: float = attrs.field(default=0.001, converter=float, validator=positive)
    k: float = attrs.field(default=20.0, converter=float, validator=positive)
    horizon_s: float = attrs.field(default=60.0, converter=float, validator=positive)
    sigma: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                      validator=optional_non_negative)
    sigma_prior: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    sigma_window_s: float = attrs.field(default=300.0, converter=float, validator=positive)
    order_size: float = attrs.field(default=100.0, converter=float, validator=positive)
    requote_interval_s: float | None = attrs.field(default=0.1, validator=optional_positive)
    tick_size: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                          validator=optional_positive)
    close: float | None = attrs.field(default=None, converter=attrs.converters.optional(float))
    _vol: RealisedVolatility = attrs.field(init=False, repr=False, eq=False)
    _log_term: float = attrs.field(init=False, repr=False)

    name = "avellaneda-stoikov"
    requote_on_tick = False

    @property
    def quote_inputs(self) -> tuple[str, ...] | None:
        """``("inventory", "mid")``; ``None`` (everything, the clock included) when the horizon runs to ``close``."""
        return ("inventory", "mid") if self.close is None else None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_vol", RealisedVolatility(self.sigma_window_s, self.sigma_prior))
        object.__setattr__(self, "_log_term", flow_spread(self.gamma * self.order_size, self.k))

    @property
    def sigma_estimate(self) -> float:
        """The volatility used for the next quote: ``sigma`` if fixed, else the online estimate."""
        return self.sigma if self.sigma is not None else self._vol.sigma

    def quote(self, state: MarketState) -> Quote:
        mid = state.mid
        if self.sigma is None:
            sigma = self._vol.update(state.time, mid)
        else:
            sigma = self.sigma
        size = self.order_size
        tau = self.horizon_s if self.close is None else max(self.close - state.time, 0.0)
        risk = self.gamma * sigma * sigma * tau  # skew per share
        r = mid - state.inventory * risk
        half = 0.5 * (risk * size + self._log_term)
        # tuple.__new__ builds the Quote twice as fast as its NamedTuple constructor (a replay asks ten times a
        # second of data).
        if self.tick_size is None:
            return _new_tuple(Quote, (r - half, r + half, size, size))
        bid, ask = grid_quotes(r, half, self.tick_size)
        return _new_tuple(Quote, (bid, ask, size, size))


def grid_quotes(reservation: float, half_spread: float, tick: float) -> tuple[float, float]:
    """``(bid, ask)`` on the tick grid: the reservation price rounded to the nearest tick, the half-spread up to
    whole ticks. A reservation price halfway between two ticks gives the bid from the lower and the ask from the
    upper one."""
    x = reservation / tick
    low, high = _ceil(x - 0.5 - 1e-9), _floor(x + 0.5 + 1e-9)  # equal unless x is halfway
    ticks = _ceil(half_spread / tick - 1e-9)
    if ticks < 1:
        ticks = 1
    return (low - ticks) * tick, (high + ticks) * tick


class RealisedVolatility:
    """Realised volatility of irregularly sampled prices over an exponential time window.

    ``sigma^2 = sum w dm^2 / sum w dt``: each increment ``dm`` over ``dt`` weighted by ``exp(-age / window_s)``.
    An increment runs from one price to the next *different* one: observing the same price again changes
    nothing, so the estimate is the same however often an unchanged price is looked at (and holds still between
    price changes). A ``prior`` counts as one window of observations at that volatility. Mutable, per run.

    Parameters
    ----------
    window_s : float
        Time constant of the window, in the clock's unit (> 0).
    prior : float
        Starting volatility, price units per square-root time unit (0: none).
    """

    __slots__ = ("window_s", "_prior", "sum_dm2", "sum_dt", "last_time", "last_price", "last_seen")

    def __init__(self, window_s: float, prior: float = 0.0) -> None:
        self.window_s = window_s
        self._prior = prior
        self.sum_dm2 = prior * prior * window_s
        self.sum_dt = window_s if prior > 0 else 0.0
        self.last_time = math.nan  # when last_price was first seen
        self.last_price = math.nan
        self.last_seen = math.nan  # the time of the last observation, changed or not

    @property
    def sigma(self) -> float:
        """The current estimate (0 before the first increment when there is no prior)."""
        return math.sqrt(self.sum_dm2 / self.sum_dt) if self.sum_dt > 0 else 0.0

    def update(self, time: float, price: float) -> float:
        """Observe ``price`` at ``time`` and return the new estimate.

        The same price as the last observation changes nothing: the next increment is measured from the time that
        price was first seen. A different price at the same time is an increment over no time (a move within
        the instant: its square counts, the time does not; the simulation asks a strategy once per instant,
        after the instant's market data, so it never sees the states inside a sweep). A time earlier than the
        last observation starts afresh from the prior (the same strategy object replaying another run).
        """
        if not time >= self.last_seen:  # first observation, or the clock went back: a new run reuses this object
            if time < self.last_seen:
                self.__init__(self.window_s, self._prior)
            self.last_time = self.last_seen = time
            self.last_price = price
        else:
            self.last_seen = time
            dm = price - self.last_price
            if dm != 0.0:
                dt = time - self.last_time
                decay = math.exp(-dt / self.window_s)
                self.sum_dm2 = self.sum_dm2 * decay + dm * dm
                self.sum_dt = self.sum_dt * decay + dt
                self.last_time, self.last_price = time, price
        return math.sqrt(self.sum_dm2 / self.sum_dt) if self.sum_dt > 0 else 0.0
