"""The discrete-event scheduler: a heap of ``(time, priority, seq, callback, arg)``.

Order of events
---------------
Events run in order of time; at one instant, in order of priority (lower first); at one instant and priority,
first in, first out (``seq`` comes from :func:`itertools.count`). With the same inputs and seed a run is
therefore identical, bit for bit. The priorities the simulation uses at one instant are, in order:

``SETTLE`` (0)
    Time-stepped fill models settle the interval that ends now, against the quotes that rested through it.
``MARKET_DATA`` (1)
    The mid moves, the book changes, a volatility regime switches.
``MARKET_ORDER`` (2)
    Market orders (synthetic arrivals, historical trades) are matched against the resting quotes.
``QUOTE_LIVE`` (3)
    A quote sent earlier becomes live after the order-entry latency.
``STRATEGY`` (4)
    The strategy reacts: it requotes after a tick or a fill, or on its own timer.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from typing import Any

from engine.errors import ConfigError

SETTLE = 0
MARKET_DATA = 1
MARKET_ORDER = 2
QUOTE_LIVE = 3
STRATEGY = 4

_heappush = heapq.heappush


class Scheduler:
    """A priority queue of timed callbacks.

    ``heapq`` rather than ``queue.PriorityQueue``: the latter takes a lock on every call, which costs more than
    the event itself in a single-threaded loop.

    Attributes
    ----------
    now : float
        The time of the event being (or last) processed; starts at 0.
    events : int
        How many events have been processed.
    """

    __slots__ = ("now", "events", "_heap", "_seq")

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self.events = 0
        self._heap: list[tuple[float, int, int, Callable[[Any], None], Any]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def schedule(self, time: float, priority: int, callback: Callable[[Any], None], arg: Any = None) -> None:
        """Call ``callback(arg)`` at ``time``, after every event already scheduled at the same (time, priority).

        Raises
        ------
        ConfigError
            If ``time`` is earlier than :attr:`now` or is NaN.
        """
        if not time >= self.now:  # also catches NaN
            raise ConfigError(f"cannot schedule an event at time {time!r}, before now ({self.now!r})")
        _heappush(self._heap, (time, priority, next(self._seq), callback, arg))

    def peek(self) -> float:
        """Return the time of the next event, or ``inf`` when none is scheduled."""
        return self._heap[0][0] if self._heap else math.inf

    def comes_first(self, time: float, priority: int) -> bool:
        """Whether an event at ``(time, priority)`` would run before every event scheduled now: a source of
        events may then run it at once (setting :attr:`now`) instead of scheduling it."""
        if not self._heap:
            return True
        top = self._heap[0]
        return time < top[0] or (time == top[0] and priority < top[1])

    def run_now_or_schedule(self, time: float, priority: int, callback: Callable[[Any], None],
                            arg: Any = None) -> bool:
        """If an event at ``(time, priority)`` comes first (:meth:`comes_first`), make it the current one (set
        :attr:`now`, count it) and return True: the caller runs it inline, with no push and no pop. Otherwise
        schedule ``callback(arg)`` for it and return False."""
        heap = self._heap
        # comes_first written out: this runs for nearly every row of a replay.
        if not heap or time < heap[0][0] or (time == heap[0][0] and priority < heap[0][1]):
            self.now = time
            self.events += 1
            return True
        self.schedule(time, priority, callback, arg)
        return False

    def step(self) -> None:
        """Process the next event.

        Raises
        ------
        IndexError
            If no event is scheduled.
        """
        time, _, _, callback, arg = heapq.heappop(self._heap)
        self.now = time
        self.events += 1
        callback(arg)

    def run(self, until: float | None = None) -> None:
        """Process events until none is left, or until the next one is later than ``until``.

        Events at exactly ``until`` are processed; afterwards :attr:`now` is ``until`` (if given).
        """
        heap = self._heap
        pop = heapq.heappop
        limit = math.inf if until is None else until
        if until is not None and not until >= self.now:
            raise ConfigError(f"until must be >= now ({self.now!r}), got {until!r}")
        n = 0
        try:
            while heap and heap[0][0] <= limit:
                time, _, _, callback, arg = pop(heap)
                self.now = time
                n += 1
                callback(arg)
        finally:
            self.events += n
        if until is not None:
            self.now = until
