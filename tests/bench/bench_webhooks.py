"""HTTP latency of a signed push delivery that enqueues a refresh, against ``/health/live``.

Run: python tests/bench/bench_webhooks.py [--clients 50] [--seconds 10] [--workers 2]

One gunicorn server (the Procfile's ``--workers 2``), set up as in
``bench_http.py`` (throwaway SQLite database, Redis database /14, rate
limits raised, the webhook budget too). ``--clients`` users each own one
project with a webhook secret and an API token; each client is a thread
sending one request at a time. Three phases, same clients, same duration:

1. ``GET /health/live`` alone (the floor at equal concurrency);
2. enqueue: a GitHub-signed push to the default branch, each with a new
   delivery id, answered 202 "queued" with a new job; the client then
   cancels that job (``DELETE /api/v1/jobs/{id}``, untimed) so that its next
   push enqueues again; one more thread times ``/health/live`` meanwhile;
3. flood: the same pushes without cancelling, so all but the first per
   project answer 202 "deduplicated" with the active job; again with the probe.

``--database-url`` runs it on another (empty) database, e.g. PostgreSQL.

Prints the raw figures, then:
- webhook_p50_ratio: phase 2 p50 ÷ the ``/health/live`` probe's p50 under
  that same load (DESIGN.md's definition; target <= 3);
- webhook_flood_p50_ratio: the same for phase 3;
- webhook_alone_p50_ratio / webhook_flood_alone_p50_ratio: phase 2 and 3
  p50 ÷ phase 1 p50, close to the ratio of service times (the probe of the
  first reading waits in the same backlog as the deliveries, so that reading
  stays near 1 whatever a delivery costs; this one shows the cost);
- webhook_errors: requests that failed or answered otherwise than expected.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))
from bench_http import Tally, bench_environment, line, run_phase, start_gunicorn  # noqa: E402
from quick import sized  # noqa: E402  (the script's folder is on sys.path)

PUSH = json.dumps(
    {
        "ref": "refs/heads/main",
        "before": "1" * 40,
        "after": "2" * 40,
        "repository": {"full_name": "bench/demo", "default_branch": "main"},
        "commits": [{"id": "2" * 40, "message": "Tick a task"}],
    }
).encode()


def seed(env: dict[str, str], clients: int) -> list[dict[str, str]]:
    """Migrate, empty Redis; per client a user, a project with a webhook secret, an API token."""
    import os

    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from accounts.services import api_token_create
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis
    from webhooks.services import webhook_endpoint_get_or_create

    call_command("migrate", verbosity=0)
    get_redis().flushdb()
    seeded = []
    for i in range(clients):
        user = get_user_model().objects.create_user(f"hook{i}", password="bench-pw-123")
        project = project_create(owner=user, name=f"hook {i}", repo_url=f"/srv/bench/{i}")
        _, secret = webhook_endpoint_get_or_create(project=project)
        _, token = api_token_create(user=user, name="bench")
        seeded.append({"project_id": str(project.id), "secret": secret, "token": token})
    connections.close_all()
    return seeded


def post_push(port: int, client: dict[str, str]) -> tuple[int, bytes]:
    from webhooks.providers import github

    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": github.sign(PUSH, client["secret"]),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", f"/webhooks/{client['project_id']}/", body=PUSH, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def cancel(port: int, client: dict[str, str], job_id: str) -> None:
    from bench_http import request

    request(port, "DELETE", f"/api/v1/jobs/{job_id}", client["token"])


def measure(port: int, clients: list[dict[str, str]], seconds: float) -> dict[str, Tally]:
    import time

    from bench_http import timed

    def live(client, tally):
        took, status, _ = timed(port, "GET", "/health/live")
        tally.add(took, status, "" if status == 200 else f"status {status}")

    def enqueue(client, tally):
        started = time.perf_counter()
        status, body = post_push(port, client)
        took = time.perf_counter() - started
        answer = json.loads(body) if body.startswith(b"{") else {}
        if status == 202 and answer.get("verdict") == "queued":
            tally.add(took, status)
        else:
            tally.add(None, status, f"status {status}: {body[:200]!r}")
        if answer.get("job_id"):
            cancel(port, client, answer["job_id"])

    def flood(client, tally):
        started = time.perf_counter()
        status, body = post_push(port, client)
        took = time.perf_counter() - started
        ok = status == 202 and json.loads(body).get("verdict") in ("queued", "deduplicated")
        tally.add(took, status, "" if ok else f"status {status}: {body[:200]!r}")

    def probe(tally):
        live(None, tally)

    results = {"live": run_phase(clients, seconds, live)[0]}
    results["enqueue"], results["live_during_enqueue"] = run_phase(clients, seconds, enqueue, probe)
    results["flood"], results["live_during_flood"] = run_phase(clients, seconds, flood, probe)
    return results


def report(results: dict[str, Tally], options) -> None:
    print(f"clients={options.clients} seconds={options.seconds} gunicorn_workers={options.workers}")
    print(results["live"].summary("live_get (alone)"))
    print(
        results["enqueue"].summary(
            "webhook_enqueue_post (202 queued only; each followed by an untimed DELETE)"
        )
    )
    print(results["live_during_enqueue"].summary("live_get (probe during webhook_enqueue_post)"))
    print(results["flood"].summary("webhook_flood_post (202 deduplicated)"))
    print(results["live_during_flood"].summary("live_get (probe during webhook_flood_post)"))
    for name, tally in results.items():
        for error in tally.errors[:3]:
            print(f"  {name} error: {error}")
    enqueue, flood = results["enqueue"].quantile(0.5), results["flood"].quantile(0.5)
    alone = results["live"].quantile(0.5)
    print(
        line("webhook_p50_ratio", enqueue / results["live_during_enqueue"].quantile(0.5), "<=", 3)
    )
    print(
        line("webhook_flood_p50_ratio", flood / results["live_during_flood"].quantile(0.5), "<=", 3)
    )
    print(line("webhook_alone_p50_ratio", enqueue / alone, "<=", 3))
    print(line("webhook_flood_alone_p50_ratio", flood / alone, "<=", 3))
    errors = len(results["enqueue"].errors) + len(results["flood"].errors)
    print(line("webhook_errors", errors, "<=", 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=sized(50, 4))
    parser.add_argument("--seconds", type=float, default=sized(10.0, 1.0))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database to use instead of the throwaway SQLite file (e.g. PostgreSQL)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="repotrackr-bench-webhooks-") as tmp_name:
        env, redis_proc = bench_environment(Path(tmp_name))
        # Benchmarks raise the limits (DESIGN.md "Performance stance").
        env["WEBHOOK_RATE_LIMIT"] = "100000000/60"
        if options.database_url:
            env["DATABASE_URL"] = options.database_url
        server = None
        try:
            clients = seed(env, options.clients)
            server, port = start_gunicorn(env, options.workers)
            report(measure(port, clients, options.seconds), options)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if redis_proc is not None:
                from repotrackr import embedded_redis

                embedded_redis.stop(redis_proc)


if __name__ == "__main__":
    main()
