"""Notification fan-out against bare RQ: 1,000 projects change status, each tells its channel.

Run: python tests/bench/bench_notify.py [--projects 1000] [--runs 5]

Uses REDIS_URL when set (a database of its own is emptied: /15), else an
embedded redis-server; a throwaway SQLite database; one forking worker
(RepoTrackr's worker class) in burst mode; a real HTTP receiver on
127.0.0.1 in this process. Each project has an owner with one webhook
channel. Prints the raw medians, then:
- notify_fanout_ratio: bare RQ no-op jobs enqueued and drained by the same
  kind of worker ÷ the fan-out (the refresh-end receiver run for every
  project: failure streak, transition, one delivery row per channel, jobs
  enqueued; then every delivery signed, POSTed and logged) (≥ 0.5).
Medians of ``--runs`` runs, the two sides alternating.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from bench_jobs import drain, line, setup_environment  # noqa: E402
from quick import sized  # noqa: E402


class _Counter(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=sized(1000, 40))
    parser.add_argument("--runs", type=int, default=sized(5, 1))
    options = parser.parse_args()
    os.environ["REPOTRACKR_ALLOW_LOCAL_NOTIFY"] = "true"
    with tempfile.TemporaryDirectory(prefix="repotrackr-bench-notify-") as tmp_name:
        proc = setup_environment(Path(tmp_name))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            run(options, f"http://127.0.0.1:{server.server_address[1]}/hook")
        finally:
            server.shutdown()
            if proc is not None:
                from repotrackr import embedded_redis

                embedded_redis.stop(proc)


def run(options, hook_url: str) -> None:
    from django.contrib.auth import get_user_model

    from jobs.queues import get_queue
    from notifications.models import Delivery, DeliveryStatus
    from notifications.services import channel_create, refresh_outcome_announce
    from projects.models import Project
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis

    conn = get_redis()
    conn.flushdb()
    users = get_user_model().objects
    projects = []
    for i in range(options.projects):
        user = users.create_user(f"bench{i}")  # no password: hashing 1,000 would dominate setup
        channel_create(
            owner=user, kind="webhook", target=hook_url, events=["project.status_changed"]
        )
        projects.append(project_create(owner=user, name=f"p{i}", repo_url=f"/nonexistent/{i}"))
    Project.objects.update(status="yellow", percentage=50.0)

    def bare() -> float:
        queue = get_queue("repotrackr")
        started = time.perf_counter()
        for _ in range(options.projects):
            queue.enqueue("bench_jobs.bare_noop", result_ttl=60)
        return time.perf_counter() - started + drain(1)

    def ours(run_no: int) -> float:
        before = _Counter.received
        Project.objects.update(status="green", percentage=80.0)
        started = time.perf_counter()
        for project in projects:
            refresh_outcome_announce(
                None,
                project_id=project.pk,
                job_id=f"bench-{run_no}-{project.pk}",
                succeeded=True,
                before={"status": "yellow", "percentage": 50.0, "is_stale": False},
                result={"unchanged": True},
            )
        elapsed = time.perf_counter() - started + drain(1)
        delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
        received = _Counter.received - before
        Delivery.objects.all().delete()
        Project.objects.update(status="yellow", percentage=50.0)
        assert delivered == received == options.projects, (
            f"{delivered} delivered, {received} received of {options.projects}"
        )
        return elapsed

    bare_all, ours_all = [], []
    for run_no in range(options.runs):
        bare_all.append(bare())
        ours_all.append(ours(run_no))
    bare_t, ours_t = statistics.median(bare_all), statistics.median(ours_all)
    n = options.projects
    print(
        f"bare RQ no-op: {n} jobs, median {bare_t:.3f}s ({n / bare_t:.1f}/s) "
        f"runs {[round(t, 3) for t in bare_all]}"
    )
    print(
        f"notification fan-out: {n} projects -> {n} deliveries, median {ours_t:.3f}s "
        f"({n / ours_t:.1f}/s) runs {[round(t, 3) for t in ours_all]}"
    )
    print(line("notify_fanout_ratio", bare_t / ours_t, ">=", 0.5))
    conn.flushdb()


if __name__ == "__main__":
    main()
