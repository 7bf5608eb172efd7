"""Settle job records that RQ and the database disagree about.

A worker can die at any point: only the work-horse (RQ fails the job but
calls no callback), or the whole worker (the job stays "started" until its
registry entry expires and someone cleans the registry, which RQ itself
does only every ten minutes). The scheduler enqueues ``reconcile`` every
``JOB_RECONCILE_INTERVAL`` seconds; one pass:

1. cleans each queue's started registry, so RQ fails abandoned jobs now
   (their failure callback settles the record);
2. compares every active record with its RQ job and settles the ones
   whose job vanished, failed, was stopped or finished unseen;
3. removes clone directories left behind by killed jobs.

Every step is idempotent: settling goes through the tracker's conditional
updates, so two passes (or a pass racing a worker) record once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from rq.job import Job
from rq.job import JobStatus as RQStatus
from rq.registry import StartedJobRegistry

from jobs import tracker
from jobs.errors import WORKER_DIED
from jobs.models import ACTIVE_JOB_STATUSES, JobRecord, JobStatus
from jobs.queues import get_queue, queue_names
from projects.core.git_remote import sweep_stale_clones
from repotrackr.redis_connection import get_redis

logger = logging.getLogger(__name__)

JOB_LOST = "the job was lost from the queue; request a new refresh"


@dataclass
class ReconcileReport:
    abandoned_cleaned: int = 0
    failed: int = 0
    completed: int = 0
    canceled: int = 0
    clones_swept: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _clean_started_registries(conn, timestamp: float) -> int:
    cleaned = 0
    for name in queue_names():
        registry = StartedJobRegistry(queue=get_queue(name, connection=conn))
        cleaned += len(registry.get_expired_job_ids(timestamp))
        registry.cleanup(timestamp)
    return cleaned


def _failure_detail(job: Job) -> str:
    try:
        result = job.latest_result()
    except Exception:  # noqa: BLE001 - detail is best effort
        return ""
    return (getattr(result, "exc_string", "") or "") if result else ""


def _settle(record: JobRecord, job: Job | None, now: datetime, report: ReconcileReport) -> None:
    if job is None:
        grace = timedelta(seconds=settings.JOB_RECONCILE_GRACE)
        waiting_since = record.next_attempt_at or record.created_at
        if record.status == JobStatus.PROCESSING or waiting_since < now - grace:
            if tracker.job_update_status(
                record.pk, status=JobStatus.FAILED, error=JOB_LOST, now=now
            ):
                report.failed += 1
        return
    status = job.get_status(refresh=False)
    if status == RQStatus.FINISHED:
        value = job.return_value()
        if isinstance(value, dict) and value.get("status") == "success":
            if tracker.job_update_status(
                record.pk, status=JobStatus.COMPLETED, result=value, now=now
            ):
                report.completed += 1
        elif tracker.job_update_status(
            record.pk, status=JobStatus.FAILED, error=WORKER_DIED, now=now
        ):
            report.failed += 1
    elif status == RQStatus.FAILED:
        if tracker.job_update_status(
            record.pk,
            status=JobStatus.FAILED,
            error=WORKER_DIED,
            error_detail=_failure_detail(job),
            now=now,
        ):
            report.failed += 1
    elif status in (RQStatus.STOPPED, RQStatus.CANCELED):
        if tracker.job_update_status(
            record.pk, status=JobStatus.CANCELED, error="the job was stopped", now=now
        ):
            report.canceled += 1


def reconcile(*, now: datetime | None = None) -> ReconcileReport:
    """One reconciliation pass (see the module docstring). ``now`` is injectable for tests."""
    now = now or timezone.now()
    conn = get_redis()
    report = ReconcileReport()
    report.abandoned_cleaned = _clean_started_registries(conn, now.timestamp())
    records = list(JobRecord.objects.filter(status__in=ACTIVE_JOB_STATUSES))
    if records:
        jobs = Job.fetch_many([str(r.pk) for r in records], connection=conn)
        for record, job in zip(records, jobs, strict=True):
            try:
                _settle(record, job, now, report)
            except Exception:  # noqa: BLE001 - one odd job must not stop the pass
                logger.exception("Reconciliation of job %s failed", record.pk)
    report.clones_swept = sweep_stale_clones(
        Path(settings.REPOTRACKR_CLONE_DIR),
        older_than_seconds=settings.CLONE_SWEEP_AFTER_SECONDS,
        now=now,
    )
    if any((report.failed, report.completed, report.canceled, report.clones_swept)):
        logger.info("Reconciliation: %s", report.as_dict())
    return report
