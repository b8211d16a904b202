"""Analytics: from what a simulation recorded to numbers, reports and calibrated model inputs.

The package exports the entry points of its four concerns; everything else is in the module named after it
(``analytics.risk.sharpe``, ``analytics.intensity.fit_depth_mle``, ...).

Runs
    :class:`Ledger` (the engine's, re-exported: every figure here is derived from its tables),
    :func:`path_metrics`, :func:`summarize`, :func:`attribute`, :func:`attribution_summary`,
    :func:`risk_summary`, :func:`markouts`, :func:`markout_curve`.
Comparison
    :class:`Estimate`, :class:`PairedBootstrap`, :func:`mean_se`.
Calibration
    :class:`Calibration`, :func:`calibrate`, :func:`load_calibration`, :func:`calibrate_trade_depth`,
    :func:`fit_own_fills`.
Reports
    :func:`analyse`, :func:`build_report`, :func:`rebuild_report`.

Running experiments is not analysis: sweeps and the market and strategy recipes are in :mod:`mmsim.sweep` and
:mod:`mmsim.specs`.
"""

from engine import Ledger
from analytics.attribution import attribute, attribution_summary
from analytics.markouts import markout_curve, markouts
from analytics.metrics import path_metrics, summarize
from analytics.risk import risk_summary
from analytics.inference import Estimate, PairedBootstrap, mean_se
from analytics.calibration import Calibration, calibrate, load_calibration
from analytics.own_fills import fit_own_fills
from analytics.trade_depth import calibrate_trade_depth
from analytics.report import analyse, build_report, rebuild_report

__all__ = [
    # runs
    "Ledger", "path_metrics", "summarize", "attribute", "attribution_summary", "risk_summary", "markouts",
    "markout_curve",
    # comparison
    "Estimate", "PairedBootstrap", "mean_se",
    # calibration
    "Calibration", "calibrate", "load_calibration", "calibrate_trade_depth", "fit_own_fills",
    # reports
    "analyse", "build_report", "rebuild_report",
]
