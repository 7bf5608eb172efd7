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
from quick import sized  # noqa: E402

from projects.core.plan_parser import parse_plan  # noqa: E402

RUNS = sized(5, 1)
TARGET = 3.0


def _floor(text: str) -> None:
    options = pyromark.Options.ENABLE_TASKLISTS | pyromark.Options.ENABLE_TABLES
    for _event in pyromark.events_with_range(text, options=options):
        pass


def _timed(fn, text: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn(text)
    return time.perf_counter() - wall, time.process_time() - cpu


def _parse(text: str) -> None:
    parse_plan(text, source_path="docs/plan.md")


def main() -> None:
    text = generate_plan(phases=sized(500, 20))
    plan = parse_plan(text, source_path="docs/plan.md")
    # Alternate the two so that a busy machine slows both alike.
    floor, parser = [], []
    for _ in range(RUNS):
        floor.append(_timed(_floor, text))
        parser.append(_timed(_parse, text))
    floor_wall = statistics.median(t[0] for t in floor)
    parser_wall = statistics.median(t[0] for t in parser)
    floor_cpu = statistics.median(t[1] for t in floor)
    parser_cpu = statistics.median(t[1] for t in parser)
    ratio = parser_wall / floor_wall
    print(
        f"plan: {len(text.encode()):,} bytes, {len(plan.tasks):,} tasks, "
        f"{len(plan.headings):,} headings"
    )
    print(f"event loop (floor): {floor_wall:.3f} s wall, {floor_cpu:.3f} s cpu (median of {RUNS})")
    print(
        f"parse_plan:         {parser_wall:.3f} s wall, {parser_cpu:.3f} s cpu (median of {RUNS})"
    )
    print(f"cpu ratio: {parser_cpu / floor_cpu:.2f}")
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"parser_ratio: {ratio:.2f} (target <= {TARGET:g}) {verdict}")


if __name__ == "__main__":
    main()
