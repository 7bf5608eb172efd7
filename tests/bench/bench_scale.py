"""10,000 projects on PostgreSQL: pages against a probe, refresh cost, growth per project.

Run: python tests/bench/bench_scale.py [--runs 30] [--no-template] [--keep]
(``make bench-scale``; ``BENCH_QUICK=1`` seeds 300 projects instead).

Database. With ``DATABASE_URL`` pointing at PostgreSQL the benchmark uses
that server and role, otherwise the machine's (``BENCH_SCALE_PG_URL``,
default ``postgres://postgres@127.0.0.1:5432/postgres``); either way it
works in a database of its own, ``repotrackr_bench_scale_<pid>``, dropped at
the end (``--keep`` leaves it), and never touches the data of the database
named in the URL. The full seed (``scale_seed.py``: SQL, not the ORM) takes
minutes, so it is made once into a template database,
``repotrackr_bench_scale_tpl_<key>``, which later runs copy in seconds;
``<key>`` hashes the seed's code and sizes, so changing either re-seeds and
the stale template is dropped. A copy is migrated forward when migrations
were added since the template was made (an index takes seconds); a template
holding a migration that is gone (renamed, removed) is seeded again. ``--no-template``
seeds the run's database directly and keeps nothing (quick mode always does).

Floor. ``/bench/probe`` (``scale_probe_urls.py``, served only in this
process) does one ``SELECT 1`` and one Redis ``PING``. Pages and the probe go
through Django's test client in this process, so both pass through the same
URL routing and middleware and neither pays for sockets and HTTP parsing:
on a shared two-core machine a loopback HTTP server adds a millisecond or
two of noise to both sides, which would pull every ratio towards 1. Each
page alternates with the probe; its ratio is its p50 over the probe's p50
from the same rounds. Logged-in pages also pay for the session and the user
(two queries) that the probe does not; that is part of what a page costs.

Figures (``NAME: VALUE (target OP BOUND) ok|MISS``):
- ``<page>_ratio`` for the dashboard (staff: all projects), the project page
  of the 5k-task plan (phases load lazily) and one of its phases, the API
  project list, the jobs list, the queue console and a refresh history,
  each ≤ 3;
- ``refresh_post_ratio`` (a POST answered with the job already queued) and
  ``enqueue_ratio`` (a POST that creates and enqueues a job), each ≤ 3;
- the scheduled pass: its time and queries over all projects, and the
  refreshes a day its cap allows against those the projects need;
- worker sizing: wall and CPU seconds of one full refresh and of one
  unchanged refresh of a local repository;
- growth: bytes per project per year of snapshots, refresh history and job
  records, what the retention settings keep per project, and the time of one
  prune pass over all of it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import scale_seed  # noqa: E402  (the script's folder is on sys.path)
from quick import QUICK, sized  # noqa: E402

PAGE_TARGET = 3.0
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TEMPLATE_PREFIX = "repotrackr_bench_scale_tpl_"
# Assumed for the sizing figure: a real forge answers ls-remote in about half a second
# (TLS handshake plus the ref advertisement) and a shallow clone of a small repository
# in about two; local repositories cost neither.
ASSUMED_LS_REMOTE_SECONDS = 0.5
ASSUMED_CLONE_NETWORK_SECONDS = 2.0
ASSUMED_CHANGED_SHARE = 0.1  # of scheduled refreshes that find a new commit


def verdict(name: str, value: float, op: str, bound: float, fmt: str = ".2f") -> str:
    met = value <= bound if op == "<=" else value >= bound
    return f"{name}: {value:{fmt}} (target {op} {bound}) {'ok' if met else 'MISS'}"


# -- the database --------------------------------------------------------------------------


def admin_url() -> str:
    """A URL of the PostgreSQL server to work on, naming its maintenance database."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(url)._replace(path="/postgres"))
    return os.environ.get("BENCH_SCALE_PG_URL", DEFAULT_ADMIN_URL)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_execute(url: str, *statements: str) -> list:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        rows = []
        for statement in statements:
            cur = conn.execute(statement)
            rows = cur.fetchall() if cur.description else []
        return rows


def template_key(sizes: scale_seed.SeedSizes) -> str:
    """What the seeded data depends on: the seed's code and sizes (migrations are checked apart)."""
    digest = hashlib.sha256(sizes.describe().encode())
    digest.update((HERE / "scale_seed.py").read_bytes())
    return digest.hexdigest()[:12]


def migrations_on_disk() -> set[tuple[str, str]]:
    return {(m.parent.parent.name, m.stem) for m in ROOT.glob("*/migrations/0*.py")}


def migrations_applied() -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        local_apps = {m[0] for m in migrations_on_disk()}
        return {row for row in cursor.fetchall() if row[0] in local_apps}


def prepare_database(url: str, run_db: str, sizes, *, use_template: bool) -> str:
    """Create ``run_db`` seeded with ``sizes``; returns how it was made.

    A template made before newer migrations is still used: the copy is
    migrated forward (new indexes take seconds). A template holding a
    migration that no longer exists (renamed or removed) is seeded again.
    """
    from django.core.management import call_command
    from django.db import connections

    if not use_template:
        admin_execute(url, f'CREATE DATABASE "{run_db}"')
        timings = migrate_and_seed(sizes)
        return "seeded directly: " + _timings(timings)
    template = TEMPLATE_PREFIX + template_key(sizes)
    existing = {r[0] for r in admin_execute(url, "SELECT datname FROM pg_database")}
    made = "copied from the template " + template
    if template in existing:
        admin_execute(url, f'CREATE DATABASE "{run_db}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        if migrations_applied() <= migrations_on_disk():
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            return made + f"; migrated forward in {time.perf_counter() - started:.1f} s"
        connections["default"].close()
        admin_execute(url, f'DROP DATABASE "{run_db}"', f'DROP DATABASE "{template}"')
        existing.discard(template)
        made = "template held migrations that are gone; "
    for stale in sorted(n for n in existing if n.startswith(TEMPLATE_PREFIX)):
        admin_execute(url, f'DROP DATABASE IF EXISTS "{stale}"')
    admin_execute(url, f'CREATE DATABASE "{template}"')
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = template
    try:
        timings = migrate_and_seed(sizes)
    except BaseException:
        connection.close()
        admin_execute(url, f'DROP DATABASE IF EXISTS "{template}"')
        raise
    finally:
        connection.close()
        connection.settings_dict["NAME"] = run_db
    started = time.perf_counter()
    admin_execute(url, f'CREATE DATABASE "{run_db}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    made = f"seeded into the new template {template}: " + _timings(timings)
    return made + f"; copy {time.perf_counter() - started:.1f} s"


def _timings(timings: dict[str, float]) -> str:
    total = sum(timings.values())
    return f"{total:.1f} s (" + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()) + ")"


def migrate_and_seed(sizes) -> dict[str, float]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings = {"migrate": time.perf_counter() - started}
    timings.update(scale_seed.seed(sizes))
    return timings


# -- measuring ------------------------------------------------------------------------------


class QueryLog:
    """The SQL statements run inside ``with QueryLog() as log:``, with their seconds."""

    def __enter__(self):
        from django.db import connection

        self.queries: list[tuple[str, float]] = []
        connection.execute_wrappers.append(self._record)
        return self

    def __exit__(self, *exc):
        from django.db import connection

        connection.execute_wrappers.remove(self._record)

    def _record(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, time.perf_counter() - started))

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.queries)


def p50_pair(first: Callable, second: Callable, runs: int) -> tuple[float, float]:
    """Medians of ``first`` and ``second`` run alternately, so machine load hits both alike."""
    for _ in range(2):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for func, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            func()
            bucket.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def getter(client, url: str, status: int = 200, **extra) -> Callable[[], None]:
    def get():
        response = client.get(url, **extra)
        assert response.status_code == status, (url, response.status_code)

    return get


# The staff queue console has lived at more than one address; the first that resolves.
QUEUE_CONSOLE_URL_NAMES = (
    "admin:jobs_queue_console",
    "jobs:console",
    "admin:jobs_jobrecord_console",
    "admin:queue_console",
)


def first_url(names: tuple[str, ...]) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"none of {names} resolves: update QUEUE_CONSOLE_URL_NAMES")


def measure_pages(clients, ids, runs: int) -> list[str]:
    from django.urls import reverse

    staff, owner = clients["staff"], clients["owner"]
    probe = getter(staff, "/bench/probe")
    big, history_project = ids["big"], ids["history_project"]
    pages = [
        (
            "dashboard",
            "dashboard, staff: every project, page 1 of 50",
            staff,
            reverse("projects:dashboard"),
        ),
        ("project_page", "project page, 5k tasks", owner, reverse("projects:detail", args=[big])),
        (
            "phase_tasks",
            "one phase of it, loaded when opened",
            owner,
            reverse("projects:phase_tasks", args=[big]) + "?phase_index=1",
        ),
        ("api_project_list", "API project list, staff", staff, reverse("api:project-list")),
        ("jobs_list", "jobs list, staff", staff, reverse("jobs:list")),
        ("queue_console", "queue console", staff, first_url(QUEUE_CONSOLE_URL_NAMES)),
        (
            "refresh_history",
            "API refresh history of one project",
            owner,
            reverse("api:project-refresh-history", args=[history_project]),
        ),
    ]
    lines = []
    for name, label, client, url in pages:
        page = getter(client, url)
        page_p50, probe_p50 = p50_pair(page, probe, runs)
        sql_seconds, queries = warm_sql(page)
        slowest_sql, slowest = max(queries, key=lambda q: q[1])
        print(
            f"{name}: {label}: p50 {page_p50 * 1000:.2f} ms, probe p50 {probe_p50 * 1000:.2f} ms; "
            f"{len(queries)} queries, {sql_seconds * 1000:.2f} ms in SQL, "
            f"{(page_p50 - sql_seconds) * 1000:.2f} ms outside it; slowest query "
            f"{slowest * 1000:.2f} ms: {' '.join(slowest_sql.split())[:90]}"
        )
        if os.environ.get("BENCH_VERBOSE"):
            for sql, seconds in queries:
                print(f"    {seconds * 1000:8.2f} ms  {sql[:160]}")
        lines.append(verdict(f"{name}_ratio", page_p50 / probe_p50, "<=", PAGE_TARGET))
    return lines


def warm_sql(page: Callable[[], None], rounds: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """The median SQL seconds of ``page`` over a few warm requests, and the last one's queries."""
    totals = []
    for _ in range(rounds):
        with QueryLog() as log:
            page()
        totals.append(log.seconds)
    return statistics.median(totals), log.queries


def measure_refresh_requests(clients, ids, runs: int) -> list[str]:
    """POST /refresh answered with the queued job, and POSTs that enqueue, against the probe."""
    import json

    from django.urls import reverse

    api, probe = clients["api"], getter(clients["staff"], "/bench/probe")
    refresh_url = reverse("api:project-refresh", args=[ids["refresh_project"]])

    def post():
        return api.post(refresh_url, data="{}", content_type="application/json")

    def cancel(job_id: str):
        response = api.delete(reverse("api:job-detail", args=[job_id]))
        assert response.status_code == 200, response.status_code

    first = post()
    assert first.status_code == 202, (first.status_code, first.content[:300])
    queued_job = first.json()["job_id"]

    def again():
        response = post()
        assert response.status_code == 200, (response.status_code, response.content[:300])

    refresh_p50, probe_refresh = p50_pair(again, probe, runs)
    cancel(queued_job)
    enqueue_times, probe_times = [], []
    for _ in range(runs + 2):
        started = time.perf_counter()
        response = post()
        enqueue_times.append(time.perf_counter() - started)
        assert response.status_code == 202, (response.status_code, response.content[:300])
        cancel(json.loads(response.content)["job_id"])
        started = time.perf_counter()
        probe()
        probe_times.append(time.perf_counter() - started)
    enqueue_p50 = statistics.median(enqueue_times[2:])
    probe_enqueue = statistics.median(probe_times[2:])
    with QueryLog() as log:
        response = post()
    cancel(response.json()["job_id"])
    print(
        f"refresh_post (job already queued): p50 {refresh_p50 * 1000:.2f} ms, "
        f"probe {probe_refresh * 1000:.2f} ms"
    )
    print(
        f"enqueue_post (new job): p50 {enqueue_p50 * 1000:.2f} ms, "
        f"probe {probe_enqueue * 1000:.2f} ms, {len(log.queries)} queries"
    )
    return [
        verdict("refresh_post_ratio", refresh_p50 / probe_refresh, "<=", PAGE_TARGET),
        verdict("enqueue_ratio", enqueue_p50 / probe_enqueue, "<=", PAGE_TARGET),
    ]


def measure_scheduler_pass(project_count: int) -> list[str]:
    """One scheduled pass over every project: how long, how many queries, and its daily reach."""
    from django.conf import settings
    from django.utils import timezone

    from jobs.scheduling import projects_due
    from projects.models import Project

    with QueryLog() as log:
        started = time.perf_counter()
        due = projects_due(now=timezone.now(), limit=settings.SCHEDULED_REFRESH_MAX_PER_PASS)
        seconds = time.perf_counter() - started
    every, cap = settings.SCHEDULED_REFRESH_EVERY, settings.SCHEDULED_REFRESH_MAX_PER_PASS
    live = Project.objects.filter(archived=False)
    # Each project wants 24 / interval refreshes a day.
    needed = sum(
        24 / row["refresh_interval_hours"] for row in live.values("refresh_interval_hours")
    )
    allowed = cap * 86400 / every
    print(
        f"scheduler pass: {project_count} projects, {len(due)} picked, {seconds * 1000:.1f} ms, "
        f"{len(log.queries)} queries; cap {cap} per {every} s = {allowed:.0f} refreshes a day, "
        f"projects need {needed:.0f} a day"
    )
    return [
        verdict("scheduler_pass_seconds", seconds, "<=", 0.05 * every, ".3f"),
        verdict("scheduler_daily_capacity_ratio", allowed / needed if needed else 0, ">=", 1.0),
    ]


# -- worker sizing ----------------------------------------------------------------------------


def make_repository(root: Path) -> Path:
    """A small but real project: a 300-task plan in 6 phases, a manifest, 60 source files."""
    work = root / "sizing-repo"
    (work / "docs").mkdir(parents=True)
    plan = "# Plan\n\n" + "".join(
        f"## Phase {p}\n\n"
        + "".join(
            f"- [{'x' if (p + t) % 3 else ' '}] Task {p}.{t}: do the work\n" for t in range(50)
        )
        + "\n"
        for p in range(1, 7)
    )
    (work / "docs" / "plan.md").write_text(plan)
    (work / "pyproject.toml").write_text(
        '[project]\nname = "sizing"\ndependencies = ["django>=5.2", "redis>=5", "psycopg>=3"]\n'
    )
    (work / "src").mkdir()
    for i in range(60):
        (work / "src" / f"module_{i}.py").write_text(
            "import os\n\n" + "def work(x):\n    return x * 2\n\n" * 40
        )
    env = git_env(root)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True)
    return work


def git_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def post_refresh(api, project_id, *, force: bool = False) -> str:
    from django.urls import reverse

    response = api.post(
        reverse("api:project-refresh", args=[project_id]),
        data='{"force": true}' if force else "{}",
        content_type="application/json",
    )
    assert response.status_code == 202, (response.status_code, response.content[:300])
    return response.json()["job_id"]


def drain_with_a_worker() -> None:
    """One forking worker (the Procfile's), in burst mode, over the high queue."""
    subprocess.run(
        [sys.executable, "manage.py", "rqworker", "--burst", "repotrackr_high"],
        cwd=ROOT,
        env=os.environ,
        check=True,
        capture_output=True,
    )


def finished_jobs(job_ids: list[str]) -> list:
    from jobs.models import JobRecord

    jobs = list(JobRecord.objects.filter(pk__in=job_ids))
    failed = [(j.status, j.error) for j in jobs if j.status != "completed"]
    assert len(jobs) == len(job_ids) and not failed, failed
    return jobs


def measure_worker_sizing(api, owner, tmp: Path) -> list[str]:
    """Wall and CPU seconds of full and unchanged refreshes, and a worker's unchanged rate.

    Each round forces a full refresh of one project, then refreshes it
    unchanged; the first round also refreshes ``count`` more projects of the
    same repository twice, the second time all unchanged, for the rate. The
    rate runs from the first unchanged job's start to the last one's end, so
    the worker's own start-up is left out.
    """
    from projects.services import project_create

    repo = make_repository(tmp)
    project = project_create(owner=owner, name="Sizing repository", repo_url=str(repo))
    count = sized(20, 4)
    others = [
        project_create(owner=owner, name=f"Unchanged {i}", repo_url=str(repo)).pk
        for i in range(count)
    ]
    samples: dict[str, list] = {"full": [], "unchanged": []}
    rate_jobs: list = []
    for round_ in range(sized(3, 1)):
        for kind, force in (("full", True), ("unchanged", False)):
            job_id = post_refresh(api, project.pk, force=force)
            extra = [post_refresh(api, pk) for pk in others] if round_ == 0 else []
            drain_with_a_worker()
            job, *rest = finished_jobs([job_id, *extra])
            wall = (job.completed_at - job.started_at).total_seconds()
            samples[kind].append((wall, job.cpu_seconds or 0.0, job.result))
            if kind == "unchanged" and rest:
                rate_jobs = [job, *rest]
    assert all(r["unchanged"] for _, _, r in samples["unchanged"]), samples["unchanged"]
    assert all(j.result["unchanged"] for j in rate_jobs), [j.result for j in rate_jobs]
    assert not any(r["unchanged"] for _, _, r in samples["full"]), samples["full"]
    full_wall = statistics.median(w for w, _, _ in samples["full"])
    full_cpu = statistics.median(c for _, c, _ in samples["full"])
    same_wall = statistics.median(w for w, _, _ in samples["unchanged"])
    same_cpu = statistics.median(c for _, c, _ in samples["unchanged"])
    span = max(j.completed_at for j in rate_jobs) - min(j.started_at for j in rate_jobs)
    per_minute = 60 * len(rate_jobs) / span.total_seconds()
    print(
        f"one full refresh (local repository, 300 tasks, 62 files): wall {full_wall:.3f} s, "
        f"CPU {full_cpu:.3f} s; one unchanged refresh: wall {same_wall:.3f} s, CPU {same_cpu:.3f} s"
    )
    print(
        f"{len(rate_jobs)} unchanged refreshes through one forking worker: "
        f"{span.total_seconds():.2f} s = {per_minute:.0f} a minute"
    )
    # A worker runs one job at a time; on a real host the network adds waiting, not CPU.
    real_full = full_wall + ASSUMED_LS_REMOTE_SECONDS + ASSUMED_CLONE_NETWORK_SECONDS
    real_same = 60 / per_minute + ASSUMED_LS_REMOTE_SECONDS
    mean_wall = ASSUMED_CHANGED_SHARE * real_full + (1 - ASSUMED_CHANGED_SHARE) * real_same
    mean_cpu = ASSUMED_CHANGED_SHARE * full_cpu + (1 - ASSUMED_CHANGED_SHARE) * same_cpu
    per_day = 10_000 * 24 / 6
    print(
        f"sizing, assuming ls-remote {ASSUMED_LS_REMOTE_SECONDS} s and clone transfer "
        f"{ASSUMED_CLONE_NETWORK_SECONDS} s on a real host and {ASSUMED_CHANGED_SHARE:.0%} of "
        f"scheduled refreshes finding a new commit: {mean_wall:.2f} worker-seconds and "
        f"{mean_cpu:.2f} CPU-seconds per refresh on average; 10,000 projects every 6 h = "
        f"{per_day:.0f} refreshes a day = {per_day * mean_wall / 86400:.2f} busy workers, "
        f"{per_day * mean_cpu / 86400:.2f} busy cores"
    )
    return [
        verdict("refresh_full_wall_seconds", full_wall, "<=", 5.0, ".3f"),
        verdict("refresh_full_cpu_seconds", full_cpu, "<=", 5.0, ".3f"),
        verdict("refresh_unchanged_wall_seconds", same_wall, "<=", 1.0, ".3f"),
        verdict("refresh_unchanged_cpu_seconds", same_cpu, "<=", 0.5, ".3f"),
        verdict("unchanged_refreshes_per_worker_minute", per_minute, ">=", 60, ".0f"),
    ]


# -- growth ------------------------------------------------------------------------------------


GROWTH_TABLES = {
    "snapshots": "projects_progresssnapshot",
    "refresh_history": "jobs_refreshhistory",
    "job_records": "jobs_jobrecord",
}


def measure_growth(project_count: int) -> list[str]:
    """Bytes per row (table, TOAST and indexes) of what grows, per project per year and kept."""
    from django.conf import settings
    from django.db import connection

    interval_hours = settings.REPOTRACKR_REFRESH_INTERVAL_HOURS
    refreshes_a_day = 24 / interval_hours
    rows_a_year = {
        # At most one snapshot a day survives thinning; unchanged refreshes add none.
        "snapshots": 365,
        "refresh_history": 365 * refreshes_a_day,
        "job_records": 365 * refreshes_a_day,
    }
    kept_days = {
        "snapshots": getattr(settings, "SNAPSHOT_RETENTION_DAYS", 0) or None,
        "refresh_history": settings.REFRESH_HISTORY_RETENTION_DAYS,
        "job_records": settings.JOB_RECORD_RETENTION_DAYS,
    }
    lines, kept_total = [], 0.0
    with connection.cursor() as cursor:
        for name, table in GROWTH_TABLES.items():
            cursor.execute(f"SELECT pg_total_relation_size('{table}'), count(*) FROM {table}")
            size, rows = cursor.fetchone()
            per_row = size / rows
            per_year = per_row * rows_a_year[name]
            days = kept_days[name]
            kept_rows = rows_a_year[name] * days / 365 if days else None
            kept = f"{per_row * kept_rows / 1e6:.2f} MB kept" if kept_rows else "kept forever"
            print(
                f"growth {name}: {rows} rows, {size / 1e6:.1f} MB = {per_row:.0f} bytes a row; "
                f"{rows_a_year[name]:.0f} rows per project per year = {per_year / 1e6:.2f} MB; "
                f"retention {days or 'none'} days: {kept} per project"
            )
            lines.append(
                verdict(f"growth_{name}_mb_per_project_year", per_year / 1e6, "<=", 1.0, ".3f")
            )
            kept_total += per_row * kept_rows if kept_rows else float("inf")
        for table in ("projects_task", "skills_skill", "projects_project"):
            cursor.execute(f"SELECT pg_total_relation_size('{table}'), count(*) FROM {table}")
            size, rows = cursor.fetchone()
            print(
                f"current state {table}: {rows} rows, {size / 1e6:.1f} MB "
                f"({size / project_count / 1e3:.1f} kB per project; replaced, not grown)"
            )
    lines.append(verdict("retained_mb_per_project", kept_total / 1e6, "<=", 2.0, ".3f"))
    print(
        f"refresh interval {interval_hours} h; for {project_count} projects the retained rows "
        f"come to {kept_total * project_count / 1e9:.2f} GB"
    )
    return lines


def measure_prune() -> list[str]:
    """One daily prune pass over the whole seed (it deletes nothing here: all within retention)."""
    from django.utils import timezone

    from jobs.prune import prune

    started = time.perf_counter()
    report = prune(now=timezone.now())
    seconds = time.perf_counter() - started
    print(f"prune pass: {seconds:.1f} s, deleted {report}")
    return [verdict("prune_pass_seconds", seconds, "<=", 300, ".1f")]


# -- main -----------------------------------------------------------------------------------


def setup_environment(tmp: Path, url: str) -> object | None:
    redis_proc = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        from repotrackr import embedded_redis

        redis_url, redis_proc = embedded_redis.start_embedded_redis(tmp / "redis")
    os.environ.update(
        DATABASE_URL=url,
        REDIS_URL=redis_url.rsplit("/", 1)[0] + "/11",
        DJANGO_SETTINGS_MODULE="repotrackr.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-0000000000000000000000"),
        DEBUG="false",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="testserver,localhost",
        REPOTRACKR_ALLOW_LOCAL_REPOS="true",
        REPOTRACKR_CLONE_DIR=str(tmp / "clones"),
        REPOTRACKR_VAR_DIR=str(tmp),
        # Benchmarks raise the limits (DESIGN.md "Performance stance").
        RATE_LIMIT_REFRESH="100000000/300",
        RATE_LIMIT_CREATE_PROJECT="100000000/3600",
        LOG_LEVEL="WARNING",
        RQ_LOG_LEVEL="WARNING",
    )
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "scale_probe_urls"
    return redis_proc


def clients_and_ids() -> tuple[dict, dict, object]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.services import api_token_create
    from jobs.models import RefreshHistory
    from projects.models import Project

    users = get_user_model().objects
    staff = users.get(username=scale_seed.STAFF_USERNAME)
    big = Project.objects.select_related("owner").get(name=scale_seed.BIG_PROJECT_NAME)
    owner = big.owner
    clients = {}
    for name, user in (("staff", staff), ("owner", owner)):
        clients[name] = Client()
        clients[name].force_login(user)
    _, key = api_token_create(user=owner, name="bench")
    clients["api"] = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    history_project = RefreshHistory.objects.filter(project__owner=owner).values_list(
        "project_id", flat=True
    )[0]
    refresh_project = (
        Project.objects.filter(owner=owner, archived=False)
        .exclude(jobs__status__in=("queued", "processing"))
        .exclude(pk=big.pk)
        .values_list("pk", flat=True)[0]
    )
    ids = {"big": big.pk, "history_project": history_project, "refresh_project": refresh_project}
    return clients, ids, owner


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=sized(30, 3))
    parser.add_argument("--no-template", action="store_true", help="seed directly, keep nothing")
    parser.add_argument("--keep", action="store_true", help="keep the run's database")
    args = parser.parse_args(argv)
    sizes = sized(scale_seed.FULL, scale_seed.QUICK)
    server = admin_url()
    try:
        version = admin_execute(server, "SHOW server_version")[0][0]
    except Exception as exc:  # noqa: BLE001 - reported as the one figure this run can give
        print(f"PostgreSQL unreachable at {urlsplit(server).hostname}: {exc}")
        print("scale_benchmark_ran: 0 (target >= 1) MISS")
        return 0
    run_db = f"repotrackr_bench_scale_{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="repotrackr-bench-scale-"))
    redis_proc = setup_environment(tmp, with_database(server, run_db))
    lines: list[str] = []
    try:
        started = time.perf_counter()
        made = prepare_database(server, run_db, sizes, use_template=not (QUICK or args.no_template))
        print(f"PostgreSQL {version}; {sizes.describe()}")
        print(f"database {run_db} {made}; ready in {time.perf_counter() - started:.1f} s")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM projects_task")
            print(f"tasks: {cursor.fetchone()[0]}")
        lines += measure_growth(sizes.projects + 1)
        clients, ids, owner = clients_and_ids()
        lines += measure_pages(clients, ids, args.runs)
        lines += measure_refresh_requests(clients, ids, args.runs)
        lines += measure_scheduler_pass(sizes.projects + 1)
        lines += measure_worker_sizing(clients["api"], owner, tmp)
        lines += measure_prune()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_execute(server, f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)')
        else:
            print(f"kept database {run_db}")
        if redis_proc is not None:
            from repotrackr import embedded_redis

            embedded_redis.stop(redis_proc)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
