"""A worker killed while a delivery is in flight: delivered at least once, same delivery id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus
from notifications.services import channel_send_test, deliveries_redeliver_stuck

BASE_DIR = Path(__file__).resolve().parents[2]


def _start_worker(settings) -> subprocess.Popen:
    db = connection.settings_dict
    url = (
        f"sqlite:///{db['NAME']}"
        if connection.vendor == "sqlite"
        else f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}"
        f"{':' + str(db['PORT']) if db['PORT'] else ''}/{db['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=settings.REDIS_URL,
        REPOTRACKR_ALLOW_LOCAL_NOTIFY="true",
        JOB_MONITORING_INTERVAL="1",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", settings.QUEUE_DEFAULT, "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True)
def test_a_delivery_cut_off_by_a_killed_worker_is_sent_again_with_the_same_id(
    make_channel, receiver, settings, drain, django_capture_on_commit_callbacks
):
    receiver.delay = 30  # the receiver holds the answer: the worker is mid-request
    channel, _ = make_channel("webhook", receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        delivery = channel_send_test(channel=channel, now=timezone.now())
    worker = _start_worker(settings)
    try:
        receiver.wait_for(1, timeout=60)
        assert len(receiver.requests) == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING  # never marked delivered

    receiver.delay = 0
    later = timezone.now() + timedelta(seconds=settings.NOTIFY_REDELIVER_AFTER + 1)
    assert deliveries_redeliver_stuck(now=later) == 1
    drain()

    ids = [r["headers"]["X-RepoTrackr-Delivery"] for r in receiver.requests]
    assert ids == [str(delivery.pk), str(delivery.pk)]
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_a_delivery_whose_job_keeps_dying_is_given_up(make_channel, receiver, settings):
    channel, _ = make_channel("webhook", receiver.url())
    delivery = Delivery.objects.create(
        channel=channel,
        event="channel.test",
        episode="x",
        status=DeliveryStatus.SENDING,
        attempts=len(settings.NOTIFY_RETRY_INTERVALS) + 1,
    )
    later = timezone.now() + timedelta(seconds=settings.NOTIFY_REDELIVER_AFTER + 1)
    assert deliveries_redeliver_stuck(now=later) == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "gave up" in delivery.error
