"""Settle job records that RQ and the database disagree about.

A worker can die at any point: only the work-horse (RQ fails the job but
calls no callback), or the whole worker (the job stays "started" until its
registry entry expires and someone cleans the registry, which RQ itself
does only every ten minutes). The scheduler enqueues ``reconcile`` every
``JOB_RECONCILE_INTERVAL`` seconds; one pass:

1. cleans each queue's started registry, so RQ fails abandoned jobs now
   (their failure callback settles the record);
2. compares every active record with its RQ job and settles the ones
   whose job failed, was stopped or finished unseen;
3. puts back on its queue every active record that Redis no longer holds
   anywhere (not waiting, not scheduled, not running): Redis restarted
   without its data, or lost the last writes before a crash. The database
   is the source of truth, so such a job is queued again, never dropped:
   a ``queued`` record once its start time is ``JOB_RECONCILE_GRACE``
   seconds past (the grace covers the instant between writing a record
   and enqueuing it after commit); a ``processing`` one once its job
   timeout and the grace have passed since it started (until then a
   work-horse may still be running it and will settle it itself), as one
   more attempt, or failed when its attempts are spent;
4. removes clone directories left behind by killed jobs.

Every step is idempotent: settling goes through the tracker's conditional
updates, so two passes (or a pass racing a worker) record once. A job is
counted missing only if two looks, ``recheck_after`` seconds apart, both
miss it, since a worker holds a job it just took in no list for an instant.
"""

from __future__ import annotations

import logging
import time
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
from jobs.services import QueueUnavailableError, _enqueue_now
from projects.core.git_remote import sweep_stale_clones
from repotrackr.redis_connection import get_redis

logger = logging.getLogger(__name__)

JOB_LOST = "the job was lost from the queue; request a new refresh"
JOB_REQUEUED = "the queue lost this job while it ran; it runs again"
# RQ statuses that settle a record; any other means "still to run" and is
# checked against the queues and registries instead.
RQ_SETTLED = (RQStatus.FINISHED, RQStatus.FAILED, RQStatus.STOPPED, RQStatus.CANCELED)


@dataclass
class ReconcileReport:
    abandoned_cleaned: int = 0
    failed: int = 0
    completed: int = 0
    canceled: int = 0
    requeued: int = 0
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


def _settle(record: JobRecord, job: Job, now: datetime, report: ReconcileReport) -> None:
    """Record the outcome of a job RQ has settled (finished, failed, stopped, canceled)."""
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


def _settled_by_rq(job: Job | None) -> bool:
    """Whether RQ has an outcome for ``job``.

    A copy of a job that ran while another copy held the record returns
    the record's active status without doing anything; that says nothing
    about the job, which is then looked for in the queues like any other.
    """
    if job is None or job.get_status(refresh=False) not in RQ_SETTLED:
        return False
    if job.get_status(refresh=False) == RQStatus.FINISHED:
        value = job.return_value()
        return not (isinstance(value, dict) and value.get("status") in ACTIVE_JOB_STATUSES)
    return True


def _job_ids_held(conn) -> set[str]:
    """Ids of every job Redis holds somewhere it will act on: waiting, scheduled or running."""
    held: set[str] = set()
    for name in queue_names():
        queue = get_queue(name, connection=conn)
        held.update(queue.get_job_ids())
        held.update(queue.scheduled_job_registry.get_job_ids(cleanup=False))
        held.update(queue.started_job_registry.get_job_ids(cleanup=False))
    return held


def _max_attempts() -> int:
    return len(settings.JOB_RETRY_INTERVALS) + 1


def _job_timeout(record: JobRecord) -> int:
    queue = settings.RQ_QUEUES.get(record.queue) or settings.RQ_QUEUES[settings.QUEUE_DEFAULT]
    return int(queue["DEFAULT_TIMEOUT"])


def _recover_missing(record: JobRecord, now: datetime, report: ReconcileReport) -> None:
    """Queue again (or fail, attempts spent) a record whose job Redis no longer holds."""
    grace = timedelta(seconds=settings.JOB_RECONCILE_GRACE)
    if record.status == JobStatus.QUEUED:
        if (record.next_attempt_at or record.created_at) >= now - grace:
            return
    else:
        started = record.started_at or record.created_at
        if started >= now - grace - timedelta(seconds=_job_timeout(record)):
            return
        if record.attempts >= _max_attempts():
            if tracker.job_update_status(
                record.pk, status=JobStatus.FAILED, error=JOB_LOST, now=now
            ):
                report.failed += 1
            return
        if not tracker.job_wait_for_retry(record.pk, next_attempt_at=now, error=JOB_REQUEUED):
            return
    try:
        _enqueue_now(record)
    except QueueUnavailableError:
        # The record is settled as failed ("queue unavailable"): one outcome, nothing stuck.
        report.failed += 1
        return
    logger.warning("Reconciliation queued job %s again: Redis had lost it", record.pk)
    report.requeued += 1


def _still_missing(records: list[JobRecord], conn) -> list[JobRecord]:
    """Of ``records`` (missing at the first look), those still missing and unchanged now."""
    held = _job_ids_held(conn)
    candidates = [r for r in records if str(r.pk) not in held]
    if not candidates:
        return []
    jobs = Job.fetch_many([str(r.pk) for r in candidates], connection=conn)
    fresh = {
        r.pk: r
        for r in JobRecord.objects.filter(
            pk__in=[r.pk for r in candidates], status__in=ACTIVE_JOB_STATUSES
        )
    }
    still = []
    for record, job in zip(candidates, jobs, strict=True):
        now_record = fresh.get(record.pk)
        if now_record is None or (now_record.status, now_record.attempts) != (
            record.status,
            record.attempts,
        ):
            continue  # a worker or a request moved it meanwhile
        if _settled_by_rq(job):
            continue  # settled by RQ meanwhile; the next pass records it
        still.append(now_record)
    return still


def reconcile(*, now: datetime | None = None, recheck_after: float = 1.0) -> ReconcileReport:
    """One reconciliation pass (see the module docstring). ``now`` is injectable for tests."""
    now = now or timezone.now()
    conn = get_redis()
    report = ReconcileReport()
    report.abandoned_cleaned = _clean_started_registries(conn, now.timestamp())
    records = list(JobRecord.objects.filter(status__in=ACTIVE_JOB_STATUSES))
    missing = []
    if records:
        held = _job_ids_held(conn)
        jobs = Job.fetch_many([str(r.pk) for r in records], connection=conn)
        for record, job in zip(records, jobs, strict=True):
            try:
                if job is not None and _settled_by_rq(job):
                    _settle(record, job, now, report)
                elif str(record.pk) not in held:
                    missing.append(record)
            except Exception:  # noqa: BLE001 - one odd job must not stop the pass
                logger.exception("Reconciliation of job %s failed", record.pk)
    if missing:
        time.sleep(recheck_after)
        for record in _still_missing(missing, conn):
            try:
                _recover_missing(record, now, report)
            except Exception:  # noqa: BLE001 - one odd job must not stop the pass
                logger.exception("Recovery of job %s failed", record.pk)
    report.clones_swept = sweep_stale_clones(
        Path(settings.REPOTRACKR_CLONE_DIR),
        older_than_seconds=settings.CLONE_SWEEP_AFTER_SECONDS,
        now=now,
    )
    if any(
        (report.failed, report.completed, report.canceled, report.requeued, report.clones_swept)
    ):
        logger.info("Reconciliation: %s", report.as_dict())
    return report
