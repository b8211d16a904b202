"""What makes a strategy's quote valid, for both engines: one module, one rule, one message.

A quote is valid when it is a :class:`engine.Quote`, each quoted price is finite, each size is finite and > 0,
and the bid is below the ask. The event engine checks one quote of floats (a side of ``None`` is withdrawn); the
vectorised engine checks arrays over paths (a NaN price withdraws that side on that path). The two forms live
side by side here so they cannot drift; both raise :class:`StrategyError` naming the strategy, the time and, in
the vectorised engine, the path.
"""

from __future__ import annotations

import math

import numpy as np

from engine.errors import StrategyError
from engine.types import Quote

_isfinite = math.isfinite
_inf = math.inf


def strategy_name(strategy) -> str:
    """The name used for ``strategy`` in tables and errors: its ``name`` attribute, else its class name."""
    return getattr(strategy, "name", None) or type(strategy).__name__


def quote_inputs_of(strategy) -> tuple | None:
    """The ``MarketState`` fields ``strategy`` says its quote depends on (``quote_inputs``, see
    ``strategies.Strategy``), or ``None`` (any field, the clock included).

    Taken only from the class that wrote the ``quote`` in use, or one below it, or from the instance itself: a
    subclass that overrides ``quote`` without restating ``quote_inputs`` may read more than its parent did, so
    its parent's promise is not taken for its own. Wrappers ask this of the strategy they wrap.
    """
    if "quote_inputs" in getattr(strategy, "__dict__", ()):
        return strategy.quote_inputs
    mro = type(strategy).__mro__
    said = next((i for i, cls in enumerate(mro) if "quote_inputs" in vars(cls)), None)
    written = next((i for i, cls in enumerate(mro) if "quote" in vars(cls)), None)
    if said is None or written is None or said > written:
        return None
    return strategy.quote_inputs


def invalid_quote(name: str, t: float, what: str, path: int | None = None) -> StrategyError:
    """The error for an invalid quote of strategy ``name`` at time ``t`` (on ``path`` in the vectorised engine)."""
    where = "" if path is None else f" on path {path}"
    return StrategyError(f"strategy {name} returned an invalid quote at t={t:.6g}{where}: {what}")


def ask_quote(strategy, state, name: str):
    """``strategy.quote(state)``, checked to be a :class:`Quote`; anything it raises becomes a StrategyError."""
    try:
        quote = strategy.quote(state)
    except (Exception, SystemExit) as exc:  # sys.exit() in a strategy must not end the program quietly
        raise StrategyError(f"strategy {name} raised in quote at t={state.time:.6g}: {exc!r}") from exc
    if not isinstance(quote, Quote):
        raise invalid_quote(name, state.time, f"expected a Quote(bid=..., ask=...), got {type(quote).__name__}")
    return quote


def check_quote(quote: Quote, name: str, t: float) -> tuple:
    """The event engine's form: ``(bid, ask, bid_size, ask_size)`` as floats (a side may be ``None``)."""
    bid, ask, bid_size, ask_size = quote
    try:
        bid_size, ask_size = float(bid_size), float(ask_size)
    except (TypeError, ValueError):
        raise invalid_quote(name, t, f"sizes must be numbers, got bid_size={bid_size!r} "
                                     f"ask_size={ask_size!r}") from None
    if bid is not None:
        bid = float(bid)
        if not (_isfinite(bid) and 0.0 < bid_size < _inf):
            raise invalid_quote(name, t, f"bid={bid!r} bid_size={bid_size!r}")
    if ask is not None:
        ask = float(ask)
        if not (_isfinite(ask) and 0.0 < ask_size < _inf):
            raise invalid_quote(name, t, f"ask={ask!r} ask_size={ask_size!r}")
    if bid is not None and ask is not None and not bid < ask:
        raise invalid_quote(name, t, f"crossed quote bid={bid!r} >= ask={ask!r}")
    return bid, ask, bid_size, ask_size


class ArrayQuotes:
    """The vectorised engine's form: calls the strategy on the array state of ``paths`` paths and checks what
    it returns."""

    def __init__(self, strategy, paths: int) -> None:
        self.strategy = strategy
        self.paths = paths
        self.name = strategy_name(strategy)
        self._withdrawn = np.full(paths, np.nan)

    def _side(self, price, t: float, what: str) -> np.ndarray:
        if price is None:
            return self._withdrawn
        price = np.asarray(price, dtype=float)
        if price.ndim == 0:
            return np.full(self.paths, float(price))
        if price.shape != (self.paths,):
            raise invalid_quote(self.name, t, f"{what} has shape {price.shape}, expected ({self.paths},)")
        return price

    def _size(self, size, t: float, what: str):
        if type(size) is float and 0.0 < size < _inf:
            return size
        size = np.asarray(size, dtype=float)
        if size.ndim and size.shape != (self.paths,):
            raise invalid_quote(self.name, t, f"{what} has shape {size.shape}, expected ({self.paths},)")
        bad = ~(np.isfinite(size) & (size > 0.0))
        if bad.any():
            path = int(np.argmax(bad)) if size.ndim else None
            raise invalid_quote(self.name, t, f"{what}={float(size if path is None else size[path])!r}", path)
        return size if size.ndim else float(size)

    def __call__(self, state) -> tuple[np.ndarray, np.ndarray, object, object, np.ndarray, bool]:
        """``bid, ask, bid_size, ask_size, spread, two_sided``: prices as arrays (NaN where withdrawn), sizes as
        floats or arrays, ``spread = ask - bid`` (NaN where a side is withdrawn) and whether every path quoted
        both sides."""
        t = state.time
        bid, ask, bid_size, ask_size = ask_quote(self.strategy, state, self.name)
        bid = self._side(bid, t, "bid")
        ask = self._side(ask, t, "ask")
        bid_size = self._size(bid_size, t, "bid_size")
        ask_size = self._size(ask_size, t, "ask_size")
        spread = ask - bid
        # The common case in three operations: min is NaN if a side is withdrawn anywhere, max is inf if a price is.
        if spread.min() > 0.0 and spread.max() < _inf:
            return bid, ask, bid_size, ask_size, spread, True
        for price, what in ((bid, "bid"), (ask, "ask")):
            infinite = np.isinf(price)
            if infinite.any():
                path = int(np.argmax(infinite))
                raise invalid_quote(self.name, t, f"{what}={float(price[path])!r}", path)
        crossed = bid >= ask  # False wherever a side is withdrawn (NaN)
        if crossed.any():
            path = int(np.argmax(crossed))
            raise invalid_quote(self.name, t, f"crossed quote bid={float(bid[path])!r} >= ask={float(ask[path])!r}",
                                path)
        return bid, ask, bid_size, ask_size, spread, False
