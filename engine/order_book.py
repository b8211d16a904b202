"""A full-depth limit order book followed order by order: sorted price levels, each a FIFO of visible orders.

Prices are integers (the data's own units, LOBSTER's dollars x 10000), so levels are found exactly. Each order
gets a sequence number when it joins the book; an order with a smaller number at the same price was there first
(FIFO, price-time priority). Some displayed size has no order id to follow: orders resting before the data
starts, and orders that arrived while their level was outside the levels the data covers. That size is kept per
level as *untracked* and is taken to be ahead of every order we follow there (the conservative choice for a
queue position: we never assume we are further forward than the data shows).
"""

from __future__ import annotations

from sortedcontainers import SortedDict

#: Sequence number of untracked size: ahead of every followed order.
UNTRACKED = -1


class Level:
    """One price level: the followed orders in arrival order (``id -> [size, seq]``), the untracked size, and
    ``total``, the displayed size (kept as orders come and go)."""

    __slots__ = ("orders", "untracked", "total")

    def __init__(self, untracked: int = 0) -> None:
        self.orders: dict[int, list] = {}
        self.untracked = untracked
        self.total = untracked

    def ahead_of(self, seq: int) -> int:
        """Displayed size that joined before sequence number ``seq`` (untracked size included)."""
        return self.untracked + sum(o[0] for o in self.orders.values() if o[1] < seq)


class OrderBook:
    """Both sides of a book as sorted price levels (:class:`sortedcontainers.SortedDict` of :class:`Level`).

    ``side`` is +1 for bids (buy orders) and -1 for asks (sell orders), as in LOBSTER's ``direction``.

    Attributes
    ----------
    next_seq : int
        The sequence number the next order to join will get: every order in the book now is before it.
    """

    def __init__(self) -> None:
        self.sides = {1: SortedDict(), -1: SortedDict()}
        self.where: dict[int, tuple[int, int]] = {}  # order id -> (side, price) of the followed orders
        self.next_seq = 0

    def level(self, side: int, price: int) -> Level | None:
        """The level at ``price`` on ``side`` (``None`` when empty)."""
        return self.sides[side].get(price)

    def total(self, side: int, price: int) -> int:
        """Displayed size at ``price`` on ``side``."""
        level = self.sides[side].get(price)
        return 0 if level is None else level.total

    def ahead(self, side: int, price: int, seq: int) -> int:
        """Displayed size at ``price`` on ``side`` that joined before sequence number ``seq``."""
        level = self.sides[side].get(price)
        return 0 if level is None else level.ahead_of(seq)

    def best(self, side: int) -> int | None:
        """Best price on ``side`` (highest bid, lowest ask), or ``None`` when the side is empty."""
        levels = self.sides[side]
        if not levels:
            return None
        return levels.peekitem(-1 if side == 1 else 0)[0]

    def add(self, order_id: int, side: int, price: int, size: int) -> int:
        """A new visible order joins the back of its level; return its sequence number."""
        levels = self.sides[side]
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level()
        seq = self.next_seq
        self.next_seq = seq + 1
        level.orders[order_id] = [size, seq]
        level.total += size
        self.where[order_id] = (side, price)
        return seq

    def remove(self, order_id: int, side: int, price: int, size: int, delete: bool) -> int | None:
        """Order ``order_id`` loses ``size`` (a partial cancel or an execution), or leaves (``delete``).

        An id not followed is taken from the level's untracked size. Returns the order's sequence number
        (:data:`UNTRACKED` for untracked size), or ``None`` when the id is not followed and the level has less
        untracked size than ``size``: an order that was never added.
        """
        levels = self.sides[side]
        level = levels.get(price)
        if level is None:
            return None
        order = level.orders.get(order_id) if self.where.get(order_id) == (side, price) else None
        if order is None:
            if level.untracked < size:
                return None
            level.untracked -= size
            level.total -= size
            seq = UNTRACKED
        else:
            seq = order[1]
            left = order[0] - size
            if delete or left <= 0:
                level.total -= order[0]
                del level.orders[order_id]
                del self.where[order_id]
            else:
                order[0] = left
                level.total -= size
        if level.total <= 0:
            del levels[price]
        return seq

    def untrack(self, side: int, price: int, size: int) -> None:
        """Forget the level at ``price`` and keep ``size`` there as untracked: the level came into view showing
        ``size`` (what happened to it outside the data's levels is unknown), or went out of view (``size`` 0)."""
        levels = self.sides[side]
        level = levels.get(price)
        if level is not None:
            for order_id in level.orders:
                del self.where[order_id]
        if size <= 0:
            levels.pop(price, None)
            return
        levels[price] = Level(size)

    def set_untracked(self, side: int, price: int, size: int) -> None:
        """Set the untracked size at ``price`` (its level came into view: the data shows what we could not follow)."""
        levels = self.sides[side]
        level = levels.get(price)
        if level is None:
            if size > 0:
                levels[price] = Level(size)
            return
        level.total += size - level.untracked
        level.untracked = size
        if level.total <= 0:
            del levels[price]
