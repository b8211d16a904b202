"""Analytics over what a simulation recorded: the ledger's tables, metrics, attribution, markouts and reports."""

from engine import Ledger
from analytics.attribution import attribute, attribution_summary
from analytics.inference import Estimate, PairedBootstrap, mean_se
from analytics.markouts import adverse_selection_cost, markout_curve, markouts
from analytics.metrics import path_metrics, summarize
from analytics.report import Analysis, analyse, build_report, rebuild_report
from analytics.risk import inventory_distribution, max_drawdown, path_risk, risk_summary, sharpe, sortino

__all__ = [
    "Analysis", "Estimate", "Ledger", "PairedBootstrap",
    "adverse_selection_cost", "analyse", "attribute", "attribution_summary", "build_report",
    "inventory_distribution", "markout_curve", "markouts", "max_drawdown", "mean_se", "path_metrics", "path_risk",
    "rebuild_report", "risk_summary", "sharpe", "sortino", "summarize",
]
