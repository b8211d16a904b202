"""Tiny LOBSTER message + order-book files of any level, for tests.

The order-book rows are computed here by summing the displayed size at each price (no queues, no ids beyond
what the messages say), which is all a LOBSTER order-book row is: an independent check of the replay's book.
"""

from __future__ import annotations

import random

NAME = "TEST_2012-06-21_34200000_57600000"
EMPTY = 9_999_999_999


def book_rows(messages, levels: int, resting=()) -> list[str]:
    """The order-book rows after each message. ``messages`` are ``(time, type, id, size, price $, direction)``;
    ``resting`` are ``(id, size, price $, direction)`` orders already in the book, with no message of their own
    (as LOBSTER's orders resting before 09:30 or outside the levels)."""
    sizes = {1: {}, -1: {}}
    orders = {}
    for oid, size, price, side in resting:
        p = round(price * 10_000)
        orders[oid] = (side, p)
        sizes[side][p] = sizes[side].get(p, 0) + size
    rows = []
    for _, kind, oid, size, price, side in messages:
        p = round(price * 10_000)
        if kind == 1:
            sizes[side][p] = sizes[side].get(p, 0) + size
        elif kind in (2, 3, 4):
            sizes[side][p] -= size
            if sizes[side][p] == 0:
                del sizes[side][p]
        asks = sorted(sizes[-1].items())[:levels]
        bids = sorted(sizes[1].items(), reverse=True)[:levels]
        asks += [(EMPTY, 0)] * (levels - len(asks))
        bids += [(-EMPTY, 0)] * (levels - len(bids))
        rows.append(",".join(f"{a},{asz},{b},{bsz}" for (a, asz), (b, bsz) in zip(asks, bids)))
    return rows


def message_rows(messages) -> list[str]:
    return [f"{t},{kind},{oid},{size},{round(price * 10_000)},{side}" for t, kind, oid, size, price, side in messages]


def write_lobster(folder, messages, levels: int, resting=(), book=None, name=NAME):
    """Write the pair (``book``: rows to write instead of the computed ones); return the message file's path."""
    message = folder / f"{name}_message_{levels}.csv"
    message.write_text("\n".join(message_rows(messages)) + "\n")
    rows = book_rows(messages, levels, resting) if book is None else book
    (folder / f"{name}_orderbook_{levels}.csv").write_text("\n".join(rows) + "\n")
    return message


def random_day(n: int, levels: int, seed: int = 0, depth: int = 4, step_s: float = 0.25) -> list[tuple]:
    """``n`` messages of a random book about $100, one every ``step_s`` seconds from 09:30 (after the opening
    book's orders): orders of 100 to 300 shares added inside the spread (up to half of it, never at or through
    the other side), at the best or up to ``depth - 1`` ticks behind; cancels of any resting order; market orders
    of 100 to 600 shares taking the oldest orders from the best on, across levels (one timestamp per sweep).
    Neither side ever empties, and neither ever holds more than ``levels`` prices: every order is in view of a
    level-``levels`` file, as LOBSTER's are."""
    rng = random.Random(seed)
    book = {1: {}, -1: {}}  # side -> price in cents -> [[id, size], ...] oldest first
    messages, ids = [], iter(range(1, 10 * n + 10 * depth))

    def add(t, side, cents, size):
        oid = next(ids)
        book[side].setdefault(cents, []).append([oid, size])
        messages.append((t, 1, oid, size, cents / 100, side))

    def best(side):
        return max(book[side]) if side == 1 else min(book[side])

    for side, top in ((1, 9995), (-1, 10005)):
        for j in range(depth):
            add(34200.0, side, top - side * j, 200)
    for i in range(1, n + 1):
        t, side, u = 34200.0 + step_s * i, rng.choice((1, -1)), rng.random()
        resting = [(p, order) for p, queue in book[side].items() for order in queue]
        if u < 0.5 or len(resting) < 3:
            gap = best(-1) - best(1)  # the spread in ticks: a wide one draws orders inside it
            cents = best(side) - side * rng.randrange(-(gap // 2), depth)
            if cents in book[side] or len(book[side]) < levels:
                add(t, side, cents, 100 * rng.randint(1, 3))
        elif u < 0.75:
            p, order = rng.choice(resting)
            book[side][p].remove(order)
            if not book[side][p]:
                del book[side][p]
            messages.append((t, 3, order[0], order[1], p / 100, side))
        else:
            want = 100 * rng.randint(1, 10)
            while want > 0 and len(resting) > 1:
                p = best(side)
                order = book[side][p][0]
                size = min(want, order[1])
                messages.append((t, 4, order[0], size, p / 100, side))
                want, order[1] = want - size, order[1] - size
                if not order[1]:
                    book[side][p].pop(0)
                    if not book[side][p]:
                        del book[side][p]
                    resting.pop()
    return messages
