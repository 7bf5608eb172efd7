"""Time the dashboard and the project page against rendering their templates alone.

Run: python tests/bench/bench_pages.py [--projects 1000] [--tasks 5000] [--phases 50] [--runs 50]

Builds a throwaway SQLite database with ``--projects`` projects for one user
(20 tasks in 4 phases and 5 skills each) and one more project with
``--tasks`` tasks in ``--phases`` phases. Then, per page: the p50 of the full
request through Django's handler (middleware, session, queries, shaping,
rendering) ÷ the p50 of rendering the same template from the same context
already in memory. Prints the raw times and query counts, and what a
login-required page costs before doing any work of its own (the part of
the ratio no page can avoid), then:
``dashboard_ratio``, ``project_page_ratio`` and ``phase_tasks_ratio`` (one
phase of the large plan, loaded when opened), each against a target of 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from quick import sized  # noqa: E402  (the script's folder is on sys.path)

TARGET = 1.5


def _setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["REPOTRACKR_VAR_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-000000000")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "repotrackr.settings")
    import warnings

    import django
    from django.core.management import call_command

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here

    django.setup()
    call_command("migrate", verbosity=0)


def _populate(*, projects: int, tasks: int, phases: int):
    from django.contrib.auth import get_user_model

    from projects.models import ProgressSnapshot, Project, Task, TaskStatus
    from skills.models import Skill, SkillCategory

    user = get_user_model().objects.create_user("bench", password="bench-Pass-123")
    cycle = [
        TaskStatus.DONE,
        TaskStatus.DONE,
        TaskStatus.DOING,
        TaskStatus.TODO,
        TaskStatus.BLOCKED,
    ]
    rows = Project.objects.bulk_create(
        [
            Project(
                owner=user,
                name=f"Project {i:04}",
                repo_url=f"https://github.com/acme/p{i}",
                percentage=(i * 7) % 100,
                total_tasks=20,
                done_tasks=(i * 7) % 20,
            )
            for i in range(projects)
        ]
    )
    Task.objects.bulk_create(
        [
            Task(
                project=p,
                title=f"Task {j}",
                status=cycle[j % 5],
                phase=f"Phase {j // 5}",
                phase_index=j // 5,
                file_path="PLAN.md",
                line=j + 1,
                order=j,
            )
            for p in rows
            for j in range(20)
        ],
        batch_size=5000,
    )
    # One snapshot per project with per-phase counts, as each successful refresh leaves.
    phase_counts = [
        {
            "title": f"Phase {k}",
            "total": 5,
            "done": 2,
            "doing": 1,
            "blocked": 1,
            "todo": 1,
            "percentage": 40.0,
        }
        for k in range(4)
    ]
    ProgressSnapshot.objects.bulk_create(
        [
            ProgressSnapshot(
                project=p, total=20, done=8, percentage=40.0, status="yellow", phases=phase_counts
            )
            for p in rows
        ],
        batch_size=5000,
    )
    names = ["Python", "Django", "PostgreSQL", "Docker", "GitHub Actions", "React", "Go", "Redis"]
    cats = [
        SkillCategory.LANGUAGE,
        SkillCategory.FRAMEWORK,
        SkillCategory.DATABASE,
        SkillCategory.INFRASTRUCTURE,
        SkillCategory.CI_CD,
        SkillCategory.FRAMEWORK,
        SkillCategory.LANGUAGE,
        SkillCategory.DATABASE,
    ]
    Skill.objects.bulk_create(
        [
            Skill(
                project=p,
                name=names[(i + k) % 8],
                category=cats[(i + k) % 8],
                confidence=0.9,
                evidence=[{"file": "pyproject.toml", "line": k + 1}],
            )
            for i, p in enumerate(rows)
            for k in range(5)
        ],
        batch_size=5000,
    )
    big = Project.objects.create(
        owner=user,
        name="Big plan",
        repo_url="https://github.com/acme/big",
        last_commit_sha="0123456789abcdef0123456789abcdef01234567",
    )
    per = tasks // phases
    Task.objects.bulk_create(
        [
            Task(
                project=big,
                title=f"Task {j} with a longer title like a real plan has",
                status=cycle[j % 5],
                phase=f"Phase {j // per + 1}",
                phase_index=j // per,
                depth=j % 3,
                file_path="docs/plan.md",
                line=j + 3,
                order=j,
            )
            for j in range(tasks)
        ],
        batch_size=5000,
    )
    # As a refresh stores it: the counts on the project, the phases in a snapshot.
    statuses = [cycle[j % 5] for j in range(tasks)]
    big_phases = [
        {
            "title": f"Phase {k + 1}",
            **{
                st: statuses[k * per : (k + 1) * per].count(st)
                for st in ("done", "doing", "blocked", "todo")
            },
            "total": per,
        }
        for k in range(phases)
    ]
    done = statuses.count("done")
    Project.objects.filter(pk=big.pk).update(
        total_tasks=tasks, done_tasks=done, percentage=round(100 * done / tasks, 1)
    )
    ProgressSnapshot.objects.create(
        project=big,
        total=tasks,
        done=done,
        percentage=round(100 * done / tasks, 1),
        status="yellow",
        phases=big_phases,
    )
    big.refresh_from_db()
    return user, big


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _captured(client, url: str):
    """The response's template name and context, captured once through the test instrumentation."""
    from django.test.utils import ContextList, setup_test_environment, teardown_test_environment

    setup_test_environment()
    try:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        context = response.context
        first = context[0] if isinstance(context, ContextList) else context
        return response.templates[0].name, first.flatten(), response.wsgi_request
    finally:
        teardown_test_environment()


def _p50s(first, second, runs: int) -> tuple[float, float]:
    """Medians of ``first`` and ``second``, run alternately so that load on the machine hits both alike."""
    for _ in range(3):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for func, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            func()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _queries_of(func) -> list[tuple[str, float]]:
    """The SQL statements ``func`` runs, with their times, whatever connection it opens."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    seen: list[tuple[str, float]] = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((sql, time.perf_counter() - start))

    def wrap(sender, connection, **kwargs):
        connection.execute_wrappers.append(record)

    connection_created.connect(wrap)
    connection.execute_wrappers.append(record)
    try:
        func()
    finally:
        connection_created.disconnect(wrap)
        if record in connection.execute_wrappers:
            connection.execute_wrappers.remove(record)
    return seen


def _measure(name: str, client, url: str, runs: int) -> float:
    from django.template.loader import get_template

    template_name, context, request = _captured(client, url)
    template = get_template(template_name)
    queries = _queries_of(lambda: client.get(url))
    floor_queries = _queries_of(lambda: template.render(context, request))

    def serve():
        response = client.get(url)
        assert response.status_code == 200

    server, floor = _p50s(serve, lambda: template.render(context, request), runs)
    print(
        f"{name}: server p50 {server * 1000:.2f} ms, template-only p50 {floor * 1000:.2f} ms, "
        f"queries {len(queries)} (template-only {len(floor_queries)})"
    )
    if os.environ.get("BENCH_VERBOSE"):
        for sql, seconds in queries:
            print(f"    {seconds * 1000:7.2f} ms  {sql[:150]}")
    return server / floor


def _request_floor(client, runs: int) -> None:
    """For reading the ratios: what any logged-in page costs before doing anything of its own."""
    missing = "/projects/00000000-0000-0000-0000-000000000000/phase-tasks/"

    def not_found():
        assert client.get(missing).status_code == 404

    def live():
        assert client.get("/health/live").status_code == 200

    import logging

    logging.disable(logging.WARNING)  # the 404s would log a line each
    try:
        floor_404, floor_live = _p50s(not_found, live, runs)
    finally:
        logging.disable(logging.NOTSET)
    print(
        f"request floor: login-required 404 p50 {floor_404 * 1000:.2f} ms "
        f"(session, user, one query, a small template); /health/live p50 {floor_live * 1000:.2f} ms"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=sized(1000, 60))
    parser.add_argument("--tasks", type=int, default=sized(5000, 200))
    parser.add_argument("--phases", type=int, default=sized(50, 5))
    parser.add_argument("--runs", type=int, default=sized(50, 3))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="repotrackr-bench-pages-") as tmp:
        _setup_django(Path(tmp))
        user, big = _populate(projects=args.projects, tasks=args.tasks, phases=args.phases)
        client = _client(user)
        _request_floor(client, args.runs)
        figures = {
            "dashboard_ratio": _measure("dashboard (page 1 of 50)", client, "/", args.runs),
            "project_page_ratio": _measure(
                f"project page ({args.tasks} tasks)", client, f"/projects/{big.pk}/", args.runs
            ),
            "phase_tasks_ratio": _measure(
                "one phase's tasks",
                client,
                f"/projects/{big.pk}/phase-tasks/?phase_index=1",
                args.runs,
            ),
        }
        for name, ratio in figures.items():
            print(f"{name}: {ratio:.2f} (target <= {TARGET}) {'ok' if ratio <= TARGET else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
