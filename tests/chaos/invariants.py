"""What must hold after a chaos run, and the sampling done while it runs.

Read from the database and Redis of the run (the harness process is set
up against them), never through the code under test's own selectors, so a
bug there cannot hide a bug elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count

ACTIVE = ("queued", "processing")
QUEUES = ("repotrackr_high", "repotrackr", "repotrackr_low")


def with_db(fn, *, attempts: int = 40):
    """Run ``fn`` against the database, waiting out a PostgreSQL restart."""
    for attempt in range(attempts):
        try:
            return fn()
        except (OperationalError, InterfaceError):
            connection.close()
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return None


def active_job_ids() -> set[str]:
    from jobs.models import JobRecord

    return with_db(
        lambda: {
            str(pk)
            for pk in JobRecord.objects.filter(status__in=ACTIVE).values_list("pk", flat=True)
        }
    )


def final_statuses(ids: set[str]) -> dict[str, str]:
    from jobs.models import JobRecord

    return with_db(
        lambda: {
            str(pk): status
            for pk, status in JobRecord.objects.filter(pk__in=list(ids)).values_list("pk", "status")
        }
    )


def job_ids_held_by_redis() -> set[str]:
    """Every job id Redis will act on: waiting, scheduled, or running."""
    from jobs.queues import get_queue

    held: set[str] = set()
    for name in QUEUES:
        queue = get_queue(name)
        held.update(queue.get_job_ids())
        held.update(queue.scheduled_job_registry.get_job_ids(cleanup=False))
        held.update(queue.started_job_registry.get_job_ids(cleanup=False))
    return held


@dataclass
class DuplicateSampler:
    """Looks every second for a project with two jobs running at once."""

    samples: int = 0
    duplicates: int = 0
    examples: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="duplicates", daemon=True)
        thread.start()
        return thread

    def _loop(self) -> None:
        while not self.stop.wait(1.0):
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - Redis or PostgreSQL is down: skip this look
                connection.close()

    def sample(self) -> None:
        from rq import Worker

        from jobs.models import JobRecord
        from repotrackr.redis_connection import get_redis

        conn = get_redis()
        running: list[str] = []
        for worker in Worker.all(connection=conn):
            job_id = worker.get_current_job_id()
            if job_id:
                running.append(job_id)
        registry_ids: set[str] = set()
        from jobs.queues import get_queue

        for name in QUEUES:
            registry_ids.update(get_queue(name).started_job_registry.get_job_ids(cleanup=False))
        twice = [job for job, n in Counter(running).items() if n > 1]
        ids = registry_ids | set(running)
        records = list(
            JobRecord.objects.filter(pk__in=list(ids), status__in=ACTIVE).values_list(
                "pk", "project_id"
            )
        )
        per_project = Counter(project for _, project in records)
        self.samples += 1
        found = [f"job {j} on two workers" for j in twice]
        found += [f"project {p} has {n} running jobs" for p, n in per_project.items() if n > 1]
        if found:
            self.duplicates += 1
            self.examples.extend(found[:3])


@dataclass
class Verdict:
    stuck: int = 0
    still_active: int = 0
    lost: int = 0
    behind_head: int = 0
    history_incomplete: int = 0
    metrics_mismatch: int = 0
    two_active_records: int = 0
    notes: list[str] = field(default_factory=list)


def check_settled_records(verdict: Verdict) -> None:
    """No record ``queued``/``processing`` without a live RQ job; none active at all after settling."""
    from jobs.models import JobRecord

    active = with_db(
        lambda: list(JobRecord.objects.filter(status__in=ACTIVE).values_list("pk", "status"))
    )
    held = job_ids_held_by_redis()
    verdict.still_active = len(active)
    orphans = [(str(pk), status) for pk, status in active if str(pk) not in held]
    verdict.stuck = len(orphans)
    verdict.notes += [f"stuck: {pk} {status} with no RQ job" for pk, status in orphans[:5]]
    doubles = with_db(
        lambda: list(
            JobRecord.objects.filter(status__in=ACTIVE)
            .values("project_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
    )
    verdict.two_active_records = len(doubles)


def check_requests(verdict: Verdict, sent) -> None:
    """Every accepted request's job exists and ended with one outcome (lost = those that did not)."""
    from jobs.models import JobRecord

    accepted = {s.job_id for s in sent if s.job_id and s.status in (200, 202)}
    found = with_db(
        lambda: dict(JobRecord.objects.filter(pk__in=list(accepted)).values_list("pk", "status"))
    )
    found = {str(k): v for k, v in found.items()}
    missing = [j for j in accepted if j not in found]
    unfinished = [j for j, status in found.items() if status in ACTIVE]
    verdict.lost = len(missing) + len(unfinished)
    verdict.notes += [f"lost: accepted job {j} has no record" for j in missing[:5]]
    verdict.notes += [f"lost: accepted job {j} never finished" for j in unfinished[:5]]


def check_history(verdict: Verdict) -> None:
    """Every refresh has one history row, finished, with its job's outcome."""
    from jobs.models import JobRecord, RefreshHistory

    def read():
        refresh_jobs = dict(
            JobRecord.objects.filter(job_type="refresh").values_list("pk", "status")
        )
        rows = list(RefreshHistory.objects.values_list("job_id", "status"))
        return refresh_jobs, rows

    refresh_jobs, rows = with_db(read)
    per_job = Counter(job for job, _ in rows if job is not None)
    problems = []
    for job_id in refresh_jobs:
        if per_job[job_id] != 1:
            problems.append(f"job {job_id} has {per_job[job_id]} history rows")
    for job_id, status in rows:
        if status in ACTIVE:
            problems.append(f"history of job {job_id} is still {status}")
        elif job_id is not None and refresh_jobs.get(job_id) != status:
            problems.append(
                f"history of job {job_id} says {status}, the job {refresh_jobs.get(job_id)}"
            )
    verdict.history_incomplete = len(problems)
    verdict.notes += problems[:5]


def check_snapshots(verdict: Verdict, projects) -> None:
    """Every project's latest snapshot is its repository's head, with the plan's counts."""
    from projects.models import ProgressSnapshot
    from tests.chaos.githost import TASKS_PER_PLAN, expected_done

    def latest():
        rows = {}
        for project_id, sha, total, done in (
            ProgressSnapshot.objects.order_by("project_id", "-created_at")
            .distinct("project_id")
            .values_list("project_id", "commit_sha", "total", "done")
        ):
            rows[str(project_id)] = (sha, total, done)
        return rows

    rows = with_db(latest)
    behind = []
    for project in projects:
        want = (project.repo.head, TASKS_PER_PLAN, expected_done(project.repo.version))
        got = rows.get(project.id)
        if got != want:
            behind.append(f"project {project.id}: snapshot {got}, head {want}")
    verdict.behind_head = len(behind)
    verdict.notes += behind[:5]


def check_metrics(verdict: Verdict, traffic) -> None:
    """``GET /api/v1/jobs/metrics`` reports the database's own counts."""
    from django.utils import timezone

    from jobs.models import JobRecord

    mismatches = []
    for _ in range(3):  # a job may finish between the two reads: look again
        status, body = traffic.get_json("/api/v1/jobs/metrics")
        now = timezone.now()
        start = now.replace(second=0, microsecond=0) - timedelta(minutes=59)
        records = with_db(
            lambda: dict(JobRecord.objects.values_list("status").annotate(n=Count("id")).order_by())
        )
        done = with_db(
            lambda start=start: dict(
                JobRecord.objects.filter(
                    completed_at__gte=start, status__in=["completed", "failed"]
                )
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )
        )
        mismatches = []
        if status != 200:
            mismatches.append(f"metrics answered {status}")
        else:
            if body.get("records") != records:
                mismatches.append(f"metrics records {body.get('records')} != database {records}")
            hour = body.get("last_hour", {})
            for key in ("completed", "failed"):
                if hour.get(key) != done.get(key, 0):
                    mismatches.append(
                        f"metrics last hour {key} {hour.get(key)} != {done.get(key, 0)}"
                    )
        if not mismatches:
            break
        time.sleep(1)
    verdict.metrics_mismatch = len(mismatches)
    verdict.notes += mismatches


def pushes_absorbed(sent, projects) -> int:
    """Pushes answered with a job that had already read an older head (not a failure: info).

    A push whose head differs from the one the running refresh resolved
    marks that job ``follow_up``, and a refresh follows it: such a push is
    not absorbed. What remains should be none (a race the count would show).
    """
    from jobs.models import JobRecord

    by_id = {p.id: p for p in projects}
    pushes = [s for s in sent if s.kind == "webhook" and s.job_id and s.status in (200, 202)]
    results = with_db(
        lambda: dict(
            JobRecord.objects.filter(
                pk__in=[s.job_id for s in pushes], follow_up=False
            ).values_list("pk", "result")
        )
    )
    results = {str(k): v for k, v in results.items()}
    absorbed = 0
    for push in pushes:
        versions = by_id[push.project_id].repo.versions
        result = results.get(push.job_id) or {}
        read = versions.get(result.get("commit_sha", ""), 0)
        if result and read < versions.get(push.pushed, 0):
            absorbed += 1
    return absorbed
