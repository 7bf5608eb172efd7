"""Retention: old finished jobs and history go; old snapshots thin to one a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.prune import prune
from projects.models import ProgressSnapshot


def _job(project, *, status, completed_days_ago):
    record = JobRecord.objects.create(
        project=project,
        job_type="refresh",
        queue="repotrackr",
        status=status,
    )
    if completed_days_ago is not None:
        JobRecord.objects.filter(pk=record.pk).update(
            completed_at=timezone.now() - timedelta(days=completed_days_ago)
        )
    return record


@pytest.mark.django_db
def test_old_finished_job_records_are_deleted_and_recent_or_active_ones_kept(project, settings):
    settings.JOB_RECORD_RETENTION_DAYS = 30
    old = _job(project, status=JobStatus.FAILED, completed_days_ago=31)
    recent = _job(project, status=JobStatus.COMPLETED, completed_days_ago=29)
    active = _job(project, status=JobStatus.QUEUED, completed_days_ago=None)
    JobRecord.objects.filter(pk=active.pk).update(created_at=timezone.now() - timedelta(days=90))
    result = prune(now=timezone.now())
    assert result["job_records"] == 1
    assert set(JobRecord.objects.values_list("pk", flat=True)) == {recent.pk, active.pk}
    assert not JobRecord.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_old_refresh_history_is_deleted(project, settings):
    settings.REFRESH_HISTORY_RETENTION_DAYS = 180
    old = RefreshHistory.objects.create(project=project, trigger="manual", status="completed")
    new = RefreshHistory.objects.create(project=project, trigger="manual", status="completed")
    RefreshHistory.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=181))
    assert prune(now=timezone.now())["refresh_history"] == 1
    assert list(RefreshHistory.objects.values_list("pk", flat=True)) == [new.pk]


@pytest.mark.django_db
def test_snapshots_older_than_a_month_are_thinned_to_the_last_of_each_day(project, settings):
    settings.SNAPSHOT_FULL_RETENTION_DAYS = 30
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def snap(at: datetime) -> ProgressSnapshot:
        row = ProgressSnapshot.objects.create(project=project, status="green")
        ProgressSnapshot.objects.filter(pk=row.pk).update(created_at=at)
        return row

    old_day = now - timedelta(days=40)
    morning, evening = snap(old_day.replace(hour=8)), snap(old_day.replace(hour=20))
    other_day = snap(now - timedelta(days=35))
    recent = [snap(now - timedelta(days=2, hours=h)) for h in (1, 2)]
    assert prune(now=now)["snapshots"] == 1
    kept = set(ProgressSnapshot.objects.values_list("pk", flat=True))
    assert kept == {evening.pk, other_day.pk, *(r.pk for r in recent)}
    assert morning.pk not in kept


def _snap(project, at: datetime) -> ProgressSnapshot:
    row = ProgressSnapshot.objects.create(project=project, status="green")
    ProgressSnapshot.objects.filter(pk=row.pk).update(created_at=at)
    return row


@pytest.mark.django_db
def test_snapshots_older_than_the_retention_go_but_each_projects_latest_stays(
    project, make_user, settings
):
    from projects.services import project_create

    settings.SNAPSHOT_RETENTION_DAYS = 730
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    expired = [_snap(project, now - timedelta(days=d)) for d in (800, 760)]
    kept = _snap(project, now - timedelta(days=700))
    quiet = project_create(owner=make_user(), name="quiet", repo_url="https://example.org/q.git")
    only_old = _snap(quiet, now - timedelta(days=900))  # its latest: the page needs it
    assert prune(now=now)["snapshots"] == 2
    left = set(ProgressSnapshot.objects.values_list("pk", flat=True))
    assert left == {kept.pk, only_old.pk}
    assert not left & {e.pk for e in expired}


@pytest.mark.django_db
def test_a_snapshot_retention_of_zero_keeps_every_day(project, settings):
    settings.SNAPSHOT_RETENTION_DAYS = 0
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rows = [_snap(project, now - timedelta(days=d)) for d in (3000, 2000, 1)]
    assert prune(now=now)["snapshots"] == 0
    assert ProgressSnapshot.objects.count() == len(rows)
