"""Reconciliation settles records that RQ and the database disagree about."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rq.job import Job

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.queues import get_queue
from jobs.reconcile import JOB_LOST, JOB_REQUEUED, reconcile
from projects.core.git_remote import CLONE_DIR_PREFIX
from repotrackr.redis_connection import get_redis


def _job(pk) -> Job:
    return Job.fetch(str(pk), connection=get_redis())


def _timeout_and_grace(settings) -> timedelta:
    timeout = settings.RQ_QUEUES[settings.QUEUE_HIGH]["DEFAULT_TIMEOUT"]
    return timedelta(seconds=timeout + settings.JOB_RECONCILE_GRACE + 1)


def _in_queue(record) -> bool:
    return str(record.pk) in get_queue(record.queue).get_job_ids()


@pytest.mark.django_db
def test_a_processing_record_whose_rq_job_vanished_waits_for_its_timeout_then_runs_again(
    project, request_refresh, drain, settings
):
    record = request_refresh(project).job
    JobRecord.objects.filter(pk=record.pk).update(
        status=JobStatus.PROCESSING, started_at=timezone.now(), attempts=1
    )
    get_redis().flushdb()  # Redis restarted without its data while the job ran
    # A work-horse may still be running it: nothing happens before its timeout.
    assert reconcile(recheck_after=0).requeued == 0
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.PROCESSING
    report = reconcile(now=timezone.now() + _timeout_and_grace(settings), recheck_after=0)
    assert report.requeued == 1 and report.failed == 0
    record.refresh_from_db()
    assert record.status == JobStatus.QUEUED and record.error == JOB_REQUEUED
    assert _in_queue(record)
    drain()
    record.refresh_from_db()
    assert record.status == JobStatus.COMPLETED and record.attempts == 2
    assert RefreshHistory.objects.get(job=record).status == JobStatus.COMPLETED


@pytest.mark.django_db
def test_a_vanished_processing_record_with_its_attempts_spent_is_failed(
    project, request_refresh, settings
):
    record = request_refresh(project).job
    JobRecord.objects.filter(pk=record.pk).update(
        status=JobStatus.PROCESSING,
        started_at=timezone.now(),
        attempts=len(settings.JOB_RETRY_INTERVALS) + 1,
    )
    _job(record.pk).delete()
    report = reconcile(now=timezone.now() + _timeout_and_grace(settings), recheck_after=0)
    record.refresh_from_db()
    assert record.status == JobStatus.FAILED and record.error == JOB_LOST
    assert RefreshHistory.objects.get(job=record).status == JobStatus.FAILED
    assert (report.failed, report.requeued) == (1, 0)


@pytest.mark.django_db
def test_a_queued_record_redis_lost_is_queued_again_after_the_grace_period(
    project, request_refresh, drain
):
    record = request_refresh(project).job
    get_redis().flushdb()
    assert reconcile(recheck_after=0).requeued == 0
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.QUEUED
    later = timezone.now() + timedelta(seconds=61)
    report = reconcile(now=later, recheck_after=0)
    assert (report.requeued, report.failed) == (1, 0)
    assert _in_queue(record)
    assert reconcile(now=later, recheck_after=0).requeued == 0  # pushed once
    drain()
    record.refresh_from_db()
    assert record.status == JobStatus.COMPLETED and record.attempts == 1


@pytest.mark.django_db
def test_a_queued_job_whose_hash_survived_but_not_its_place_in_the_queue_is_pushed_again(
    project, request_refresh, drain
):
    record = request_refresh(project).job
    get_queue(record.queue).remove(str(record.pk))  # the push was lost, the hash kept
    assert _job(record.pk).get_status() == "queued"
    report = reconcile(now=timezone.now() + timedelta(seconds=61), recheck_after=0)
    assert report.requeued == 1
    drain()
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.COMPLETED


@pytest.mark.django_db
def test_a_retry_waiting_in_the_scheduled_registry_is_left_alone(project, request_refresh):
    record = request_refresh(project).job
    queue = get_queue(record.queue)
    job = _job(record.pk)
    queue.remove(job.id)
    queue.scheduled_job_registry.schedule(job, timezone.now() + timedelta(minutes=5))
    report = reconcile(now=timezone.now() + timedelta(seconds=61), recheck_after=0)
    assert (report.requeued, report.failed) == (0, 0)
    assert not _in_queue(record)


@pytest.mark.django_db
def test_a_record_a_worker_takes_between_the_two_looks_is_left_to_the_worker(
    project, request_refresh, drain, monkeypatch
):
    from jobs import reconcile as module

    record = request_refresh(project).job
    later = timezone.now() + timedelta(seconds=61)
    real_sleep = module.time.sleep

    def worker_takes_it(seconds):
        # The first look saw the job in no list; a worker then runs it.
        drain()
        real_sleep(0)

    get_queue(record.queue).remove(str(record.pk))
    monkeypatch.setattr(module.time, "sleep", worker_takes_it)
    get_queue(record.queue).enqueue_job(_job(record.pk))
    # Hide it from the first look only.
    first_look = module._job_ids_held
    looks = {"n": 0}

    def held(conn):
        looks["n"] += 1
        return set() if looks["n"] == 1 else first_look(conn)

    monkeypatch.setattr(module, "_job_ids_held", held)
    report = module.reconcile(now=later)
    assert report.requeued == 0
    record.refresh_from_db()
    assert record.status == JobStatus.COMPLETED and record.attempts == 1


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
