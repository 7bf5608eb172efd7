"""Git bomb benchmark: the peak memory and time of reading a repository built to explode.

Usage: python tests/bench/bench_git_bomb.py [--quick]   (or BENCH_QUICK=1)

Builds a bomb (``gen_git_bomb``: 10 ** 8 paths in a few KB; ``--quick``:
10 ** 6), then, in a fresh subprocess, does what a refresh job does with it:
the hardened shallow clone, plan discovery on the capped listing and the
skills scan (which must stop with "the repository has more than N files"),
with the default caps. Peak RSS is that subprocess's own or its largest
git child's (``resource.getrusage``), whichever is higher. Prints the raw
figures, then one line per figure: ``NAME: VALUE (target OP BOUND) ok|MISS``.
Exits 0 either way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PEAK_TARGET_MB = 1024.0
SECONDS_TARGET = 10.0

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from projects.core.git_remote import make_clone_dir, shallow_clone
from projects.core.git_source import GitCommitSource
from projects.core.plan_discovery import load_plan
from projects.core.source import TooManyFilesError
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills

catalogue = cached_catalogue()
bomb, work = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
clone = shallow_clone(f"file://{bomb}", dest=make_clone_dir(work), timeout=120,
                      max_bytes=500 * 2**20, allow_local=True, memory_limit_bytes=2 * 2**30)
with GitCommitSource(clone.path, clone.sha, git_memory_bytes=2 * 2**30) as source:
    loaded = load_plan(source)
    try:
        extract_skills(source, catalogue=catalogue)
        error = ""
    except TooManyFilesError as exc:
        error = str(exc)
elapsed = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_kib": max(own, children), "error": error,
                  "plan": list(loaded.files), "tasks": len(loaded.plan.tasks)}))
"""


def main(argv: list[str]) -> int:
    quick = "--quick" in argv or os.environ.get("BENCH_QUICK") == "1"
    levels = 6 if quick else 8
    from gen_git_bomb import build_git_bomb, repository_bytes

    with tempfile.TemporaryDirectory() as tmp:
        bomb = build_git_bomb(Path(tmp) / "bomb.git", levels=levels, fanout=10)
        size = repository_bytes(bomb)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.setdefault("DJANGO_SETTINGS_MODULE", "repotrackr.settings")
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(bomb), tmp],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        sys.stdout.write(done.stderr[-3000:])
        print("git_bomb_peak_rss_mb: failed (target <= 1024) MISS")
        return 0
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    peak_mb = figures["peak_kib"] / 1024
    print(
        f"bomb: {10**levels} paths in {size} bytes; plan {figures['plan']}, "
        f"{figures['tasks']} tasks; skills scan: {figures['error'] or 'no error'}"
    )
    print(f"raw: seconds={figures['seconds']:.3f} peak_kib={figures['peak_kib']}")
    stopped = figures["error"].startswith("the repository has more than")
    print(
        f"git_bomb_peak_rss_mb: {peak_mb:.1f} (target <= {PEAK_TARGET_MB:g}) "
        f"{'ok' if peak_mb <= PEAK_TARGET_MB and stopped else 'MISS'}"
    )
    print(
        f"git_bomb_seconds: {figures['seconds']:.2f} (target <= {SECONDS_TARGET:g}) "
        f"{'ok' if figures['seconds'] <= SECONDS_TARGET else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main(sys.argv[1:]))
