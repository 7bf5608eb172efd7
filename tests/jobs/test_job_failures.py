"""Transient failures retry with growing delays; permanent ones fail once, clearly."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rq.job import Job
from rq.job import JobStatus as RQStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.queues import get_queue
from projects.models import Task
from projects.services import project_update
from repotrackr.redis_connection import get_redis


def _refused_git_url() -> str:
    """A git:// URL on a local port nobody listens on: connection refused, a network error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"git://127.0.0.1:{port}/missing.git"


def _release_scheduled(queue) -> list[str]:
    """Do what RQ's scheduler does once the retry time has come."""
    registry = ScheduledJobRegistry(queue=queue)
    ids = registry.get_jobs_to_schedule(int(time.time()) + 3600)
    for job_id in ids:
        job = Job.fetch(job_id, connection=get_redis())
        registry.remove(job)
        queue.enqueue_job(job)
    return ids


@pytest.mark.django_db
def test_a_transient_error_is_retried_with_increasing_delays_then_fails(
    make_project, request_refresh, drain, settings
):
    settings.JOB_RETRY_INTERVALS = [10, 30]
    project = make_project(_refused_git_url())
    outcome = request_refresh(project)
    high = get_queue(settings.QUEUE_HIGH)
    # Each attempt fails at a frozen moment, so the delay is exactly the configured
    # interval however long the worker took to get there on a loaded machine.
    failed_at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    delays = []
    for attempt in (1, 2):
        failed_at += timedelta(minutes=5)
        with time_machine.travel(failed_at, tick=False):
            drain()
        record = JobRecord.objects.get(pk=outcome.job.pk)
        assert record.status == JobStatus.QUEUED and record.attempts == attempt
        assert "could not be reached" in record.error
        scheduled = ScheduledJobRegistry(queue=high).get_scheduled_time(str(record.pk))
        delays.append((scheduled - failed_at).total_seconds())
        assert record.next_attempt_at == scheduled
        assert RefreshHistory.objects.get(job=record).status == JobStatus.QUEUED
        assert _release_scheduled(high) == [str(record.pk)]
    assert delays == [10, 30]
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 3
    assert record.next_attempt_at is None
    assert "could not be reached" in record.error and "Traceback" not in record.error
    assert "Traceback" in record.error_detail
    assert Job.fetch(str(record.pk), connection=get_redis()).get_status() == RQStatus.FAILED


@pytest.mark.django_db
def test_a_retried_job_succeeds_once_the_remote_is_back(
    make_project, repo, request_refresh, drain, settings
):
    project = make_project(_refused_git_url())
    outcome = request_refresh(project)
    drain()
    project_update(project=project, data={"repo_url": repo.url})
    _release_scheduled(get_queue(settings.QUEUE_HIGH))
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED and record.attempts == 2
    assert record.error == "" and record.result["tasks_count"] == 5


@pytest.mark.django_db
def test_a_configured_plan_path_gone_missing_fails_once_and_leaves_previous_tasks_untouched(
    project, repo, request_refresh, drain, settings
):
    project_update(project=project, data={"plan_path": "docs/plan.md"})
    request_refresh(project)
    drain()
    project.refresh_from_db()
    before = (project.status, project.total_tasks, project.last_commit_sha)
    repo.remove("docs/plan.md").commit("drop the plan")
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1
    assert record.error == "plan not found: docs/plan.md (from the plan path) does not exist"
    assert record.result is None
    assert ScheduledJobRegistry(queue=get_queue(settings.QUEUE_HIGH)).count == 0
    assert FailedJobRegistry(queue=get_queue(settings.QUEUE_HIGH)).count == 1
    project.refresh_from_db()
    assert (project.status, project.total_tasks, project.last_commit_sha) == before
    assert Task.objects.filter(project=project).count() == 5
    history = RefreshHistory.objects.get(job=record)
    assert history.status == JobStatus.FAILED and history.error == record.error


@pytest.mark.django_db
def test_a_missing_branch_fails_at_once_with_a_clear_message(
    make_project, repo, request_refresh, drain
):
    project = make_project(repo.url, branch="no-such-branch")
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1
    assert "no-such-branch" in record.error and "does not exist" in record.error


@pytest.mark.django_db
def test_a_token_never_appears_in_the_error_or_its_detail(make_project, request_refresh, drain):
    secret = "glpat-SECRET-token-123"
    project = make_project("https://127.0.0.1:1/group/repo.git", access_token=secret)
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.error
    assert secret not in record.error and secret not in record.error_detail


@pytest.mark.django_db
def test_a_job_canceled_before_a_worker_takes_it_never_runs(project, request_refresh, drain):
    outcome = request_refresh(project)
    JobRecord.objects.filter(pk=outcome.job.pk).update(status=JobStatus.CANCELED)
    drain()
    assert Task.objects.filter(project=project).count() == 0
    assert JobRecord.objects.get(pk=outcome.job.pk).attempts == 0


@pytest.mark.django_db
def test_a_job_over_its_time_limit_fails_with_a_clear_message(
    make_project, silent_git_server, request_refresh, drain, settings
):
    settings.RQ_QUEUES = {
        name: {**config, "DEFAULT_TIMEOUT": 1} for name, config in settings.RQ_QUEUES.items()
    }
    project = make_project(silent_git_server.url)
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED
    assert record.error == "the refresh took longer than the job time limit"
    assert "JobTimeoutException" in record.error_detail
