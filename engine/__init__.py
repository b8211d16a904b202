"""The simulation engine: scheduler, shared types, fill models, the simulation loop, the Monte Carlo runner and
the vectorised Monte Carlo engine for time-stepped models.

This package imports nothing from ``feeds``, ``strategies`` or ``analytics``: it defines the types and protocols
they share.
"""

from engine.errors import ConfigError, DataError, MmsimError, StrategyError
from engine.fills import ExponentialFills, StepFills
from engine.ledger import Ledger
from engine.montecarlo import iter_ledgers, path_seed, run_paths
from engine.fill_model import FillModel, FillRun, RestingQuote
from engine.protocols import Feed, StrategyProtocol
from engine.replay_fills import TradeThroughFills
from engine.scheduler import MARKET_DATA, MARKET_ORDER, QUOTE_LIVE, SETTLE, STRATEGY, Scheduler
from engine.quotes import quote_inputs_of, strategy_name
from engine.simulation import Simulation, path_generators
from engine.types import ASK, BID, BUY, SELL, Fees, Fill, MarketState, Quote
from engine.vectorised import PathDraws, VectorisedResult, draw_paths, run_vectorised, why_not_vectorised

__all__ = [
    "ASK", "BID", "BUY", "SELL",
    "MARKET_DATA", "MARKET_ORDER", "QUOTE_LIVE", "SETTLE", "STRATEGY",
    "ConfigError", "DataError", "MmsimError", "StrategyError",
    "ExponentialFills", "StepFills",
    "Feed", "FillModel", "FillRun", "RestingQuote", "StrategyProtocol",
    "Fees", "Fill", "Ledger", "MarketState", "Quote",
    "Scheduler", "Simulation", "TradeThroughFills", "iter_ledgers", "path_generators", "path_seed", "run_paths",
    "quote_inputs_of", "strategy_name",
    "PathDraws", "VectorisedResult", "draw_paths", "run_vectorised", "why_not_vectorised",
]
