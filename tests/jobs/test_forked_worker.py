"""Real forked workers (``manage.py rqworker``): a refresh completes; a SIGKILL is settled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from django.db import connection
from django.utils import timezone
from rq.job import Job
from rq.job import JobStatus as RQStatus

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.reconcile import WORKER_DIED, reconcile
from jobs.services import refresh_request
from repotrackr.redis_connection import get_redis

BASE_DIR = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """The URL of the test database, for a worker process to use the same data."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if user else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def _start_worker(settings, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        REPOTRACKR_CLONE_DIR=str(settings.REPOTRACKR_CLONE_DIR),
        REPOTRACKR_ALLOW_LOCAL_REPOS="true",
        REPOTRACKR_LS_REMOTE_TIMEOUT="120",
        JOB_MONITORING_INTERVAL="1",
        QUEUE_PAUSE_POLL_SECONDS="1",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "rqworker",
            settings.QUEUE_HIGH,
            settings.QUEUE_DEFAULT,
            settings.QUEUE_LOW,
            "--verbosity",
            "0",
            *extra,
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(predicate, timeout: float = 120.0):
    """Poll ``predicate`` until it is truthy; the deadline is generous for a loaded machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.mark.django_db(transaction=True)
def test_a_forked_worker_runs_a_refresh_to_completion(repo, make_project, owner, settings):
    project = make_project(repo.url)
    outcome = refresh_request(project=project, user=owner, trigger="manual")
    worker = _start_worker(settings, "--burst")
    assert worker.wait(timeout=300) == 0
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED, record.error_detail
    assert record.result["tasks_count"] == 5
    assert record.cpu_seconds > 0 and record.peak_memory_bytes > 0
    assert Job.fetch(str(record.pk), connection=get_redis()).get_status() == RQStatus.FINISHED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("victim", ["work-horse", "whole worker"])
def test_a_job_whose_worker_is_killed_ends_failed_in_rq_and_in_its_record(
    victim, silent_git_server, make_project, owner, settings
):
    project = make_project(silent_git_server.url)
    outcome = refresh_request(project=project, user=owner, trigger="manual")
    worker = _start_worker(settings)
    try:
        _wait_for(lambda: JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.PROCESSING)
        parent = psutil.Process(worker.pid)
        horse = _wait_for(lambda: [p for p in parent.children() if "python" in p.name()])
        if victim == "work-horse":
            os.kill(horse[0].pid, signal.SIGKILL)
            job = Job.fetch(str(outcome.job.pk), connection=get_redis())
            _wait_for(lambda: job.get_status(refresh=True) == RQStatus.FAILED, timeout=60)
            later = timezone.now()
        else:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            # The job stays "started" until its heartbeat lapses (61 s here).
            later = timezone.now() + timedelta(seconds=70)
        assert JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.PROCESSING

        first = reconcile(now=later)
        second = reconcile(now=later)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED
    assert record.error == WORKER_DIED
    assert RefreshHistory.objects.get(job=record).status == JobStatus.FAILED
    job = Job.fetch(str(record.pk), connection=get_redis())
    assert job.get_status() == RQStatus.FAILED
    assert first.failed + first.abandoned_cleaned >= 1
    assert second.failed == 0  # settled once
    assert not JobRecord.objects.filter(
        project=project, status__in=["queued", "processing"]
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_canceling_a_running_job_stops_its_work_horse(
    silent_git_server, make_project, owner, settings
):
    from jobs.services import job_cancel

    project = make_project(silent_git_server.url)
    outcome = refresh_request(project=project, user=owner, trigger="manual")
    worker = _start_worker(settings)
    try:
        _wait_for(lambda: JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.PROCESSING)
        record = job_cancel(job=JobRecord.objects.get(pk=outcome.job.pk), user=owner)
        assert record.status == JobStatus.CANCELED
        job = Job.fetch(str(record.pk), connection=get_redis())
        _wait_for(lambda: job.get_status(refresh=True) == RQStatus.STOPPED, timeout=60)
        assert worker.poll() is None  # the worker itself lives on
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert reconcile().canceled == 0  # already settled
    assert RefreshHistory.objects.get(job=record).status == JobStatus.CANCELED


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_leaves_a_paused_queue_until_it_is_resumed(
    repo, make_project, owner, settings
):
    from jobs.queues import queue_pause, queue_resume

    queue_pause(settings.QUEUE_HIGH)
    worker = _start_worker(settings)
    try:
        from rq import Worker

        _wait_for(lambda: Worker.count(connection=get_redis()) == 1)
        worker_key = Worker.all(connection=get_redis())[0].key
        outcome = refresh_request(project=make_project(repo.url), user=owner, trigger="manual")
        # Each look at the queues writes a heartbeat as it starts and as it ends, and
        # re-reads the paused set first. Four heartbeats written after the enqueue mean
        # the worker has looked at least twice since, however slowly it runs.
        beats = {get_redis().hget(worker_key, "last_heartbeat")}

        def four_new_heartbeats() -> bool:
            beats.add(get_redis().hget(worker_key, "last_heartbeat"))
            return len(beats) > 4

        _wait_for(four_new_heartbeats)
        assert JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.QUEUED
        queue_resume(settings.QUEUE_HIGH)
        _wait_for(lambda: JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.COMPLETED)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
