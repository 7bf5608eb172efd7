"""Every benchmark still runs: each one, in quick mode, exits 0 and prints its figures.

A benchmark that no longer runs is a broken build (the jobs benchmark once completed 0 of
its 200 jobs and nobody noticed). Timings are not asserted: quick mode's inputs are too
small to mean anything, and a shared machine would make them flake.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted(p.stem for p in HERE.glob("bench_*.py"))


def test_every_benchmark_is_collected():
    assert {"bench_jobs", "bench_parser", "bench_skills", "bench_pages"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_in_quick_mode(script):
    # Each benchmark starts an embedded Redis of its own, away from the suite's databases.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    proc = subprocess.run(
        [sys.executable, str(HERE / "run_all.py"), "--quick", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    summary = output.split("== summary", 1)[1]
    assert " ok" in summary or "MISS" in summary, output[-4000:]
