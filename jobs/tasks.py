"""RQ job functions. They take a job id (a string) and return a JSON dict.

Each loads its JobRecord, hands off to the pipeline and records the
outcome: success completes the record; a transient failure puts it back to
``queued`` and returns an RQ ``Retry`` with the next interval from
``JOB_RETRY_INTERVALS``; a permanent one fails the record and raises
``JobFailedError`` so that RQ marks the job failed too.
"""

from __future__ import annotations

import logging
import resource
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rq import Retry

from jobs import memory_guard, pipeline, tracker
from jobs.errors import classify_error
from jobs.models import JobRecord, JobStatus
from jobs.signals import refresh_outcome_announced
from projects.services import project_access_token

logger = logging.getLogger(__name__)


class JobFailedError(Exception):
    """Raised to make RQ record the failure; the message is the user-facing error."""


class _Usage:
    """CPU seconds and peak memory of this process (and the git it ran) during a job."""

    def __init__(self) -> None:
        self.start = self._cpu()

    @staticmethod
    def _cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def record(self, job_id: str) -> None:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        try:  # ru_maxrss is KiB on Linux; psutil gives today's RSS if higher
            import psutil

            current = psutil.Process().memory_info().rss
        except Exception:  # noqa: BLE001 - usage is informative only
            current = 0
        peak = max(own * 1024, children * 1024, current)
        tracker.job_set_resources(
            job_id, cpu_seconds=self._cpu() - self.start, peak_memory_bytes=peak
        )


def retry_interval(attempt: int) -> int | None:
    """Seconds before retry number ``attempt`` (1-based), or ``None`` when retries are spent."""
    intervals = settings.JOB_RETRY_INTERVALS
    if attempt > len(intervals):
        return None
    return intervals[attempt - 1]


def _run(job_id: str, runner) -> dict | Retry:
    usage = _Usage()
    record = tracker.job_start(job_id)
    if record is None:
        # Canceled, already settled, or a reused id running again: do nothing.
        existing = JobRecord.objects.filter(pk=job_id).first()
        return {"status": existing.status if existing else "missing"}

    def report(stage: str, progress: float) -> None:
        tracker.job_set_stage(job_id, stage, progress)

    token = _token_of(record)
    secrets = (token,) if token else ()
    try:
        with _memory_watch(job_id):
            return runner(record, report=report, now=timezone.now(), token=token)
    except pipeline.JobCanceledError:
        return {"status": JobStatus.CANCELED.value}
    except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
        error = classify_error(exc, secrets=secrets)
        interval = retry_interval(record.attempts) if error.retryable else None
        if interval is not None:
            tracker.job_wait_for_retry(
                job_id,
                next_attempt_at=timezone.now() + timedelta(seconds=interval),
                error=f"{error.message} (retrying in {interval} s)",
                error_detail=error.detail,
            )
            return Retry(
                max=len(settings.JOB_RETRY_INTERVALS), interval=settings.JOB_RETRY_INTERVALS
            )
        logger.warning("Job %s failed: %s", job_id, error.message)
        tracker.job_update_status(
            job_id,
            status=JobStatus.FAILED,
            error=error.message,
            error_detail=error.detail,
            error_retryable=error.retryable,
        )
        raise JobFailedError(error.message) from None
    finally:
        usage.record(job_id)


def _memory_watch(job_id: str):
    """The RSS watchdog, in a forked work-horse only (see ``jobs.memory_guard``)."""
    limit = settings.REPOTRACKR_JOB_MAX_RSS_BYTES if memory_guard.IN_WORK_HORSE else 0

    def fail_record(message: str) -> None:
        tracker.job_update_status(job_id, status=JobStatus.FAILED, error=message)

    return memory_guard.memory_watchdog(limit_bytes=limit, on_hard_limit=fail_record)


def _token_of(record: JobRecord) -> str | None:
    """The project's token, decrypted once per job: git uses it, every message redacts it.

    ``None`` when it cannot be decrypted; the pipeline then fails with a clear message.
    """
    if record.project is None:
        return ""
    try:
        return project_access_token(project=record.project)
    except Exception:  # noqa: BLE001 - an undecryptable token fails later, clearly
        return None


def process_project(job_id: str) -> dict | Retry:
    """Refresh one project (the whole pipeline)."""
    with refresh_outcome_announced(job_id):
        return _run(job_id, pipeline.run_refresh)


def extract_skills(job_id: str) -> dict | Retry:
    """Re-extract one project's skills."""
    return _run(job_id, pipeline.run_skills_extraction)


def on_job_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback: settle the record if the job died outside our handling.

    Our own failures were recorded before raising (this is then a no-op);
    a timeout or a crash inside RQ is recorded here. Idempotent.
    """
    if exc_type is JobFailedError:
        return
    error = classify_error(exc_value if exc_value is not None else Exception("job failed"))
    tracker.job_update_status(
        job.id,
        status=JobStatus.FAILED,
        error=error.message,
        error_detail=error.detail,
        error_retryable=error.retryable,
    )


def reconcile_jobs() -> dict:
    """Periodic: settle records whose RQ job died, vanished or finished unseen."""
    from jobs.reconcile import reconcile

    return reconcile().as_dict()


def enqueue_due_refreshes() -> dict:
    """Periodic: queue low-priority refreshes of projects whose interval has passed."""
    from jobs.scheduling import refreshes_enqueue_due

    return {"enqueued": refreshes_enqueue_due(now=timezone.now())}


def prune_old_records() -> dict:
    """Periodic (daily): apply the retention settings."""
    from jobs.prune import prune

    return prune(now=timezone.now())
