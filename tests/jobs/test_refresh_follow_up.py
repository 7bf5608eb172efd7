"""A job marked to be followed requests one webhook refresh when it settles, and only then."""

from __future__ import annotations

import pytest

from jobs import tracker
from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.refresh_requests import RequestTrigger, project_refresh_request


def _running_marked_job(project):
    job = project_refresh_request(
        project=project, requested_by=project.owner, trigger=RequestTrigger.MANUAL
    ).job
    tracker.job_start(job.pk)
    assert tracker.job_mark_follow_up(job.pk)
    return job


def _follow_ups(project, job):
    return JobRecord.objects.filter(project=project).exclude(pk=job.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED])
def test_a_marked_job_that_settles_is_followed_by_a_free_webhook_refresh(
    project, status, django_capture_on_commit_callbacks
):
    job = _running_marked_job(project)
    with django_capture_on_commit_callbacks(execute=True):
        assert tracker.job_update_status(job.pk, status=status, error="x", result={})
    (follow_up,) = _follow_ups(project, job)
    assert follow_up.status == JobStatus.QUEUED and follow_up.requested_by is None
    assert follow_up.job_type == "refresh"
    history = RefreshHistory.objects.get(job=follow_up)
    assert (history.trigger, history.user) == ("webhook", None)

    # Settling twice (callback, reconciliation) requests nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert not tracker.job_update_status(job.pk, status=status, error="x", result={})
    assert _follow_ups(project, job).count() == 1


@pytest.mark.django_db
def test_a_canceled_or_unmarked_job_is_not_followed(project, django_capture_on_commit_callbacks):
    canceled = _running_marked_job(project)
    with django_capture_on_commit_callbacks(execute=True):
        tracker.job_update_status(canceled.pk, status=JobStatus.CANCELED)
    assert not _follow_ups(project, canceled).exists()

    plain = project_refresh_request(
        project=project, requested_by=None, trigger=RequestTrigger.WEBHOOK
    ).job
    tracker.job_start(plain.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tracker.job_update_status(plain.pk, status=JobStatus.COMPLETED, result={})
    assert JobRecord.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_the_follow_up_of_an_archived_project_is_not_requested(
    project, django_capture_on_commit_callbacks
):
    job = _running_marked_job(project)
    type(project).objects.filter(pk=project.pk).update(archived=True)
    with django_capture_on_commit_callbacks(execute=True):
        tracker.job_update_status(job.pk, status=JobStatus.FAILED, error="x")
    assert not _follow_ups(project, job).exists()


@pytest.mark.django_db
def test_only_a_running_job_records_its_head(project):
    job = project_refresh_request(
        project=project, requested_by=None, trigger=RequestTrigger.WEBHOOK
    ).job
    assert not tracker.job_set_head(job.pk, "a" * 40)  # still queued
    tracker.job_start(job.pk)
    assert tracker.job_set_head(job.pk, "a" * 40)
    assert JobRecord.objects.get(pk=job.pk).head_sha == "a" * 40
