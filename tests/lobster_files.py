"""Tiny LOBSTER message + order-book files of any level, for tests.

The order-book rows are computed here by summing the displayed size at each price (no queues, no ids beyond
what the messages say), which is all a LOBSTER order-book row is: an independent check of the replay's book.
"""

from __future__ import annotations

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
