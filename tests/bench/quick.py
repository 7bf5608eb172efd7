"""Quick mode for every benchmark: ``BENCH_QUICK=1`` shrinks the input and runs once.

The test suite runs each benchmark this way (``tests/bench/test_benchmarks_run.py``), so
that a benchmark that no longer runs fails the build. Figures printed in quick mode prove
only that the benchmark runs: the full sizes of ``make bench`` are the ones that count.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

QUICK = os.environ.get("BENCH_QUICK", "") == "1"


def sized(full: T, quick: T) -> T:
    """``quick`` in quick mode, else ``full``."""
    return quick if QUICK else full
