"""A real Redis stopped and restarted under the app: requests refused cleanly, accepted jobs kept.

The test starts a redis-server of its own so that it can stop it, restart
it keeping its data, or restart it empty (what a Redis without persistence
does after a crash).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.reconcile import reconcile
from tests.chaos.stack import RedisServer
from webhooks.models import WebhookDelivery
from webhooks.providers import github
from webhooks.services import webhook_endpoint_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
        }
    }
    yield server
    server.close()


def _push(client, project, secret: str, delivery_id: str):
    body = json.dumps(
        {
            "ref": "refs/heads/main",
            "after": "1" * 40,
            "repository": {"full_name": "team/demo", "default_branch": "main"},
        }
    ).encode()
    return client.post(
        f"/webhooks/{project.pk}/",
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": github.sign(body, secret),
        },
    )


def _nothing_active(project) -> bool:
    return not JobRecord.objects.filter(
        project=project, status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]
    ).exists()


def test_with_redis_stopped_pushes_and_refreshes_are_503_and_a_redelivery_is_honoured_after(
    own_redis, project, owner_api, client, drain, django_capture_on_commit_callbacks
):
    _, secret = webhook_endpoint_get_or_create(project=project)
    own_redis.stop_keeping_data()
    delivery = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        pushed = _push(client, project, secret, delivery)
        refreshed = owner_api.post(f"/api/v1/projects/{project.pk}/refresh")
    assert (pushed.status_code, refreshed.status_code) == (503, 503)
    assert _nothing_active(project)
    # Refused means refused: any record written has its outcome.
    assert not RefreshHistory.objects.filter(status__in=["queued", "processing"]).exists()

    own_redis.start()
    with django_capture_on_commit_callbacks(execute=True):
        again = _push(client, project, secret, delivery)  # the forge redelivers
    assert again.status_code == 202 and again.json()["verdict"] == "queued"
    drain()
    job = JobRecord.objects.get(pk=again.json()["job_id"])
    assert job.status == JobStatus.COMPLETED
    assert RefreshHistory.objects.get(job=job).status == JobStatus.COMPLETED
    verdicts = list(
        WebhookDelivery.objects.filter(delivery_id=delivery)
        .order_by("received_at")
        .values_list("http_status", flat=True)
    )
    assert verdicts == [503, 202]


def test_a_refresh_accepted_before_redis_lost_its_data_runs_after_reconciliation(
    own_redis, project, owner_api, drain, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = owner_api.post(f"/api/v1/projects/{project.pk}/refresh")
    assert accepted.status_code == 202
    own_redis.kill_and_wipe()
    own_redis.start()
    assert drain().successful_job_count == 0  # Redis no longer knows the job

    later = timezone.now() + timedelta(seconds=61)
    assert reconcile(now=later, recheck_after=0).requeued == 1
    drain()
    job = JobRecord.objects.get(pk=accepted.json()["job_id"])
    assert (job.status, job.attempts) == (JobStatus.COMPLETED, 1)
    assert RefreshHistory.objects.get(job=job).status == JobStatus.COMPLETED


def test_a_refresh_accepted_before_a_clean_redis_restart_simply_runs(
    own_redis, project, owner_api, drain, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = owner_api.post(f"/api/v1/projects/{project.pk}/refresh")
    own_redis.stop_keeping_data()
    own_redis.start()
    drain()
    assert JobRecord.objects.get(pk=accepted.json()["job_id"]).status == JobStatus.COMPLETED
    assert reconcile(recheck_after=0).requeued == 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_watching_a_job_outlives_a_redis_restart_and_takes_jobs_after_it(
    own_redis, make_project, project, settings, silent_git_server
):
    from jobs.services import refresh_request
    from tests.jobs.test_forked_worker import _test_database_url, _wait_for

    # The first job hangs on a git host that never answers, for its 6 s timeout:
    # Redis goes away while the worker watches it.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        REPOTRACKR_CLONE_DIR=str(settings.REPOTRACKR_CLONE_DIR),
        REPOTRACKR_ALLOW_LOCAL_REPOS="true",
        REPOTRACKR_LS_REMOTE_TIMEOUT="6",
        JOB_MONITORING_INTERVAL="1",
    )
    queues = (settings.QUEUE_HIGH, settings.QUEUE_DEFAULT, settings.QUEUE_LOW)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", *queues, "--with-scheduler", "-v", "0"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        hanging = make_project(silent_git_server.url)
        slow = refresh_request(project=hanging, user=None, trigger="api").job
        _wait_for(
            lambda: JobRecord.objects.filter(pk=slow.pk, status=JobStatus.PROCESSING).exists()
        )
        own_redis.stop_keeping_data()
        time.sleep(3)  # more than the worker's 1 s monitoring interval
        own_redis.start()
        assert worker.poll() is None
        record = refresh_request(project=project, user=None, trigger="api").job
        _wait_for(
            lambda: JobRecord.objects.filter(pk=record.pk, status=JobStatus.COMPLETED).exists()
        )
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
