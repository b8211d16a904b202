"""Calibration of the Avellaneda-Stoikov inputs from tick data, measured on what a resting quote experiences:
the fill intensity ``A exp(-k delta)`` (from hypothetical quotes matched by the replay's fill rule, see
:mod:`analytics.quote_fills`), the price impact of the market orders that fill quotes, and the volatility
``sigma``; with clustered standard errors, an out-of-sample fit check, and a physical sanity check. Saved to and
loaded from JSON.

Units everywhere: ``A`` per second per side, ``k`` per price unit, ``sigma`` price units per square-root second,
``impact`` price units per market order.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
import numpy as np

from analytics.depths import TickArrays
from analytics.mle import Z95
from analytics.plots import clock_text, png_bytes, quote_fill_rates
from analytics.quote_fills import FILL_RULE, QuoteCells, RateFit, fit_rates, hypothetical_cells, impact
from analytics.volatility import VolatilityEstimate, ewma_volatility, realised_volatility
from engine import ConfigError, DataError, FillModel
from engine.errors import check_positive
from engine.ledger import write_atomic
from engine.lazy_modules import lazy_module
from feeds import FrameSource, TickSource, infer_tick_size
from feeds.lobster_book import read_once

pd = lazy_module("pandas")

UNITS = {"A": "per second per side", "k": "per price unit", "sigma": "price per sqrt(second)",
         "impact": "price units per market order", "depth": "price units from the mid", "time": "seconds"}
#: Which estimator wrote a calibration file, and the file's layout version: load_calibration reads only these.
ESTIMATOR = "quote-fills"
VERSION = 2
#: Offsets of the mid-pegged quotes, as fractions of the median quoted spread (0.5 to 1 is a total spread of 1 to
#: 2 medians, where market makers quote).
MID_FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
#: The impact is measured on the fills of the mid-pegged quotes in this range of fractions of the median spread:
#: a total spread of one to two medians, where quotes sit.
IMPACT_FRACTIONS = (0.5, 1.0)
#: A window must fit this many times into the data (and into each part of the fit check).
MIN_WINDOWS = 10
HALF_HOUR_S = 1800.0


@attrs.frozen
class FitCheck:
    """Out-of-sample check: the fill rate per offset on the rest of the day, observed against predicted by the
    fit on the first part. Every offset measured is in the verdict.

    A row passes when ``|predicted / observed - 1| <= tolerance``, and the check passes when every row does. The
    gap is also given in standard errors (``z``: the clustered SE of the observed rate and that of the prediction,
    added in quadrature) to tell noise from misfit; it never turns a failing row into a pass.
    """

    table: pd.DataFrame
    split: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return bool(self.table["ok"].all())

    def to_dict(self) -> dict:
        return {"passed": self.passed, "split_ts": self.split, "tolerance": self.tolerance,
                "rule": f"|predicted/observed - 1| <= {self.tolerance:g} at every offset measured",
                "rows": self.table.to_dict(orient="records")}


@attrs.frozen
class Calibration:
    """Everything :func:`calibrate` measured.

    Attributes
    ----------
    name : str
        The data's name.
    quote : RateFit
        ``A exp(-k delta)`` with ``delta`` from the mid (the Avellaneda-Stoikov intensity: what ``mmsim run
        --calibration`` uses), from mid-pegged quotes.
    touch : RateFit
        ``A_touch exp(-k_touch j)`` with ``j`` the depth behind the same-side best: depth alone, whatever the
        spread.
    sides : dict
        ``{"touch": (bid fit, ask fit), "quote": (bid fit, ask fit)}``.
    levels : dict
        Per-offset tables (observed rate, Poisson and clustered SEs) for ``"touch"`` and ``"quote"``.
    impact, impact_se : float
        Mean move of the mid ``horizon_s`` after a market order that filled a mid-pegged quote, in the order's
        direction, price units.
    market_orders : dict
        Observed market orders per second hitting bids (``"bid"``) and lifting asks (``"ask"``).
    sigma, sigma_ewma : VolatilityEstimate
    fit_check : FitCheck
    profile : DataFrame
        Per half hour: ``A`` and ``k`` of both fits.
    summary : dict
        Settings and counts: tick, window, median spread, offsets, fill rule.
    """

    name: str
    quote: RateFit
    touch: RateFit
    sides: dict
    levels: dict
    impact: float
    impact_se: float
    market_orders: dict
    sigma: VolatilityEstimate
    sigma_ewma: VolatilityEstimate
    fit_check: FitCheck
    profile: pd.DataFrame
    summary: dict

    @property
    def sanity(self) -> dict:
        """Per side: the fitted intensity at the touch against the observed market-order rate (a resting quote
        cannot fill more often than market orders arrive on its side)."""
        out = {}
        for i, side in enumerate(("bid", "ask")):
            fitted = self.sides["touch"][i].A
            out[side] = {"touch_intensity": fitted, "market_orders": self.market_orders[side],
                         "ok": bool(fitted <= self.market_orders[side])}
        return out

    def to_dict(self) -> dict:
        """One JSON-ready object: the headline figures at the top level, the detail below."""
        q = self.quote
        return {
            "name": self.name, "estimator": ESTIMATOR, "version": VERSION,
            "A": q.A, "k": q.k, "sigma": self.sigma.sigma, "impact": self.impact,
            "A_se": q.A_se, "k_se": q.k_se, "sigma_se": self.sigma.se_robust, "impact_se": self.impact_se,
            "A_ci95": list(q.A_ci95), "k_ci95": list(q.k_ci95), "sigma_ci95": list(self.sigma_ci95),
            "tick_size": self.summary["tick_size"], "median_spread": self.summary["median_spread"],
            "window_s": self.summary["window_s"], "fill_rule": self.summary["fill_rule"], "units": UNITS,
            "fit_check_passed": self.fit_check.passed, "sanity_passed": all(s["ok"] for s in self.sanity.values()),
            "quote": {**q.to_dict(), "bid": self.sides["quote"][0].to_dict(), "ask": self.sides["quote"][1].to_dict(),
                      "levels": self.levels["quote"].to_dict(orient="records")},
            "touch": {**self.touch.to_dict(), "bid": self.sides["touch"][0].to_dict(),
                      "ask": self.sides["touch"][1].to_dict(),
                      "levels": self.levels["touch"].to_dict(orient="records")},
            "market_orders_per_s": self.market_orders, "sanity": self.sanity,
            "volatility": {"realised": self.sigma.to_dict(), "ewma": self.sigma_ewma.to_dict()},
            "fit_check": self.fit_check.to_dict(), "profile": self.profile.to_dict(orient="records"),
            "data": self.summary,
        }

    @property
    def sigma_ci95(self) -> tuple[float, float]:
        """95% interval for sigma with the robust SE (returns have fat tails)."""
        half = Z95 * self.sigma.se_robust
        return self.sigma.sigma - half, self.sigma.sigma + half

    def figure(self):
        """The fits as a matplotlib Figure: observed fill rates by offset against ``A exp(-k x)``, behind the
        touch (left) and from the mid (right)."""
        return quote_fill_rates(self.name, {
            "behind the touch": (self.levels["touch"], self.touch.rate(self.levels["touch"]["offset"]),
                                 "ticks behind the same-side best (price units)"),
            "from the mid (A-S delta)": (self.levels["quote"], self.quote.rate(self.levels["quote"]["offset"]),
                                         "distance from the mid (price units)")})

    def write_plot(self, path: str | os.PathLike) -> None:
        """Write :meth:`figure` as a PNG, atomically."""
        png = png_bytes(self.figure())
        write_atomic(path, lambda tmp: Path(tmp).write_bytes(png))

    def parameters(self) -> CalibratedParameters:
        """The headline figures, per second (the values :func:`load_calibration` reads back from the file)."""
        return CalibratedParameters(A=self.quote.A, k=self.quote.k, sigma=self.sigma.sigma, A_se=self.quote.A_se,
                                    k_se=self.quote.k_se, sigma_se=self.sigma.se_robust, impact=self.impact,
                                    tick_size=self.summary["tick_size"], median_spread=self.summary["median_spread"])


def in_memory(ticks, name: str = "ticks") -> FrameSource:
    """The ticks read once into a :class:`feeds.FrameSource` (keeping the reader's name, counters and trades
    file): the estimator replays them once per offset."""
    chunks = ticks.chunks() if hasattr(ticks, "chunks") else [ticks] if isinstance(ticks, pd.DataFrame) else ticks
    source = FrameSource([c for c in chunks if len(c)], name=getattr(ticks, "name", name))
    source.stats = {**source.stats, **dict(getattr(ticks, "stats", {}))}
    source.trades_file = getattr(ticks, "trades_file", source.name)
    return source


def on_grid(value: float, tick_size: float, at_least: int = 1) -> float:
    """``value`` rounded to the nearest whole number of ticks, at least ``at_least`` ticks."""
    return max(round(value / tick_size), at_least) * tick_size


def quote_offsets(median_spread: float, tick_size: float) -> list[float]:
    """Offsets from the mid of the hypothetical quotes: :data:`MID_FRACTIONS` of the median quoted spread, on the
    tick grid, at least one tick."""
    return sorted({on_grid(median_spread * f, tick_size) for f in MID_FRACTIONS})


def quote_intensity(source, *, tick_size: float, median_spread: float, window_s: float = 1.0,
                    order_size: float = 100.0, block_s: float = 300.0, fill_model: FillModel | None = None
                    ) -> RateFit:
    """``A exp(-k delta)`` with ``delta`` from the mid, from mid-pegged hypothetical quotes (the headline fit of
    :func:`calibrate`, alone: ``mmsim replay`` takes its default ``k`` from it on the warm-up, replaying
    ``source`` by its own ``fill_model``: see :func:`analytics.quote_fills.hypothetical_cells`)."""
    cells = hypothetical_cells(source, "mid", quote_offsets(median_spread, tick_size), window_s=window_s,
                               tick_size=tick_size, order_size=order_size, fill_model=fill_model)
    return fit_rates(cells, block_s=block_s, what="fill intensity (mid)")


def market_order_rates(arrays: TickArrays, duration_s: float) -> dict[str, float]:
    """Market orders per second on each side: prints with one timestamp and aggressor side are one order.

    Raises
    ------
    DataError
        If a side has no trade at all.
    """
    orders = pd.DataFrame({"ts": arrays.t_ts, "side": arrays.side}).drop_duplicates()
    rates = {}
    for name, aggressor, who in (("bid", -1, "sells hitting bids"), ("ask", 1, "buys lifting asks")):
        count = int((orders["side"] == aggressor).sum())
        if count == 0:
            raise DataError(f"{arrays.trades_file}: no trades on the {name} side ({who}): its fill intensity "
                            f"cannot be measured")
        rates[name] = count / duration_s
    return rates


def clock_time(text: str, t0: float, param: str, expected: str = "HH:MM") -> float:
    """The clock time ``"HH:MM"`` (00:00 to 23:59) of the day of ``t0`` on the data's clock (seconds after
    midnight, as LOBSTER stamps them, or a Unix time's UTC).

    Raises
    ------
    ConfigError
        If ``text`` is not ``HH:MM`` with 0 <= HH <= 23 and 0 <= MM <= 59 (the message names the parameter
        ``param`` and what it ``expected``).
    """
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and len(hours) <= 2 and minutes.isdigit() and len(minutes) == 2
            and int(hours) <= 23 and int(minutes) <= 59):
        raise ConfigError(f"{param} {text}: expected {expected} (00:00 to 23:59)", params=(param,))
    return t0 - (t0 % 86400.0) + 3600.0 * int(hours) + 60.0 * int(minutes)


def close_after(text: str, t0: float, start: float) -> float:
    """The ``close`` of a finite horizon, ``"HH:MM"`` on the clock of the day of ``t0`` (the data's first row),
    checked to fall after ``start``, the first time traded (the end of the warm-up, or the first row).

    Raises
    ------
    ConfigError
        If ``text`` is not a clock time, or is at or before ``start`` (the horizon would be over before
        the first quote).
    """
    close = clock_time(text, t0, "close")
    if not close > start:
        raise ConfigError(f"close {text}: at or before the start of trading ({clock_text(start % 86400.0)})",
                          params=("close",))
    return close


def split_time(fit_until: float | str, t0: float, t_end: float) -> float:
    """The time the fit check splits the data at: ``fit_until`` a fraction of the session in (0, 1), or a clock
    time ``"HH:MM"`` (of the data's day: seconds after midnight, as LOBSTER stamps them, or a Unix time's UTC).

    Raises
    ------
    ConfigError
        If it is not a fraction in (0, 1) nor HH:MM, or falls outside the session.
    """
    if isinstance(fit_until, str) and ":" in fit_until:
        split = clock_time(fit_until, t0, "fit_until", "HH:MM or a fraction in (0, 1)")
        if not t0 < split < t_end:
            raise ConfigError(f"fit_until {fit_until}: outside the session (the data run from "
                              f"{clock_text(t0 % 86400.0)} to {clock_text(t_end % 86400.0)})", params=("fit_until",))
        return split
    try:
        fraction = float(fit_until)
    except ValueError:
        raise ConfigError(f"fit_until {fit_until}: expected HH:MM or a fraction in (0, 1)",
                          params=("fit_until",)) from None
    if not 0.0 < fraction < 1.0:
        raise ConfigError(f"fit_until {fit_until}: a fraction of the session must be in (0, 1)",
                          params=("fit_until",))
    return t0 + fraction * (t_end - t0)


def _check_rows(cells: QuoteCells, train: QuoteCells, test: QuoteCells, block_s: float, tolerance: float
                ) -> list[dict]:
    fit = fit_rates(train, block_s=block_s, what=f"fit check ({cells.anchor}, first part)")
    observed = test.level_table(block_s)
    predicted, predicted_se = fit.rate(observed["offset"]), fit.rate_se(observed["offset"])
    rows = []
    for r, p, p_se in zip(observed.itertuples(), predicted, predicted_se):
        se = math.hypot(r.se, p_se)
        rel = p / r.rate - 1.0 if r.rate > 0 else math.inf
        rows.append({"anchor": cells.anchor, "offset": r.offset, "observed": r.rate, "predicted": float(p),
                     "se": se, "z": (p - r.rate) / se if se > 0 else math.inf, "rel_error": rel, "fills": r.fills,
                     "ok": bool(abs(rel) <= tolerance)})
    return rows


def _profile(touch: QuoteCells, quote: QuoteCells, block_s: float) -> pd.DataFrame:
    """``A`` and ``k`` of both fits per half hour (NaN where a half hour does not identify them)."""
    period = np.floor((touch.start - touch.start[0]) / HALF_HOUR_S).astype(int)
    rows = []
    for p in np.unique(period):
        keep = period == p
        row = {"start": float(touch.start[keep][0])}
        for label, cells in (("touch", touch), ("quote", quote)):
            try:
                fit = fit_rates(cells.select(keep), block_s=block_s)
                row.update({f"{label}_A": fit.A, f"{label}_k": fit.k})
            except DataError:
                row.update({f"{label}_A": math.nan, f"{label}_k": math.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def calibrate(ticks: TickSource | pd.DataFrame | Iterable[pd.DataFrame], *, window_s: float = 1.0,
              tick_size: float | None = None, fit_until: float | str = 0.5, touch_levels: int = 7,
              order_size: float = 100.0, horizon_s: float = 1.0, block_s: float = 300.0,
              sigma_interval_s: float = 10.0, ewma_halflife_s: float = 1800.0, tolerance: float = 0.25,
              replay: Callable[[float], tuple] | None = None) -> Calibration:
    """Calibrate ``A``, ``k``, ``impact`` and ``sigma`` from tick data, by what resting quotes experience.

    Parameters
    ----------
    ticks : TickSource, DataFrame or iterable of DataFrames
        Tick chunks (see :mod:`feeds.tickdata`), for example ``feeds.read_lobster(path)``.
    window_s : float
        Decision interval: hypothetical quotes are re-pegged every ``window_s`` seconds (and after a fill). Use
        the requote interval of the strategy the calibration is for.
    tick_size : float, optional
        Price grid step; inferred from the quotes when not given.
    fit_until : float or str
        Where the out-of-sample check splits the day: a fraction of the session or ``"HH:MM"``.
    touch_levels : int
        Depths behind the touch measured: ``0 .. touch_levels - 1`` ticks (at least 6: the touch and five
        beyond).
    order_size : float
        Size of each hypothetical quote.
    horizon_s : float
        Horizon of the impact (the mid's move after a fill).
    block_s : float
        Time blocks the standard errors are clustered by.
    sigma_interval_s, ewma_halflife_s : float
        Sampling interval of the realised volatility and half-life of the EWMA one, seconds.
    tolerance : float
        Relative error the fit check allows.
    replay : callable, optional
        ``replay(tick_size) -> (source, fill_model, fill_rule)``: what the hypothetical quotes are replayed on
        and by (``mmsim calibrate`` passes the source and fill model ``mmsim replay`` picks for the data, and the
        rule's description, recorded as ``fill_rule``). Default: the ticks themselves,
        :class:`engine.replay_fills.TradeThroughFills` (conservative queue), :data:`FILL_RULE`.

    Raises
    ------
    DataError
        No quotes, no trades on a side, or no fills to fit (the message names the file).
    ConfigError
        A parameter out of range, a window that does not fit :data:`MIN_WINDOWS` times into the data (or into
        either part of the fit check), ``fit_until`` outside the session.
    """
    window_s = check_positive("window_s", window_s)
    tolerance = check_positive("tolerance", tolerance)
    block_s = check_positive("block_s", block_s)
    if isinstance(touch_levels, bool) or not isinstance(touch_levels, int) or touch_levels < 6:
        raise ConfigError(f"touch_levels must be a whole number >= 6 (the touch and five ticks beyond), "
                          f"got {touch_levels!r}")
    source = in_memory(ticks)
    arrays = TickArrays.collect(source)
    t0, t_end = float(arrays.q_ts[0]), float(arrays.q_ts[-1])
    duration = t_end - t0
    if window_s * MIN_WINDOWS > duration:
        raise ConfigError(f"window_s {window_s:g}: the data span {duration:g} s, which must hold at least "
                          f"{MIN_WINDOWS} windows", params=("window_s",))
    split = split_time(fit_until, t0, t_end)
    if min(split - t0, t_end - split) < window_s * MIN_WINDOWS:
        raise ConfigError(f"fit_until {fit_until}: each part of the day must hold at least {MIN_WINDOWS} windows "
                          f"of {window_s:g} s", params=("fit_until",))
    tick = check_positive("tick_size", tick_size) if tick_size is not None else infer_tick_size(arrays.quote_frame())
    rates = market_order_rates(arrays, duration)
    mid = 0.5 * (arrays.bid + arrays.ask)
    spreads = arrays.ask - arrays.bid
    median_spread = float(np.median(spreads))
    mid_offsets = quote_offsets(median_spread, tick)
    touch_offsets = [j * tick for j in range(touch_levels)]
    replayed, fill_model, fill_rule = (source, None, FILL_RULE) if replay is None else replay(tick)
    replayed = read_once(replayed)  # both anchors replay it: a LOBSTER book is read and checked once
    cells = {label: hypothetical_cells(replayed, anchor, offsets, window_s=window_s, tick_size=tick,
                                       order_size=order_size, horizon_s=horizon_s, fill_model=fill_model)
             for label, anchor, offsets in (("touch", "touch", touch_offsets), ("quote", "mid", mid_offsets))}
    fits = {label: fit_rates(c, block_s=block_s, what=f"fill intensity ({c.anchor})") for label, c in cells.items()}
    sides = {label: tuple(fit_rates(c.side(s), block_s=block_s, what=f"fill intensity ({c.anchor}, "
                                    f"{('bid', 'ask')[s]} side)") for s in (0, 1)) for label, c in cells.items()}
    rows = []
    for c in cells.values():
        train, test = c.select(c.start + c.window_s <= split), c.select(c.start >= split)
        rows += _check_rows(c, train, test, block_s, tolerance)
    lo, hi = (f * median_spread - 0.5 * tick for f in IMPACT_FRACTIONS)
    quoting = (cells["quote"].offsets >= lo) & (cells["quote"].offsets <= hi + tick)
    impact_mean, impact_se, impact_events = impact(cells["quote"].at(quoting), block_s=block_s)
    summary = {"tick_size": tick, "window_s": window_s, "median_spread": median_spread, "order_size": order_size,
               "duration_s": duration, "first_mid": float(mid[0]), "start_ts": t0, "end_ts": t_end, "block_s": block_s,
               "horizon_s": horizon_s,
               "touch_offsets": touch_offsets, "quote_offsets": mid_offsets, "impact_fills": impact_events,
               "trades": int(len(arrays.t_ts)), "quotes": int(len(arrays.q_ts)), "fill_rule": fill_rule,
               "reader": arrays.stats}
    return Calibration(
        name=arrays.name, quote=fits["quote"], touch=fits["touch"], sides=sides,
        levels={label: c.level_table(block_s) for label, c in cells.items()}, impact=impact_mean,
        impact_se=impact_se, market_orders=rates,
        sigma=realised_volatility(arrays.q_ts, mid, sigma_interval_s),
        sigma_ewma=ewma_volatility(arrays.q_ts, mid, sigma_interval_s, ewma_halflife_s),
        fit_check=FitCheck(table=pd.DataFrame(rows), split=split, tolerance=tolerance),
        profile=_profile(cells["touch"], cells["quote"], block_s), summary=summary)


# -- saved calibrations ----------------------------------------------------------------------------------------

@attrs.frozen
class CalibratedParameters:
    """``A``, ``k``, ``sigma`` (with standard errors) and ``impact``, in a stated time unit.

    Attributes
    ----------
    A, A_se : float
        Fill intensity at the mid, per time unit per side.
    k, k_se : float
        Per price unit (independent of time).
    sigma, sigma_se : float
        Price units per square-root time unit.
    impact : float
        Mid move after a market order, in its direction, price units (independent of time).
    tick_size, median_spread : float
        The data's price grid and median quoted spread (NaN when not recorded).
    time_unit_s : float
        Seconds per time unit (1 as loaded).
    """

    A: float
    k: float
    sigma: float
    A_se: float
    k_se: float
    sigma_se: float
    impact: float = 0.0
    tick_size: float = math.nan
    median_spread: float = math.nan
    time_unit_s: float = 1.0

    def in_time_unit(self, time_unit_s: float) -> CalibratedParameters:
        """The same parameters for a clock whose unit is ``time_unit_s`` seconds: ``A`` (a rate) scales with
        the unit, ``sigma`` with its square root, ``k`` and the prices not at all."""
        factor = check_positive("time_unit_s", time_unit_s) / self.time_unit_s
        root = math.sqrt(factor)
        return attrs.evolve(self, A=self.A * factor, sigma=self.sigma * root, A_se=self.A_se * factor,
                            sigma_se=self.sigma_se * root, time_unit_s=float(time_unit_s))


def _number(path, obj, name, *, positive: bool) -> float:
    value = obj.get(name)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):
        raise DataError(f"{path}: field {name!r} must be {'a number > 0' if positive else 'a number >= 0'}, "
                        f"got {value!r}")
    return float(value)


def load_calibration(path: str | os.PathLike) -> CalibratedParameters:
    """Read the ``calibration.json`` written by ``mmsim calibrate --out`` (per-second units).

    Raises
    ------
    DataError
        If the file is missing, is not JSON, was written by another estimator or version, lacks a field, has a
        field that is not a positive number (finite and >= 0 for standard errors and the impact), or states
        other units.
    """
    path = Path(path)
    try:
        obj = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: calibration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a JSON object with A, k and sigma")
    if obj.get("estimator") != ESTIMATOR or obj.get("version") != VERSION:
        raise DataError(f"{path}: written by estimator {obj.get('estimator')!r} version {obj.get('version')!r}; "
                        f"this mmsim reads {ESTIMATOR!r} version {VERSION}: recalibrate with mmsim calibrate")
    units = obj.get("units")
    for name in ("A", "k", "sigma", "impact"):
        if not isinstance(units, dict) or units.get(name) != UNITS[name]:
            raise DataError(f"{path}: field 'units.{name}' must be {UNITS[name]!r} (a file written by mmsim "
                            f"calibrate), got {units.get(name) if isinstance(units, dict) else units!r}")
    values = {name: _number(path, obj, name, positive=True) for name in ("A", "k", "sigma", "tick_size",
                                                                         "median_spread")}
    values.update({name: _number(path, obj, name, positive=False) for name in ("A_se", "k_se", "sigma_se",
                                                                               "impact")})
    return CalibratedParameters(**values)


__all__ = ["CalibratedParameters", "Calibration", "ESTIMATOR", "FitCheck", "UNITS", "VERSION", "calibrate",
           "in_memory", "load_calibration", "on_grid", "market_order_rates", "quote_intensity", "quote_offsets",
           "split_time"]
