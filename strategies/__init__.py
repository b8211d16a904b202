"""Strategies: the :class:`Strategy` base class users subclass, and the shipped strategies.

>>> from strategies import AvellanedaStoikov
>>> AvellanedaStoikov(gamma=0.1, sigma=2.0, k=1.5).spread(time_left=1.0) > 0
True
"""

from engine import Fill, MarketState, Quote
from strategies.as_infinite import InfiniteHorizonAS
from strategies.avellaneda_stoikov import AvellanedaStoikov
from strategies.base import Strategy
from strategies.capped import InventoryCapped, withdraw_beyond
from strategies.glft import GLFT
from strategies.loader import SHIPPED, load_strategy_class, load_user_strategy, parse_strategy_params
from strategies.rolling_as import RollingAvellanedaStoikov
from strategies.symmetric import SymmetricSpread
from strategies.timing import Retimed

__all__ = [
    "AvellanedaStoikov",
    "Fill",
    "GLFT",
    "InfiniteHorizonAS",
    "InventoryCapped",
    "MarketState",
    "Quote",
    "Retimed",
    "RollingAvellanedaStoikov",
    "SHIPPED",
    "Strategy",
    "SymmetricSpread",
    "load_strategy_class",
    "load_user_strategy",
    "parse_strategy_params",
    "withdraw_beyond",
]
