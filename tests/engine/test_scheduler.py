"""The scheduler's ordering and run/step/peek contract."""

from __future__ import annotations

import math

import pytest

from engine import ConfigError, Scheduler


def test_events_run_in_time_then_priority_then_fifo_order():
    """Events run by time, then priority, then in the order they were scheduled."""
    s, seen = Scheduler(), []
    s.schedule(2.0, 0, seen.append, "t2")
    s.schedule(1.0, 3, seen.append, "t1-p3-first")
    s.schedule(1.0, 1, seen.append, "t1-p1")
    s.schedule(1.0, 3, seen.append, "t1-p3-second")
    s.schedule(0.5, 9, seen.append, "t0.5")
    s.run()
    assert seen == ["t0.5", "t1-p1", "t1-p3-first", "t1-p3-second", "t2"]
    assert s.events == 5


def test_run_until_processes_events_at_until_and_stops_after():
    """run(until=u) runs every event at time <= u, leaves later ones, and sets now to u."""
    s, seen = Scheduler(), []
    for t in (1.0, 2.0, 3.0):
        s.schedule(t, 0, seen.append, t)
    s.run(until=2.0)
    assert seen == [1.0, 2.0]
    assert s.now == 2.0
    assert s.peek() == 3.0
    s.run(until=2.5)
    assert seen == [1.0, 2.0] and s.now == 2.5


def test_events_scheduled_during_a_run_are_processed_in_order():
    """A callback may schedule more events, including at the current instant."""
    s, seen = Scheduler(), []

    def chain(n):
        seen.append((s.now, n))
        if n < 3:
            s.schedule(s.now + (0 if n == 1 else 1), 0, chain, n + 1)

    s.schedule(0.0, 0, chain, 0)
    s.run()
    assert seen == [(0.0, 0), (1.0, 1), (1.0, 2), (2.0, 3)]


def test_peek_and_step():
    """peek gives the next time (inf when empty); step processes exactly one event."""
    s, seen = Scheduler(), []
    assert s.peek() == math.inf
    s.schedule(1.5, 0, seen.append, "a")
    s.schedule(2.5, 0, seen.append, "b")
    assert s.peek() == 1.5
    s.step()
    assert seen == ["a"] and s.now == 1.5 and len(s) == 1
    s.step()
    with pytest.raises(IndexError):
        s.step()


def test_scheduling_in_the_past_or_at_nan_is_refused():
    """An event before now, or at NaN, raises ConfigError."""
    s = Scheduler(start=5.0)
    with pytest.raises(ConfigError, match="before now"):
        s.schedule(4.0, 0, print)
    with pytest.raises(ConfigError):
        s.schedule(math.nan, 0, print)
