"""Writes for jobs: request a refresh or an extraction, retry, cancel, clear.

"One pipeline job per project" is the database's partial unique constraint
``one_active_job_per_project``: a second request hits it and gets the job
already queued or running. Jobs reach Redis only after the transaction that
wrote their record commits; if Redis refuses, the record and its history
say "queue unavailable", the claim is released and the caller gets
``QueueUnavailableError`` (the API answers 503).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rq.command import send_stop_job_command
from rq.exceptions import NoSuchJobError
from rq.job import Callback, Job
from rq.job import JobStatus as RQStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from jobs import tracker
from jobs.models import (
    ACTIVE_JOB_STATUSES,
    JobPriority,
    JobRecord,
    JobStatus,
    JobType,
    RefreshHistory,
    RefreshTrigger,
)
from jobs.queues import get_queue, queue_for_priority, queue_names
from repotrackr.redis_connection import get_redis

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = "queue unavailable"
JOB_FUNCTIONS: dict[str, str] = {
    JobType.REFRESH: "jobs.tasks.process_project",
    JobType.EXTRACT_SKILLS: "jobs.tasks.extract_skills",
}


class QueueUnavailableError(Exception):
    """Redis refused the job; nothing was left queued."""


class JobStateError(Exception):
    """The job is not in a state that allows the operation (the API answers 409)."""


@dataclass
class RefreshRequestResult:
    job: JobRecord
    created: bool
    moved_to_high: bool
    force_applied: bool


# -- enqueueing ------------------------------------------------------------------


def _enqueue_now(record: JobRecord, *, delay_seconds: float = 0) -> None:
    """Put the job on its queue (or schedule it); on a Redis error settle it failed."""
    job_id = str(record.pk)
    queue = get_queue(record.queue)
    options = {
        "job_id": str(record.id),
        "args": (str(record.id),),
        "result_ttl": settings.RQ_RESULT_TTL,
        "failure_ttl": settings.RQ_FAILURE_TTL,
        "description": f"{record.job_type} {record.project_id}",
        "on_failure": Callback("jobs.tasks.on_job_failure"),
    }
    try:
        if delay_seconds > 0:
            queue.enqueue_in(
                timedelta(seconds=delay_seconds), JOB_FUNCTIONS[record.job_type], **options
            )
        else:
            queue.enqueue(JOB_FUNCTIONS[record.job_type], **options)
    except redis.exceptions.RedisError as exc:
        logger.warning("Enqueue of job %s refused by Redis: %s", job_id, exc.__class__.__name__)
        tracker.job_update_status(job_id, status=JobStatus.FAILED, error=QUEUE_UNAVAILABLE)
        raise QueueUnavailableError(
            "The job queue is unavailable right now; please try again in a minute."
        ) from exc


def _enqueue_on_commit(record: JobRecord, *, delay_seconds: float = 0) -> None:
    transaction.on_commit(lambda: _enqueue_now(record, delay_seconds=delay_seconds))


def _claim(
    *,
    project,
    user,
    job_type: str,
    priority: str,
    force: bool,
    trigger: str | None,
    retry_of: JobRecord | None = None,
) -> JobRecord | None:
    """Create the job (and history) unless the project already has an active job."""
    try:
        with transaction.atomic():
            record = tracker.job_create(
                job_type=job_type,
                project=project,
                requested_by=user,
                priority=priority,
                queue=queue_for_priority(priority),
                force=force,
                retry_of=retry_of,
            )
    except IntegrityError:
        # Only the one-active-job constraint means "already running"; any
        # other integrity failure is a real error and must surface.
        if JobRecord.objects.filter(project=project, status__in=ACTIVE_JOB_STATUSES).exists():
            return None
        raise
    if trigger is not None:
        RefreshHistory.objects.create(project=project, user=user, job=record, trigger=trigger)
    return record


def _active_job(project) -> JobRecord | None:
    return (
        JobRecord.objects.select_for_update()
        .filter(project=project, status__in=ACTIVE_JOB_STATUSES)
        .first()
    )


def job_move_to_queue(job_id: str, queue_name: str) -> bool:
    """Move a waiting RQ job to ``queue_name`` (now, even if it was waiting to retry).

    Returns ``False`` when a worker already took it. The job is taken off
    its old list first: an id pushed twice would run twice.
    """
    conn = get_redis()
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        return False
    status = job.get_status()
    old = get_queue(job.origin)
    if status == RQStatus.QUEUED:
        removed = old.remove(job.id)
    elif status == RQStatus.SCHEDULED:
        removed = ScheduledJobRegistry(queue=old).remove(job)
    else:
        return False
    if not removed:
        return False
    job.origin = queue_name
    job.save()
    get_queue(queue_name).enqueue_job(job)
    return True


def _hurry_quietly(job_id: str) -> None:
    """Move a queued job to the high queue, and record it once RQ has really moved it."""
    high = settings.QUEUE_HIGH
    try:
        if job_move_to_queue(job_id, high):
            JobRecord.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
                priority=JobPriority.HIGH, queue=high, next_attempt_at=None
            )
    except redis.exceptions.RedisError:
        # It still runs from the queue it is on; only the hurry is lost.
        logger.warning("Could not move job %s to %s", job_id, high)


def _apply_to_existing(
    existing: JobRecord, *, priority: str, force: bool, trigger: str | None
) -> RefreshRequestResult:
    """A manual request hurries a queued job along and passes on its ``force``."""
    manual = trigger in (RefreshTrigger.MANUAL, RefreshTrigger.API)
    force_applied = moved = False
    waiting = existing.status == JobStatus.QUEUED
    # A running job has already decided whether to short-circuit.
    if force and waiting and not existing.force and existing.job_type == JobType.REFRESH:
        existing.force = force_applied = True
        existing.save(update_fields=["force"])
    if (
        manual
        and priority == JobPriority.HIGH
        and waiting
        and existing.priority != JobPriority.HIGH
    ):
        high = settings.QUEUE_HIGH
        job_id = str(existing.id)
        moved = True
        # The record says "high" only once RQ has really moved the job: a
        # worker may take it first, and then it keeps the queue it ran from.
        existing.priority, existing.queue = JobPriority.HIGH, high
        existing.next_attempt_at = None
        transaction.on_commit(lambda: _hurry_quietly(job_id))
    return RefreshRequestResult(existing, False, moved, force_applied)


def refresh_request(
    *,
    project,
    user,
    trigger: str | None,
    force: bool = False,
    priority: str = JobPriority.HIGH,
    job_type: str = JobType.REFRESH,
) -> RefreshRequestResult:
    """Claim ``project`` for a pipeline job and enqueue it after commit, or find the active one.

    The writer behind ``jobs.refresh_requests.project_refresh_request``, which
    checks access and charges budgets first; call that from edges. A new
    job gets a RefreshHistory row with ``trigger`` (``None``: no history, as
    for a skills extraction). With an active job the result has
    ``created=False``; a manual (or API) high-priority request then moves a
    still-queued job to the high queue and sets its ``force``. Raises
    ``QueueUnavailableError`` when Redis refuses the new job.
    """
    claim = dict(
        project=project,
        user=user,
        job_type=job_type,
        priority=priority,
        force=force,
        trigger=trigger,
    )
    with transaction.atomic():
        record = _claim(**claim)
        if record is None and (existing := _active_job(project)) is not None:
            return _apply_to_existing(existing, priority=priority, force=force, trigger=trigger)
        if record is None:  # it finished between our insert and that read: claim again
            record = _claim(**claim)
            if record is None:
                raise JobStateError("another job for this project was just requested")
        _enqueue_on_commit(record)
        return RefreshRequestResult(record, True, False, False)


def refresh_schedule(*, project, delay_seconds: float) -> JobRecord | None:
    """Queue a scheduled low-priority refresh to start in ``delay_seconds``.

    Returns ``None`` when the project already has an active job.
    """
    with transaction.atomic():
        record = _claim(
            project=project,
            user=None,
            job_type=JobType.REFRESH,
            priority=JobPriority.LOW,
            force=False,
            trigger=RefreshTrigger.SCHEDULED,
        )
        if record is None:
            return None
        if delay_seconds > 0:
            record.next_attempt_at = timezone.now() + timedelta(seconds=delay_seconds)
            record.save(update_fields=["next_attempt_at"])
        _enqueue_on_commit(record, delay_seconds=delay_seconds)
    return record


# -- operating on existing jobs ----------------------------------------------------


def job_retry(*, job: JobRecord, user, trigger: str = RefreshTrigger.MANUAL) -> JobRecord:
    """Start a new job like the failed ``job`` (linked by ``retry_of``) on the high queue.

    Raises ``JobStateError`` unless ``job`` failed, or when its project
    already has an active job.
    """
    if job.status != JobStatus.FAILED:
        raise JobStateError(f"only failed jobs can be retried; this one is {job.status}")
    if job.project_id is None:
        raise JobStateError("the job's project no longer exists")
    with transaction.atomic():
        record = _claim(
            project=job.project,
            user=user,
            job_type=job.job_type,
            priority=JobPriority.HIGH,
            force=job.force,
            retry_of=job,
            trigger=trigger if job.job_type == JobType.REFRESH else None,
        )
        if record is None:
            raise JobStateError("this project already has a job queued or running")
        _enqueue_on_commit(record)
    return record


def project_jobs_stop(*, project, user) -> int:
    """Cancel or stop the project's active job before the project goes away.

    Without it a deleted project's job would keep a worker cloning for nothing.
    """
    stopped = 0
    for job in JobRecord.objects.filter(project=project, status__in=ACTIVE_JOB_STATUSES):
        try:
            job_cancel(job=job, user=user)
            stopped += 1
        except JobStateError:
            continue  # it finished meanwhile
    return stopped


def job_cancel(*, job: JobRecord, user) -> JobRecord:
    """Cancel a queued job or stop a running one; ``JobStateError`` if it has finished."""
    if job.status not in ACTIVE_JOB_STATUSES:
        raise JobStateError(f"the job has already finished ({job.status})")
    was_running = job.status == JobStatus.PROCESSING
    changed = tracker.job_update_status(
        job.id,
        status=JobStatus.CANCELED,
        error="canceled by " + (user.get_username() if user else "the system"),
    )
    if not changed:
        job.refresh_from_db()
        raise JobStateError(f"the job has already finished ({job.status})")
    conn = get_redis()
    try:
        if was_running:
            send_stop_job_command(conn, str(job.id))
        else:
            Job.fetch(str(job.id), connection=conn).cancel()
    except (NoSuchJobError, redis.exceptions.RedisError) as exc:
        # The record is settled; RQ's side is tidied by reconciliation.
        logger.info("RQ side of canceled job %s not reachable: %s", job.id, exc)
    except Exception as exc:  # noqa: BLE001 - e.g. the worker finished meanwhile
        logger.info("Could not stop job %s in RQ: %s", job.id, exc)
    job.refresh_from_db()
    return job


def failed_jobs_clear() -> int:
    """Delete every failed job: RQ's failed registries and our failed records.

    Returns the number of failed job records deleted.
    """
    conn = get_redis()
    for name in queue_names():
        registry = FailedJobRegistry(queue=get_queue(name, connection=conn))
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    _, per_model = JobRecord.objects.filter(status=JobStatus.FAILED).delete()
    return per_model.get(JobRecord._meta.label, 0)
