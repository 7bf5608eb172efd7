"""Reconciliation settles records that RQ and the database disagree about."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rq.job import Job

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.reconcile import JOB_LOST, reconcile
from projects.core.git_remote import CLONE_DIR_PREFIX
from repotrackr.redis_connection import get_redis


def _job(pk) -> Job:
    return Job.fetch(str(pk), connection=get_redis())


@pytest.mark.django_db
def test_a_processing_record_whose_rq_job_vanished_is_failed(project, request_refresh):
    record = request_refresh(project).job
    JobRecord.objects.filter(pk=record.pk).update(status=JobStatus.PROCESSING)
    _job(record.pk).delete()
    report = reconcile()
    record.refresh_from_db()
    assert record.status == JobStatus.FAILED and record.error == JOB_LOST
    assert RefreshHistory.objects.get(job=record).status == JobStatus.FAILED
    assert report.failed == 1


@pytest.mark.django_db
def test_a_queued_record_missing_from_redis_is_left_alone_during_the_grace_period(
    project, request_refresh
):
    record = request_refresh(project).job
    _job(record.pk).delete()
    assert reconcile().failed == 0
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.QUEUED
    later = timezone.now() + timedelta(seconds=61)
    assert reconcile(now=later).failed == 1
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.FAILED


@pytest.mark.django_db
def test_a_job_that_finished_without_its_record_knowing_is_completed(project, request_refresh):
    record = request_refresh(project).job
    result = {
        "status": "success",
        "tasks_count": 3,
        "progress_percentage": 50.0,
        "skills_count": 1,
        "commit_sha": "a" * 40,
        "unchanged": False,
    }
    from rq.registry import StartedJobRegistry

    from jobs.queues import get_queue

    queue = get_queue(record.queue)
    job = queue.dequeue_any([queue], None, connection=get_redis())[0]
    JobRecord.objects.filter(pk=record.pk).update(status=JobStatus.PROCESSING)
    job._result = result
    job.set_status("finished")
    from rq.results import Result

    Result.create(job, Result.Type.SUCCESSFUL, ttl=60, return_value=result)
    assert StartedJobRegistry(queue=queue).count == 0
    report = reconcile()
    record.refresh_from_db()
    assert record.status == JobStatus.COMPLETED and record.result == result
    assert report.completed == 1
    assert reconcile().completed == 0  # settled once


@pytest.mark.django_db
def test_settled_records_are_never_touched_again(project, request_refresh, drain):
    record = request_refresh(project).job
    drain()
    record.refresh_from_db()
    completed_at = record.completed_at
    report = reconcile(now=timezone.now() + timedelta(days=1))
    record.refresh_from_db()
    assert record.status == JobStatus.COMPLETED and record.completed_at == completed_at
    assert (report.failed, report.completed, report.canceled) == (0, 0, 0)


@pytest.mark.django_db
def test_reconciliation_sweeps_clone_directories_left_by_killed_jobs(settings):
    parent = settings.REPOTRACKR_CLONE_DIR
    parent.mkdir(parents=True)
    old = parent / f"{CLONE_DIR_PREFIX}killed"
    fresh = parent / f"{CLONE_DIR_PREFIX}running"
    other = parent / "not-ours"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "objects").mkdir()
    an_hour_ago = time.time() - settings.CLONE_SWEEP_AFTER_SECONDS - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    os.utime(other, (an_hour_ago, an_hour_ago))
    assert reconcile().clones_swept == 1
    assert not old.exists() and fresh.exists() and other.exists()
