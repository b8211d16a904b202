"""The books of a fill, one rule for both engines (floats in the event engine, arrays over paths in the vectorised
one), so that their ledgers agree to the last bit."""

from __future__ import annotations


def book_fill(inventory, cash, side, price, size, fee):
    """Inventory and cash after our quote on ``side`` (BID +1: we buy; ASK -1: we sell) fills ``size`` at
    ``price`` and we pay ``fee`` (negative for a rebate).

    Returns
    -------
    inventory, cash
        ``inventory + side * size`` and ``cash - (side * price * size + fee)``.
    """
    return inventory + side * size, cash - (side * price * size + fee)


def mark_to_market(inventory, cash, mid):
    """The value of the book at ``mid``: ``cash + inventory * mid``."""
    return cash + inventory * mid
