"""Analytics over what a simulation recorded (the ledger's tables, metrics, attribution, markouts and reports)
and calibration of the model's inputs from market data or from a strategy's own fills."""

from engine import Ledger
from analytics.attribution import attribute, attribution_summary
from analytics.calibration import CalibratedParameters, Calibration, calibrate, load_calibration
from analytics.quote_fills import QuoteCells, RateFit, fit_rates, hypothetical_cells
from analytics.trade_depth import TradeDepthCalibration, calibrate_trade_depth
from analytics.inference import Estimate, PairedBootstrap, mean_se
from analytics.intensity import FillCheck, LeastSquaresFit, fill_check, fit_depth_least_squares, fit_depth_mle
from analytics.markouts import adverse_selection_cost, markout_curve, markouts
from analytics.metrics import path_metrics, summarize
from analytics.mle import IntensityFit
from analytics.own_fills import fit_own_fills, quote_exposures
from analytics.report import Analysis, analyse, build_report, build_sweep_report, rebuild_report
from analytics.risk import inventory_distribution, max_drawdown, path_risk, risk_summary, sharpe, sortino
from analytics.sweep import SweepConfig, parse_grid, run_cell, run_sweep, sweep_table
from analytics.volatility import VolatilityEstimate, ewma_volatility, realised_volatility

__all__ = [
    "Analysis", "CalibratedParameters", "Calibration", "Estimate", "FillCheck", "IntensityFit", "LeastSquaresFit",
    "Ledger", "PairedBootstrap", "QuoteCells", "RateFit", "SweepConfig", "TradeDepthCalibration", "VolatilityEstimate",
    "adverse_selection_cost", "analyse", "attribute", "attribution_summary", "build_report", "build_sweep_report",
    "calibrate", "calibrate_trade_depth", "fit_rates", "hypothetical_cells",
    "ewma_volatility", "fill_check", "fit_depth_least_squares", "fit_depth_mle", "fit_own_fills",
    "inventory_distribution", "load_calibration", "markout_curve", "markouts", "max_drawdown", "mean_se",
    "parse_grid", "path_metrics", "path_risk", "quote_exposures", "realised_volatility", "rebuild_report",
    "risk_summary", "run_cell", "run_sweep", "sharpe", "sortino", "summarize", "sweep_table",
]
