"""Analytics over what a simulation recorded: the ledger's tables and the metrics computed from them."""

from engine import Ledger
from analytics.metrics import path_metrics, summarize

__all__ = ["Ledger", "path_metrics", "summarize"]
