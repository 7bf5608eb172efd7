"""The work-horse's RSS watchdog, run in this process on real allocations."""

from __future__ import annotations

import time

import psutil
import pytest

from jobs.errors import classify_error
from jobs.memory_guard import MemoryLimitError, memory_watchdog

MB = 1024 * 1024


def _rss() -> int:
    return psutil.Process().memory_info().rss


def test_growing_past_the_limit_raises_in_the_watched_thread():
    hog: list[bytearray] = []
    limit = _rss() + 40 * MB
    with pytest.raises(MemoryLimitError, match=f"memory limit of {limit / MB:.0f} MB"):
        with memory_watchdog(limit_bytes=limit, interval=0.01):
            for _ in range(2000):  # up to 2 GB, never reached
                hog.append(bytearray(MB))
                time.sleep(0.001)
    assert 40 <= len(hog) < 400
    hog.clear()


def test_a_job_under_the_limit_is_left_alone_and_nothing_lands_later():
    with memory_watchdog(limit_bytes=_rss() + 500 * MB, interval=0.01):
        total = sum(range(100_000))
    time.sleep(0.1)
    assert total == 4999950000


def test_a_zero_limit_starts_no_watchdog():
    import threading

    before = threading.active_count()
    with memory_watchdog(limit_bytes=0):
        assert threading.active_count() == before


def test_the_memory_error_is_a_permanent_job_error_with_its_message():
    error = classify_error(MemoryLimitError(512 * MB))
    assert error.retryable is False
    assert error.message == "the job used more than its memory limit of 512 MB and was stopped"
