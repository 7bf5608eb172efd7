"""Signals other apps listen to without ``jobs`` importing them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent by the daily prune with ``now``; a receiver deletes its own expired rows
# and returns ``(name, count)`` for the prune report.
retention_prune = Signal()

# Sent once when a refresh job ends for good (completed or failed; not when it
# waits for a retry or was canceled), with ``project_id``, ``job_id``,
# ``succeeded``, ``before`` (the project's figures when the job started:
# ``status``, ``percentage``, ``last_commit_sha``) and ``result``.
refresh_finished = Signal()

_FIGURES = ("status", "percentage", "last_commit_sha")


@contextmanager
def refresh_outcome_announced(job_id: str) -> Iterator[None]:
    """Around a refresh job: note the project's figures, then announce how it ended.

    Receivers' errors are logged and never change the job's outcome.
    """
    from jobs.models import JobRecord, JobStatus
    from projects.models import Project

    project_id = JobRecord.objects.filter(pk=job_id).values_list("project_id", flat=True).first()
    before = Project.objects.filter(pk=project_id).values(*_FIGURES).first() if project_id else None
    try:
        yield
    finally:
        record = JobRecord.objects.filter(pk=job_id).values("status", "result").first()
        ended = record is not None and record["status"] in (JobStatus.COMPLETED, JobStatus.FAILED)
        if record is not None and before is not None and ended:
            for receiver, response in refresh_finished.send_robust(
                sender=JobRecord,
                project_id=project_id,
                job_id=job_id,
                succeeded=record["status"] == JobStatus.COMPLETED,
                before=before,
                result=record["result"] or {},
            ):
                if isinstance(response, Exception):
                    logger.error("refresh_finished receiver %s failed", receiver, exc_info=response)
