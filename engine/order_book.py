"""A full-depth limit order book followed order by order: sorted price levels, each a FIFO of visible orders.

Prices are integers (the data's own units, LOBSTER's dollars x 10000), so levels are found exactly. Each order
gets a sequence number when it joins the book; an order with a smaller number at the same price was there first
(FIFO, price-time priority). Some displayed size has no order id to follow: orders resting before the data
starts, and orders that arrived while their level was outside the levels the data covers. That size is kept per
level as *untracked* and is taken to be ahead of every order we follow there (the conservative choice for a
queue position: we never assume we are further forward than the data shows).

A level that empties stays in the sorted map, empty, so the prices a day keeps coming back to are not inserted
and removed again and again; :meth:`OrderBook.best` and :meth:`OrderBook.depth` skip empty levels.
"""

from __future__ import annotations

from sortedcontainers import SortedDict

#: Sequence number of untracked size: ahead of every followed order.
UNTRACKED = -1


class Level:
    """One price level: the followed orders in arrival order (``id -> [size, seq]``), the untracked size, and
    ``total``, the displayed size (kept as orders come and go)."""

    __slots__ = ("orders", "untracked", "total")

    def __init__(self) -> None:
        self.orders: dict[int, list] = {}
        self.untracked = 0
        self.total = 0

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
        self.next_seq = 0

    def level(self, side: int, price: int) -> Level:
        """The level at ``price`` on ``side`` (created empty if the book never had it)."""
        levels = self.sides[side]
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level()
        return level

    def total(self, side: int, price: int) -> int:
        """Displayed size at ``price`` on ``side``."""
        level = self.sides[side].get(price)
        return 0 if level is None else level.total

    def ahead(self, side: int, price: int, seq: int) -> int:
        """Displayed size at ``price`` on ``side`` that joined before sequence number ``seq``."""
        level = self.sides[side].get(price)
        return 0 if level is None else level.ahead_of(seq)

    def depth(self, side: int, levels: int) -> list[tuple[int, int]]:
        """The best ``levels`` non-empty levels of ``side`` as ``(price, displayed size)``, best first."""
        out = []
        items = self.sides[side].items()
        for price, level in (reversed(items) if side == 1 else items):
            if level.total > 0:
                out.append((price, level.total))
                if len(out) == levels:
                    break
        return out

    def best(self, side: int) -> int | None:
        """Best price on ``side`` (highest bid, lowest ask), or ``None`` when the side is empty."""
        top = self.depth(side, 1)
        return top[0][0] if top else None

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
        return seq

    def remove(self, order_id: int, side: int, price: int, size: int, delete: bool) -> int | None:
        """Order ``order_id`` loses ``size`` (a partial cancel or an execution), or leaves (``delete``).

        An id not followed at that level is taken from the level's untracked size. Returns the order's sequence
        number (:data:`UNTRACKED` for untracked size), or ``None`` when the id is not followed there and the
        level has less untracked size than ``size``: an order that was never added.
        """
        level = self.sides[side].get(price)
        if level is None:
            return None
        order = level.orders.get(order_id)
        if order is None:
            if level.untracked < size:
                return None
            level.untracked -= size
            level.total -= size
            return UNTRACKED
        left = order[0] - size
        if delete or left <= 0:
            level.total -= order[0]
            del level.orders[order_id]
        else:
            order[0] = left
            level.total -= size
        return order[1]

    def untrack(self, side: int, price: int, size: int) -> None:
        """Forget the orders at ``price`` and keep ``size`` there as untracked: the level came into view showing
        ``size`` (what happened to it outside the data's levels is unknown), or went out of view (``size`` 0)."""
        level = self.level(side, price)
        if level.orders:
            level.orders = {}
        level.untracked = level.total = size

    def set_untracked(self, side: int, price: int, size: int) -> None:
        """Set the untracked size at ``price``, keeping the followed orders (the level came into view with a
        message: the data shows what we could not follow)."""
        level = self.level(side, price)
        level.total += size - level.untracked
        level.untracked = size
