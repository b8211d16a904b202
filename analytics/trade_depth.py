"""The trade-depth (Gumbel) calibration: ``A exp(-k delta)`` from the deepest trade per window, kept as a named
alternative to :func:`analytics.calibrate` (the resting-quote estimator, the default).

What it identifies: how often market orders are *seen* at each distance from the mid. Almost every order trades
at the touch, so its ``k`` mostly measures how trade frequency falls when the prevailing spread is wide, and its
``A`` extrapolates that to the mid (AAPL: 2.9 per second against 0.53 market orders per second per side). It says
little about how the fill rate of a resting quote changes with its depth: use :func:`analytics.calibrate` for
that.

Units everywhere: ``A`` per second per side, ``k`` per price unit, ``sigma`` price units per square-root second.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from analytics.calibration import UNITS
from analytics.depths import DepthData, TickArrays, depth_data
from analytics.intensity import (FillCheck, LeastSquaresFit, empirical_rates, fill_check, fit_depth_least_squares,
                                 fit_depth_mle, model_rates)
from analytics.mle import IntensityFit
from analytics.plots import calibration_fit, png_bytes
from analytics.volatility import VolatilityEstimate, ewma_volatility, realised_volatility
from engine.errors import check_positive
from engine.ledger import write_atomic
from engine.lazy_modules import lazy_module
from feeds import TickSource  # the protocol: FileSource (the readers), FrameSource

pd = lazy_module("pandas")


@attrs.frozen
class TradeDepthCalibration:
    """Everything :func:`calibrate_trade_depth` measured.

    Attributes
    ----------
    name : str
        The data's name.
    mle : IntensityFit
        Maximum-likelihood ``A`` (per second per side) and ``k`` (per price unit).
    least_squares : LeastSquaresFit
        The log-linear least-squares fit, for comparison.
    sigma, sigma_ewma : VolatilityEstimate
        Realised and exponentially weighted volatility (price per square-root second).
    fit : FillCheck
        Predicted against empirical fill probability by depth.
    data : DepthData
        The per-window observations (for plots).
    summary : dict
        Counts: trades, orders, windows, duration, tick, reader stats.
    """

    name: str
    mle: IntensityFit
    least_squares: LeastSquaresFit
    sigma: VolatilityEstimate
    sigma_ewma: VolatilityEstimate
    fit: FillCheck
    data: DepthData = attrs.field(repr=False)
    summary: dict

    def to_dict(self) -> dict:
        """One JSON-ready object: the headline figures at the top level, the detail below."""
        return {
            "name": self.name,
            "A": self.mle.A, "k": self.mle.k, "sigma": self.sigma.sigma,
            "A_se": self.mle.A_se, "k_se": self.mle.k_se, "sigma_se": self.sigma.se,
            "A_ci95": list(self.mle.A_ci95), "k_ci95": list(self.mle.k_ci95), "sigma_ci95": list(self.sigma.ci95),
            "units": UNITS,
            "fit_check_passed": self.fit.passed, "estimator": "trade-depth",
            "mle": self.mle.to_dict(),
            "least_squares": self.least_squares.to_dict(),
            "volatility": {"realised": self.sigma.to_dict(), "ewma": self.sigma_ewma.to_dict()},
            "fit_check": self.fit.to_dict(),
            "data": self.summary,
        }

    def figure(self):
        """The fit plot (a matplotlib Figure): left, the rate of orders reaching each depth, data against the MLE
        seen through the spread (solid), ``A exp(-k delta)`` itself (dashed) and the least-squares line (dotted),
        log scale; right, predicted against empirical probability of a fill within the window."""
        depths, rate = empirical_rates(self.data)
        x = depths * self.data.half_tick
        mle, ls = self.mle, self.least_squares
        curves = {"MLE, seen through the spread": model_rates(self.data, mle, depths),
                  f"MLE A exp(-k d): A={mle.A:.3g}/s, k={mle.k:.3g}": mle.rate(x),
                  f"least squares: A={ls.A:.3g}/s, k={ls.k:.3g}": ls.rate(x)}
        verdict = f"{'pass' if self.fit.passed else 'FAIL'} (worst {self.fit.max_rel_error:.0%})"
        return calibration_fit(self.name, x, rate, curves, self.fit.table, self.fit.tolerance, self.data.window_s,
                               verdict)

    def write_plot(self, path: str | os.PathLike) -> None:
        """Write :meth:`figure` as a PNG, atomically."""
        png = png_bytes(self.figure())
        write_atomic(path, lambda tmp: Path(tmp).write_bytes(png))


def calibrate_trade_depth(ticks: TickSource | pd.DataFrame | Iterable[pd.DataFrame], *, window_s: float = 1.0,
              tick_size: float | None = None, sigma_interval_s: float = 10.0, ewma_halflife_s: float = 1800.0,
              tolerance: float = 0.25) -> TradeDepthCalibration:
    """Calibrate ``A``, ``k`` and ``sigma`` from tick data.

    Parameters
    ----------
    ticks : TickSource, DataFrame or iterable of DataFrames
        Tick chunks (see :mod:`feeds.tickdata`), for example ``feeds.read_lobster(path)``.
    window_s : float
        Window for the intensity likelihood and the fit check, seconds: fill probabilities are "within
        ``window_s``". Shorter windows keep more of the data (only the deepest order per window counts).
    tick_size : float, optional
        Price grid step; inferred from the quotes when not given.
    sigma_interval_s : float
        Sampling interval of the mid for the realised volatility, seconds.
    ewma_halflife_s : float
        Half-life of the exponentially weighted volatility, seconds.
    tolerance : float
        Relative error allowed by the fit check (see :func:`analytics.intensity.fill_check`).

    Returns
    -------
    Calibration

    Raises
    ------
    DataError
        If the data have no quotes or no trades at all (the message names the file), or do not identify the
        parameters.
    ConfigError
        If a parameter is out of range, or ``tick_size`` does not divide the quote prices.
    """
    tolerance = check_positive("tolerance", tolerance)
    arrays = TickArrays.collect(ticks)
    data = depth_data(arrays, window_s=window_s, tick_size=tick_size)
    mle = fit_depth_mle(data)
    mid = 0.5 * (arrays.bid + arrays.ask)
    summary = {"tick_size": data.tick, "window_s": data.window_s, "windows": data.n_windows,
               "duration_s": data.duration_s, "trades": data.trades, "orders": data.arrivals,
               "orders_inside_spread": data.inside_spread, "trades_before_first_quote": data.trades_before_book,
               "quotes": len(arrays.q_ts), "reader": arrays.stats}
    return TradeDepthCalibration(name=arrays.name, mle=mle, least_squares=fit_depth_least_squares(data),
                       sigma=realised_volatility(arrays.q_ts, mid, sigma_interval_s),
                       sigma_ewma=ewma_volatility(arrays.q_ts, mid, sigma_interval_s, ewma_halflife_s),
                       fit=fill_check(data, mle, tolerance=tolerance), data=data, summary=summary)


__all__ = ["TradeDepthCalibration", "calibrate_trade_depth"]
