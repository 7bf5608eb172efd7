"""Skills extraction benchmark: time and memory against the floor of DESIGN.md.

Usage: python tests/bench/bench_skills.py

The floor is a plain walk of the same generated tree that reads what the
engine must read, with no parsing: every manifest whole, the first
``DEFAULT_MAX_BYTES`` of every file the import scan reads (Python, JS/TS and
Go sources outside tests and vendored folders, at most ``DEFAULT_MAX_FILES``),
and the first KiB of every other file. The catalogue is already loaded. Both
are timed in the same run, interleaved, median of 5 after one warm-up each.
Peak RSS is measured in a fresh subprocess that loads the catalogue and runs
one extraction (``resource.getrusage``). A last figure times the parse of a
package.json with 10,000 dependencies (line numbers in one pass). Prints the
raw times, then one line per figure: ``NAME: VALUE (target OP BOUND) ok|MISS``.
Exits 0 either way.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quick import sized  # noqa: E402

RUNS = sized(5, 1)
RATIO_TARGET = 2.0
RSS_TARGET_MB = 150.0
BIG_MANIFEST_DEPS = sized(10_000, 2_000)
BIG_MANIFEST_TARGET_S = 0.5


def floor(root: Path, manifests: set[str]) -> int:
    """Walk, read every manifest whole, the import-scan heads, and the first KiB of the rest."""
    from skills.core import imports
    from skills.core.languages import is_excluded_path

    total = 0
    scanned = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if rel in manifests:
                size = -1
            elif (
                scanned < imports.DEFAULT_MAX_FILES
                and imports.is_candidate(rel)
                and not is_excluded_path(rel)
            ):
                scanned += 1
                size = imports.DEFAULT_MAX_BYTES
            else:
                size = 1024
            with open(full, "rb") as fh:
                total += len(fh.read(size))
    return total


def extract(root: Path, catalogue) -> int:
    from projects.core.source import DirectorySource
    from skills.core.extract import extract_skills

    return len(extract_skills(DirectorySource(root), catalogue=catalogue).skills)


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def peak_rss_mb(root: Path) -> float:
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[2]);"
        "from projects.core.source import DirectorySource;"
        "from skills.core.catalogue import cached_catalogue;"
        "from skills.core.extract import extract_skills;"
        "extract_skills(DirectorySource(sys.argv[1]), catalogue=cached_catalogue());"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip()) / 1024  # Linux reports KiB


def main() -> None:
    from gen_skills_tree import generate

    from skills.core.catalogue import cached_catalogue

    catalogue = cached_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifests = set(generate(root, total_files=sized(5_000, 300)))
        floor(root, manifests)  # warm the page cache for both
        extract(root, catalogue)
        floor_times, ours_times = [], []
        for _ in range(RUNS):
            floor_times.append(timed(floor, root, manifests))
            ours_times.append(timed(extract, root, catalogue))
        floor_median = statistics.median(floor_times)
        ours_median = statistics.median(ours_times)
        print(
            "skills_floor_s:",
            " ".join(f"{t:.4f}" for t in floor_times),
            f"median {floor_median:.4f}",
        )
        print(
            "skills_extract_s:",
            " ".join(f"{t:.4f}" for t in ours_times),
            f"median {ours_median:.4f}",
        )
        ratio = ours_median / floor_median
        print(
            f"skills_ratio: {ratio:.2f} (target <= {RATIO_TARGET:g}) {'ok' if ratio <= RATIO_TARGET else 'MISS'}"
        )
        rss = peak_rss_mb(root)
        print(
            f"skills_peak_rss_mb: {rss:.1f} (target < {RSS_TARGET_MB:g}) {'ok' if rss < RSS_TARGET_MB else 'MISS'}"
        )
    big = big_manifest_seconds(BIG_MANIFEST_DEPS)
    print(
        f"skills_big_package_json_s: {big:.3f} for {BIG_MANIFEST_DEPS} dependencies "
        f"(target <= {BIG_MANIFEST_TARGET_S:g}) {'ok' if big <= BIG_MANIFEST_TARGET_S else 'MISS'}"
    )


def big_manifest_seconds(count: int) -> float:
    """Median CPU seconds to parse a package.json with ``count`` dependencies."""
    from skills.core.manifests import node

    deps = {f"pkg-{i}": "^1.0.0" for i in range(count)}
    data = json.dumps({"dependencies": deps}, indent=2).encode()
    times = []
    for _ in range(3):
        started = time.process_time()
        node.parse("package.json", data)
        times.append(time.process_time() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main()
