"""Parser benchmark: parse_plan on the generated 5 MB plan against a bare event loop.

Prints the raw medians, then ``parser_ratio: VALUE (target <= 3) ok|MISS``.
Run from the repository root: ``python tests/bench/bench_parser.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyromark  # noqa: E402
from gen_plan import generate_plan  # noqa: E402

from projects.core.plan_parser import parse_plan  # noqa: E402

RUNS = 5
TARGET = 3.0


def _floor(text: str) -> None:
    options = pyromark.Options.ENABLE_TASKLISTS | pyromark.Options.ENABLE_TABLES
    for _event in pyromark.events_with_range(text, options=options):
        pass


def _median(fn, text: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    text = generate_plan()
    plan = parse_plan(text, source_path="docs/plan.md")
    floor = _median(_floor, text)
    parser = _median(lambda t: parse_plan(t, source_path="docs/plan.md"), text)
    ratio = parser / floor
    print(
        f"plan: {len(text.encode()):,} bytes, {len(plan.tasks):,} tasks, {len(plan.headings):,} headings"
    )
    print(f"event loop (floor): {floor:.3f} s  (median of {RUNS})")
    print(f"parse_plan:         {parser:.3f} s  (median of {RUNS})")
    print(f"parser_ratio: {ratio:.2f} (target <= {TARGET:g}) {'ok' if ratio <= TARGET else 'MISS'}")


if __name__ == "__main__":
    main()
