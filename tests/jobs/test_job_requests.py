"""Requesting, retrying, canceling and clearing jobs through the services."""

from __future__ import annotations

import json

import pytest
from rq.job import Job
from rq.job import JobStatus as RQStatus
from rq.registry import ScheduledJobRegistry

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.queues import get_queue
from jobs.services import (
    JobStateError,
    QueueUnavailableError,
    failed_jobs_clear,
    job_cancel,
    job_retry,
    refresh_schedule,
)
from repotrackr.redis_connection import get_redis


@pytest.mark.django_db
def test_a_second_request_returns_the_job_already_queued(project, request_refresh, settings):
    first = request_refresh(project)
    second = request_refresh(project, trigger="api")
    assert second.created is False and second.job.pk == first.job.pk
    assert JobRecord.objects.filter(project=project).count() == 1
    assert RefreshHistory.objects.filter(project=project).count() == 1
    assert get_queue(settings.QUEUE_HIGH).count == 1


@pytest.mark.django_db
def test_a_manual_request_moves_a_queued_low_job_to_the_high_queue_and_applies_force(
    project, request_refresh, settings
):
    low = request_refresh(project, trigger="scheduled", priority="low")
    assert get_queue(settings.QUEUE_LOW).count == 1
    manual = request_refresh(project, force=True)
    assert manual.job.pk == low.job.pk and manual.moved_to_high and manual.force_applied
    record = JobRecord.objects.get(pk=low.job.pk)
    assert record.queue == settings.QUEUE_HIGH and record.priority == "high" and record.force
    assert get_queue(settings.QUEUE_LOW).count == 0
    assert get_queue(settings.QUEUE_HIGH).job_ids == [str(record.pk)]


@pytest.mark.django_db
def test_a_job_a_worker_took_meanwhile_keeps_the_queue_it_ran_from(
    project, request_refresh, settings
):
    low = request_refresh(project, trigger="scheduled", priority="low")
    get_queue(settings.QUEUE_LOW).remove(str(low.job.pk))  # as a worker's dequeue does
    request_refresh(project)
    record = JobRecord.objects.get(pk=low.job.pk)
    assert (record.queue, record.priority) == (settings.QUEUE_LOW, "low")
    assert get_queue(settings.QUEUE_HIGH).count == 0


@pytest.mark.django_db
def test_a_scheduled_refresh_waiting_for_its_slot_moves_to_high_on_a_manual_request(
    project, django_capture_on_commit_callbacks, request_refresh, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        record = refresh_schedule(project=project, delay_seconds=120)
    low = get_queue(settings.QUEUE_LOW)
    assert ScheduledJobRegistry(queue=low).get_job_ids() == [str(record.pk)]
    manual = request_refresh(project)
    assert manual.moved_to_high
    assert ScheduledJobRegistry(queue=low).get_job_ids() == []
    assert get_queue(settings.QUEUE_HIGH).job_ids == [str(record.pk)]


@pytest.mark.django_db
def test_redis_down_at_enqueue_fails_the_records_and_releases_the_claim(
    project, request_refresh, settings
):
    good_url = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(QueueUnavailableError):
        request_refresh(project)
    record = JobRecord.objects.get(project=project)
    assert record.status == JobStatus.FAILED and record.error == "queue unavailable"
    history = RefreshHistory.objects.get(job=record)
    assert history.status == JobStatus.FAILED and history.error == "queue unavailable"
    assert not JobRecord.objects.filter(
        project=project, status__in=["queued", "processing"]
    ).exists()
    settings.REDIS_URL = good_url
    again = request_refresh(project)
    assert again.created and again.job.pk != record.pk


@pytest.mark.django_db
def test_job_args_and_results_are_json_values_only(
    project, make_repo, make_project, request_refresh, drain
):
    from jobs.tasks import enqueue_due_refreshes, prune_old_records, reconcile_jobs

    request_refresh(project)
    # Fails: the plan path it was given does not exist.
    request_refresh(make_project(make_repo(plan=None).url, plan_path="docs/plan.md"))
    drain()
    for periodic in (reconcile_jobs, enqueue_due_refreshes, prune_old_records):
        json.dumps(periodic())
    conn = get_redis()
    keys = [k.decode() for k in conn.keys("rq:job:*") if k.count(b":") == 2]
    assert len(keys) == 2
    for key in keys:
        job = Job.fetch(key.split(":", 2)[2], connection=conn)
        json.dumps(job.args)
        json.dumps(job.kwargs)
        json.dumps(job.meta)
        if job.get_status() == RQStatus.FINISHED:
            assert json.loads(json.dumps(job.return_value()))["status"] == "success"


@pytest.mark.django_db
def test_canceling_a_queued_job_cancels_it_in_rq_and_releases_the_claim(
    project, request_refresh, owner, drain
):
    outcome = request_refresh(project)
    record = job_cancel(job=outcome.job, user=owner)
    assert record.status == JobStatus.CANCELED and record.completed_at is not None
    assert RefreshHistory.objects.get(job=record).status == JobStatus.CANCELED
    job = Job.fetch(str(record.pk), connection=get_redis())
    assert job.get_status() == RQStatus.CANCELED
    drain()
    assert JobRecord.objects.get(pk=record.pk).status == JobStatus.CANCELED
    assert request_refresh(project).created


@pytest.mark.django_db
def test_canceling_a_finished_job_is_a_state_error(project, request_refresh, owner, drain):
    outcome = request_refresh(project)
    drain()
    outcome.job.refresh_from_db()
    with pytest.raises(JobStateError):
        job_cancel(job=outcome.job, user=owner)


@pytest.mark.django_db
def test_retrying_a_failed_job_creates_a_linked_new_job(
    make_repo, make_project, request_refresh, owner, drain, django_capture_on_commit_callbacks
):
    project = make_project(make_repo(plan=None).url, plan_path="docs/plan.md")
    failed = request_refresh(project).job
    drain()
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        retry = job_retry(job=failed, user=owner)
    assert retry.pk != failed.pk and retry.retry_of_id == failed.pk
    assert retry.status == JobStatus.QUEUED
    assert str(retry.pk) in get_queue(retry.queue).job_ids


@pytest.mark.django_db
def test_retrying_a_job_that_did_not_fail_is_a_state_error(project, request_refresh, owner):
    queued = request_refresh(project).job
    with pytest.raises(JobStateError):
        job_retry(job=queued, user=owner)


@pytest.mark.django_db
def test_clearing_failed_jobs_empties_rq_and_our_records(
    make_repo, make_project, request_refresh, drain, settings
):
    from rq.registry import FailedJobRegistry

    for _ in range(2):
        request_refresh(make_project(make_repo(plan=None).url, plan_path="docs/plan.md"))
    drain()
    assert FailedJobRegistry(queue=get_queue(settings.QUEUE_HIGH)).count == 2
    assert failed_jobs_clear() == 2
    assert FailedJobRegistry(queue=get_queue(settings.QUEUE_HIGH)).count == 0
    assert not JobRecord.objects.filter(status=JobStatus.FAILED).exists()


@pytest.mark.django_db
def test_the_tracker_lists_a_projects_jobs_newest_first_and_reads_one(
    project, request_refresh, drain
):
    from jobs.tracker import job_get_status, job_list_for_project

    first = request_refresh(project).job
    drain()
    second = request_refresh(project, force=True).job
    assert [j.pk for j in job_list_for_project(project)] == [second.pk, first.pk]
    assert job_get_status(first.pk).status == JobStatus.COMPLETED
    with pytest.raises(JobRecord.DoesNotExist):
        job_get_status("00000000-0000-0000-0000-000000000000")


@pytest.mark.django_db(transaction=True)
def test_deleting_a_project_cancels_its_queued_job_in_rq(owner_api, owner, tmp_path):
    from rq.job import Job

    from jobs.models import RefreshTrigger
    from jobs.services import refresh_request
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis

    project = project_create(owner=owner, name="Doomed", repo_url=str(tmp_path))
    job = refresh_request(project=project, user=owner, trigger=RefreshTrigger.MANUAL).job
    assert owner_api.delete(f"/api/v1/projects/{project.id}").status_code == 204
    assert Job.fetch(str(job.id), connection=get_redis()).get_status() == "canceled"
