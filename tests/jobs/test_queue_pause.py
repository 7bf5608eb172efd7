"""Paused queues keep accepting jobs; workers leave them alone until resumed."""

from __future__ import annotations

import pytest

from jobs.models import JobRecord, JobStatus
from jobs.queues import (
    UnknownQueueError,
    get_queue,
    paused_queues,
    queue_for_priority,
    queue_pause,
    queue_resume,
)


def test_priorities_map_to_the_three_queues(settings):
    assert queue_for_priority("high") == settings.QUEUE_HIGH
    assert queue_for_priority("normal") == settings.QUEUE_DEFAULT
    assert queue_for_priority("low") == settings.QUEUE_LOW


def test_an_unknown_queue_cannot_be_paused():
    with pytest.raises(UnknownQueueError):
        queue_pause("nope")


@pytest.mark.django_db
def test_a_worker_skips_a_paused_queue_until_it_is_resumed(
    project, request_refresh, drain, settings
):
    queue_pause(settings.QUEUE_HIGH)
    assert paused_queues() == {settings.QUEUE_HIGH}
    outcome = request_refresh(project)  # enqueuing still works
    drain()
    assert JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.QUEUED
    assert get_queue(settings.QUEUE_HIGH).count == 1
    queue_resume(settings.QUEUE_HIGH)
    assert paused_queues() == set()
    drain()
    assert JobRecord.objects.get(pk=outcome.job.pk).status == JobStatus.COMPLETED


@pytest.mark.django_db
def test_other_queues_keep_running_while_one_is_paused(
    make_project, repo, request_refresh, drain, settings
):
    queue_pause(settings.QUEUE_HIGH)
    high = request_refresh(make_project(repo.url))
    low = request_refresh(make_project(repo.url), trigger="scheduled", priority="low")
    drain()
    assert JobRecord.objects.get(pk=high.job.pk).status == JobStatus.QUEUED
    assert JobRecord.objects.get(pk=low.job.pk).status == JobStatus.COMPLETED


def test_a_worker_revives_its_scheduler_within_half_a_minute_not_ten():
    """RQ restarts a scheduler process killed by a Redis restart only during maintenance."""
    from datetime import timedelta

    from rq.utils import now

    from jobs.queues import get_queue, queue_names
    from jobs.worker import RepoTrackrWorker
    from repotrackr.redis_connection import get_redis

    conn = get_redis()
    worker = RepoTrackrWorker(
        [get_queue(n, connection=conn) for n in queue_names()], connection=conn
    )
    worker.last_cleaned_at = now() - timedelta(seconds=25)
    assert not worker.should_run_maintenance_tasks
    worker.last_cleaned_at = now() - timedelta(seconds=31)
    assert worker.should_run_maintenance_tasks
