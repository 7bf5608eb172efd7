"""``make bench``: run every ``bench_*.py`` here and collect their verdict lines.

Each benchmark prints its raw times, then one line per figure:
``NAME: VALUE (target OP BOUND) ok`` or ``... MISS``. This runner repeats
those lines at the end as a summary. It exits 0 either way: benchmarks
inform, tests decide.

``--quick`` runs every benchmark in its quick mode (``BENCH_QUICK=1``: small inputs, one
run, see ``quick.py``) and exits 1 when one of them fails to run or prints no figure.
The timings it prints then mean nothing; that the benchmarks still run is the point.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VERDICT = re.compile(r"^\S+: .+\(target .+\) (ok|MISS)\s*$")
# Run only when named (``make bench-scale``): seeding 10,000 projects takes minutes.
# Quick mode runs them like the others.
ON_DEMAND = {"bench_scale"}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = {arg for arg in argv if arg != "--quick"}
    scripts = sorted(
        p
        for p in HERE.glob("bench_*.py")
        if p.stem in wanted or (not wanted and (quick or p.stem not in ON_DEMAND))
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-000000000")
    env.setdefault("REPOTRACKR_ALLOW_LOCAL_REPOS", "true")
    env.setdefault("STATIC_MANIFEST", "false")
    if quick:
        env["BENCH_QUICK"] = "1"
    sys.path.insert(0, str(ROOT))
    from repotrackr import embedded_redis

    redis_proc = None
    if not env.get("REDIS_URL"):
        url, redis_proc = embedded_redis.start_embedded_redis(Path(tempfile.mkdtemp()))
        env["REDIS_URL"] = url.rsplit("/", 1)[0] + "/12"
    try:
        verdicts = _run(scripts, env)
    finally:
        embedded_redis.stop(redis_proc)
    print("\n== summary")
    print("\n".join(verdicts))
    broken = [line for line in verdicts if "failed to run" in line or "printed no figure" in line]
    return 1 if quick and broken else 0


def _run(scripts: list[Path], env: dict) -> list[str]:
    verdicts: list[str] = []
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stdout.write(proc.stderr[-3000:])
            verdicts.append(
                f"{script.stem}: failed to run (exit {proc.returncode}) (target runs) MISS"
            )
        verdicts += [line for line in proc.stdout.splitlines() if VERDICT.match(line)]
    return verdicts


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
