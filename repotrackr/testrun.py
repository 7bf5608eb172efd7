"""``make test``: run the suite with a Redis and a database, whatever the machine.

Uses ``REDIS_URL`` when set (it must be reachable), else starts an embedded
redis-server for the run. Uses ``DATABASE_URL`` when set, else SQLite.
Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from repotrackr import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    env = os.environ
    env.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-000000")
    env.setdefault("REPOTRACKR_ALLOW_LOCAL_REPOS", "true")
    env.setdefault("REPOTRACKR_ALLOW_LOCAL_NOTIFY", "true")
    env.setdefault("DJANGO_SETTINGS_MODULE", "repotrackr.settings")
    env.setdefault("STATIC_MANIFEST", "false")
    # The SQLite test database lives in the temporary directory: a directory of
    # this run's own lets two runs in one checkout go side by side.
    run_tmp = Path(tempfile.mkdtemp(prefix="repotrackr-test-run-"))
    # Traversable by other users (not listable): the chaos run's PostgreSQL runs as postgres.
    run_tmp.chmod(0o711)
    env["TMPDIR"] = str(run_tmp)
    proc = None
    url = env.get("REDIS_URL")
    if url:
        if not embedded_redis.redis_reachable(url):
            print(f"REDIS_URL {embedded_redis.redact_url(url)} is not reachable.", file=sys.stderr)
            return 2
    else:
        tmp = Path(tempfile.mkdtemp(prefix="repotrackr-test-redis-"))
        url, proc = embedded_redis.start_embedded_redis(tmp)
        # Tests use Redis databases of their own, from 8 upwards.
        env["REDIS_URL"] = url.rsplit("/", 1)[0] + "/8"
        print(f"Started embedded Redis for the tests at {url}")
    try:
        return subprocess.call([sys.executable, "-m", "pytest", *argv], cwd=BASE_DIR)
    finally:
        embedded_redis.stop(proc)
        shutil.rmtree(run_tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
