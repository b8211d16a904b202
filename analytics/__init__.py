"""Analytics over what a simulation recorded (the ledger's tables and their metrics) and calibration of the
model's inputs from market data or from a strategy's own fills."""

from engine import Ledger
from analytics.calibration import CalibratedParameters, Calibration, calibrate, load_calibration
from analytics.calibration_plot import plot_calibration, write_fit_plot
from analytics.intensity import FillCheck, LeastSquaresFit, fill_check, fit_depth_least_squares, fit_depth_mle
from analytics.metrics import path_metrics, summarize
from analytics.mle import IntensityFit
from analytics.own_fills import fit_own_fills, quote_exposures
from analytics.volatility import VolatilityEstimate, ewma_volatility, realised_volatility

__all__ = [
    "CalibratedParameters", "Calibration", "FillCheck", "IntensityFit", "LeastSquaresFit", "Ledger",
    "VolatilityEstimate", "calibrate", "ewma_volatility", "fill_check", "fit_depth_least_squares", "fit_depth_mle",
    "fit_own_fills", "load_calibration", "path_metrics", "plot_calibration", "quote_exposures", "realised_volatility",
    "summarize", "write_fit_plot",
]
