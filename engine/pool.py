"""Worker processes that stop when the run stops.

Every command that spreads work over processes (``run``, ``study``, ``paper --engine event``, ``sweep``) uses
:class:`WorkerPool`, so they all behave alike:

- Ctrl-C is the parent's to handle: workers ignore SIGINT, and the parent, on any exception (KeyboardInterrupt
  included), terminates the workers at once instead of letting them finish the queued work;
- a worker whose parent dies (SIGKILL, a crash) exits within a fraction of a second instead of running on as an
  orphan (it watches its parent's pid);
- at most a window of tasks is queued, so the results waiting in the parent stay bounded.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator

#: Seconds to wait for terminated workers, and then for the pool's manager thread, to finish.
SHUTDOWN_WAIT_S = 5.0
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
#: How often a worker checks that its parent is still alive, seconds.
PARENT_CHECK_S = 0.2


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)  # the parent is gone: nobody will read our result


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not run the parent's SIGTERM handler
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by the parent while it started us
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class WorkerPool:
    """Local worker processes behind a small interface: :meth:`submit`, :meth:`first_done`, :meth:`close`, and
    :meth:`ordered` to stream results in order.

    Parameters
    ----------
    workers : int
        Number of processes (>= 1).
    """

    def __init__(self, workers: int) -> None:
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                                           initargs=(os.getpid(),))
        self.slots = workers
        self._started = False

    def submit(self, fn: Callable, *args) -> concurrent.futures.Future:
        if self._started:
            return self.pool.submit(fn, *args)
        # The first submit starts the workers. Ctrl-C or SIGTERM landing in a worker before its initializer ran
        # would kill it and break the pool, so the signals stay blocked (held, not lost) until it has run.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            future = self.pool.submit(fn, *args)
            self._started = True
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return future

    @staticmethod
    def first_done(futures) -> set:
        """The futures of ``futures`` that are done, waiting for at least one."""
        return concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED).done

    def close(self, interrupted: bool) -> None:
        """Shut the pool down; ``interrupted``: terminate the workers now, dropping the work in flight."""
        if not interrupted:
            self.pool.shutdown(wait=True)
            return
        # concurrent.futures has no "stop now": terminate the workers ourselves. A worker killed while sending a
        # result leaves the pool's manager thread waiting for the rest of the message, and the interpreter then
        # waits for that thread at exit, forever. Closing our copy of the result pipe's writing end (the workers'
        # copies died with them) ends that wait: the manager sees a broken pool and cleans up.
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        manager = getattr(self.pool, "_executor_manager_thread", None)
        results = getattr(self.pool, "_result_queue", None)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(SHUTDOWN_WAIT_S)
        if results is not None:
            results._writer.close()
        self.pool.shutdown(wait=False, cancel_futures=True)
        if manager is not None:
            manager.join(SHUTDOWN_WAIT_S)

    def ordered(self, fn: Callable, tasks: Iterable[tuple], window: int | None = None) -> Iterator:
        """Yield ``fn(*task)`` for each task, in the tasks' order, with at most ``window`` (default twice the
        workers) submitted and not yet yielded. Closes the pool when done; if the loop stops early (an error,
        Ctrl-C, the consumer leaving), the workers are terminated."""
        tasks = iter(tasks)
        pending = deque(self.submit(fn, *task) for task in itertools.islice(tasks, window or 2 * self.slots))
        interrupted = True
        try:
            while pending:
                result = pending.popleft().result()
                task = next(tasks, None)
                if task is not None:
                    pending.append(self.submit(fn, *task))
                yield result
            interrupted = False
        finally:
            self.close(interrupted)
