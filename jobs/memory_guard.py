"""An RSS watchdog for the work-horse: a job that grows past a limit fails cleanly.

``RLIMIT_AS`` cannot guard the Python work-horse (idle threads and shared
libraries reserve hundreds of MB of address space it never touches), so git
children get that limit and the horse gets this instead: a thread that
samples the process's resident memory and, past the limit, raises
``MemoryLimitError`` in the thread running the job. The job then unwinds
like any failure: clones are removed, nothing is stored, and the record says
why. Should the job be stuck in C code where no Python exception can land,
the watchdog records the failure itself and kills its own work-horse after
a grace period (only in a forked work-horse: never in a process that also
runs the worker or the tests).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil

logger = logging.getLogger(__name__)

#: Set in a forked work-horse; only there may the watchdog kill its process.
IN_WORK_HORSE = False


class MemoryLimitError(Exception):
    """The job's process used more resident memory than the limit allows."""

    #: The limit to name when raised without arguments (as an async exception is).
    default_limit: int = 0

    def __init__(self, limit_bytes: int | None = None) -> None:
        limit = self.default_limit if limit_bytes is None else limit_bytes
        shown = f" of {limit / 1_048_576:.0f} MB" if limit else ""
        super().__init__(f"the job used more than its memory limit{shown} and was stopped")
        self.limit_bytes = limit


def _raise_in(thread_id: int, limit_bytes: int | None) -> None:
    """Schedule ``MemoryLimitError`` in ``thread_id``; ``None`` cancels a pending one.

    Python offers no public way to interrupt another thread; the C API's
    asynchronous exception lands at the thread's next bytecode. Only a class
    can be scheduled, so the limit travels as a class attribute.
    """
    error = None
    if limit_bytes is not None:
        error = type("MemoryLimitError", (MemoryLimitError,), {"default_limit": limit_bytes})
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(error) if error is not None else None
    )


@contextmanager
def memory_watchdog(
    *,
    limit_bytes: int,
    interval: float = 0.05,
    grace_seconds: float = 5.0,
    on_hard_limit: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Watch this process's RSS while the block runs; 0 disables the watch.

    Past ``limit_bytes`` the thread that entered the block gets a
    ``MemoryLimitError``. If it is still over the limit ``grace_seconds``
    later and this is a forked work-horse, ``on_hard_limit(message)`` runs
    and the process is killed.
    """
    if limit_bytes <= 0:
        yield
        return
    target = threading.get_ident()
    done = threading.Event()
    process = psutil.Process()

    def watch() -> None:
        raised_at: float | None = None
        elapsed = 0.0
        while not done.wait(interval):
            elapsed += interval
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                return
            if rss <= limit_bytes:
                continue
            if raised_at is None:
                logger.warning("Job memory %d bytes passed the limit %d", rss, limit_bytes)
                raised_at = elapsed
                _raise_in(target, limit_bytes)
            elif elapsed - raised_at >= grace_seconds and IN_WORK_HORSE and not done.is_set():
                message = str(MemoryLimitError(limit_bytes))
                logger.error("Job stuck past its memory limit; killing the work-horse")
                if on_hard_limit is not None:
                    on_hard_limit(message)
                os.kill(os.getpid(), signal.SIGKILL)

    watcher = threading.Thread(target=watch, name="memory-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        _raise_in(target, None)  # one scheduled as the block ended must not land later
