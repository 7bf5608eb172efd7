"""JobTracker: the life of a JobRecord (and its RefreshHistory) as jobs move.

Every transition is a conditional UPDATE from the states it may come from,
so a job settled twice (worker callback, reconciliation, a reused RQ job
id) records once: the second call changes no row and returns ``False``.
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from jobs.models import ACTIVE_JOB_STATUSES, JobRecord, JobStatus, JobType, RefreshHistory

logger = logging.getLogger(__name__)

FINISHED_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED)


def job_create(
    *,
    job_type: str,
    project,
    requested_by,
    priority: str,
    queue: str,
    force: bool = False,
    retry_of: JobRecord | None = None,
) -> JobRecord:
    """Write a ``queued`` record; its id becomes the RQ job id.

    Raises ``IntegrityError`` when the project already has an active job
    (the ``one_active_job_per_project`` constraint); callers that may race
    wrap the call in a savepoint.
    """
    record = JobRecord(
        job_type=job_type,
        project=project,
        requested_by=requested_by,
        priority=priority,
        queue=queue,
        force=force,
        retry_of=retry_of,
    )
    # The related rows are given as objects; skip re-reading them.
    record.full_clean(exclude=["project", "requested_by", "retry_of"], validate_constraints=False)
    record.save(force_insert=True)
    return record


def job_get_status(job_id: str | uuid.UUID) -> JobRecord:
    """The record of ``job_id``; raises ``JobRecord.DoesNotExist``."""
    return JobRecord.objects.select_related("project").get(pk=job_id)


def job_list_for_project(project) -> QuerySet[JobRecord]:
    """The project's jobs, newest first."""
    return JobRecord.objects.filter(project=project).order_by("-created_at")


def _history_update(job_id, **fields: Any) -> None:
    RefreshHistory.objects.filter(job_id=job_id, status__in=ACTIVE_JOB_STATUSES).update(**fields)


def job_update_status(
    job_id: str | uuid.UUID,
    *,
    status: str,
    result: dict | None = None,
    error: str = "",
    error_detail: str = "",
    error_retryable: bool = False,
    now: datetime | None = None,
    started_at: datetime | None = None,
) -> bool:
    """Move an active job to ``status`` (processing or a finished state).

    Finished states set ``completed_at`` (and ``progress`` 1 on success)
    and mirror the outcome onto the job's RefreshHistory with its duration.
    Returns ``False`` (changing nothing) when the job is no longer active,
    which makes every completion path idempotent. ``started_at``, when the
    caller knows it, saves reading it back for the history's duration.
    """
    now = now or timezone.now()
    if status == JobStatus.PROCESSING:
        return job_start(job_id, now=now) is not None
    if status not in FINISHED_STATUSES:
        raise ValueError(f"cannot move a job to {status!r} this way")
    fields: dict[str, Any] = {
        "status": status,
        "completed_at": now,
        "result": result if status == JobStatus.COMPLETED else None,
        "error": error,
        "error_detail": error_detail,
        "error_retryable": error_retryable and status == JobStatus.FAILED,
        "next_attempt_at": None,
    }
    if status == JobStatus.COMPLETED:
        fields.update(progress=1.0, stage="done")
    with transaction.atomic():
        changed = JobRecord.objects.filter(pk=job_id, status__in=ACTIVE_JOB_STATUSES).update(
            **fields
        )
        if changed:
            started = started_at or (
                JobRecord.objects.filter(pk=job_id).values_list("started_at", flat=True).first()
            )
            _history_update(
                job_id,
                status=status,
                completed_at=now,
                duration_seconds=(now - started).total_seconds() if started else None,
                result=fields["result"],
                error=error,
            )
            # Read after the settling UPDATE holds the row: a push's mark is
            # either seen here or finds the job no longer processing.
            follow = status != JobStatus.CANCELED and (
                JobRecord.objects.filter(pk=job_id, follow_up=True)
                .values_list("project_id", flat=True)
                .first()
            )
            if follow:
                transaction.on_commit(functools.partial(_request_follow_up, follow))
    return bool(changed)


def _request_follow_up(project_id) -> None:
    from jobs.follow_ups import refresh_follow_up_request

    refresh_follow_up_request(project_id=project_id)


def job_set_head(job_id: str | uuid.UUID, head_sha: str) -> bool:
    """Record the remote head the running attempt resolved (pushes of it join the job)."""
    return bool(
        JobRecord.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(head_sha=head_sha)
    )


def job_mark_follow_up(job_id: str | uuid.UUID) -> bool:
    """Ask for a refresh once the job settles; ``False`` when it no longer reads too late.

    A push that arrived after a running refresh read the remote head needs
    another read, and so does any push during a skills extraction (which
    never reads the plan); the job settling (completed or failed) requests
    it. A queued refresh is not marked: it reads the head when it starts.
    """
    reads_too_late = Q(status=JobStatus.PROCESSING) | Q(
        job_type=JobType.EXTRACT_SKILLS, status__in=ACTIVE_JOB_STATUSES
    )
    return bool(JobRecord.objects.filter(reads_too_late, pk=job_id).update(follow_up=True))


def job_start(job_id: str | uuid.UUID, *, now: datetime | None = None) -> JobRecord | None:
    """Mark a queued job ``processing`` (one more attempt); ``None`` if it is not queued.

    A canceled or already finished job is never restarted, whatever RQ does.
    """
    now = now or timezone.now()
    with transaction.atomic():
        changed = JobRecord.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.PROCESSING,
            started_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=None,
            progress=0.0,
            stage="",
        )
        if not changed:
            return None
        _history_update(job_id, status=JobStatus.PROCESSING)
    return job_get_status(job_id)


def job_wait_for_retry(
    job_id: str | uuid.UUID, *, next_attempt_at: datetime, error: str, error_detail: str = ""
) -> bool:
    """Put a processing job back to ``queued`` until ``next_attempt_at``.

    The project keeps its claim; ``error`` tells users why it is waiting.
    """
    with transaction.atomic():
        changed = JobRecord.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(
            status=JobStatus.QUEUED,
            next_attempt_at=next_attempt_at,
            error=error,
            error_detail=error_detail,
            stage="waiting to retry",
            # The next attempt of a refresh reads the head again, pushes since included.
            head_sha="",
            follow_up=Case(
                When(job_type=JobType.REFRESH, then=Value(False)), default=F("follow_up")
            ),
        )
        if changed:
            _history_update(job_id, status=JobStatus.QUEUED)
    return bool(changed)


def job_set_stage(job_id: str | uuid.UUID, stage: str, progress: float) -> None:
    """Record the pipeline's stage and progress (0..1) on the record and the RQ job meta."""
    progress = min(max(progress, 0.0), 1.0)
    JobRecord.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(
        stage=stage, progress=progress
    )
    from rq import get_current_job

    job = get_current_job()
    if job is not None and job.id == str(job_id):
        job.meta["stage"] = stage
        job.meta["progress"] = progress
        job.save_meta()


def job_set_resources(
    job_id: str | uuid.UUID, *, cpu_seconds: float, peak_memory_bytes: int
) -> None:
    """Store what the job's process consumed (whatever its final state)."""
    JobRecord.objects.filter(pk=job_id).update(
        cpu_seconds=round(cpu_seconds, 3), peak_memory_bytes=peak_memory_bytes
    )
