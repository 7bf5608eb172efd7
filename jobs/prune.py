"""Retention: forget old finished jobs and refresh history; thin, then expire, old snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.signals import retention_prune
from projects.plan_store import snapshots_expire, snapshots_thin

FINISHED = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED)


def prune(*, now: datetime) -> dict:
    """Apply the retention settings once; returns how many rows each rule removed.

    Active jobs and their history are never touched, however old, nor a
    project's latest snapshot.
    """
    job_cutoff = now - timedelta(days=settings.JOB_RECORD_RETENTION_DAYS)
    history_cutoff = now - timedelta(days=settings.REFRESH_HISTORY_RETENTION_DAYS)
    snapshot_cutoff = now - timedelta(days=settings.SNAPSHOT_FULL_RETENTION_DAYS)
    _, jobs = JobRecord.objects.filter(status__in=FINISHED, completed_at__lt=job_cutoff).delete()
    _, history = RefreshHistory.objects.filter(
        status__in=FINISHED, created_at__lt=history_cutoff
    ).delete()
    report = {
        "job_records": jobs.get(JobRecord._meta.label, 0),
        "refresh_history": history.get(RefreshHistory._meta.label, 0),
        "snapshots": snapshots_thin(older_than=snapshot_cutoff),
    }
    if settings.SNAPSHOT_RETENTION_DAYS:
        report["snapshots"] += snapshots_expire(
            older_than=now - timedelta(days=settings.SNAPSHOT_RETENTION_DAYS)
        )
    # django-stubs types a receiver's response as str | None; ours return (name, count).
    for _, (name, count) in retention_prune.send(sender=prune, now=now):  # type: ignore[misc]
        report[name] = count
    return report
