"""Periodic jobs: registration, the scheduler lock, and which projects are due."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_rq import get_scheduler
from rq.registry import ScheduledJobRegistry

from jobs.models import JobRecord, RefreshHistory
from jobs.queues import get_queue
from jobs.scheduling import (
    periodic_jobs,
    periodic_jobs_register,
    projects_due,
    refreshes_enqueue_due,
)
from projects.models import Project


def test_our_rqscheduler_command_shadows_django_rq():
    assert get_commands()["rqscheduler"] == "jobs"


def test_the_command_registers_the_periodic_jobs_once_however_often_it_starts():
    out = StringIO()
    call_command("rqscheduler", "--register-only", stdout=out)
    call_command("rqscheduler", "--register-only", stdout=StringIO())
    scheduler = get_scheduler()
    ids = sorted(job.id for job in scheduler.get_jobs())
    assert ids == sorted(job.id for job in periodic_jobs())
    assert "repotrackr-periodic-reconcile" in out.getvalue()


def test_reconciliation_runs_at_least_every_twenty_seconds(settings):
    scheduler = get_scheduler()
    periodic_jobs_register(scheduler)
    reconcile = next(j for j in scheduler.get_jobs() if j.id == "repotrackr-periodic-reconcile")
    assert reconcile.meta["interval"] <= 20
    assert reconcile.origin == settings.QUEUE_HIGH
    assert settings.RQ_SCHEDULER_INTERVAL <= settings.JOB_RECONCILE_INTERVAL


def test_only_one_scheduler_holds_the_enqueue_lock():
    first, second = get_scheduler(interval=5), get_scheduler(interval=5)
    assert first.acquire_lock()
    assert not second.acquire_lock()
    first.remove_lock()
    assert second.acquire_lock()
    second.remove_lock()


def _age(project, *, hours: float) -> None:
    Project.objects.filter(pk=project.pk).update(
        last_refreshed_at=timezone.now() - timedelta(hours=hours)
    )


@pytest.mark.django_db
def test_only_due_unarchived_idle_projects_are_refreshed_on_schedule(
    make_project, repo, request_refresh, settings
):
    never = make_project(repo.url)
    overdue = make_project(repo.url, refresh_interval_hours=6)
    _age(overdue, hours=7)
    recent = make_project(repo.url, refresh_interval_hours=6)
    _age(recent, hours=1)
    archived = make_project(repo.url, archived=True)
    busy = make_project(repo.url)
    request_refresh(busy)

    due = {p.pk for p in projects_due(now=timezone.now(), limit=100)}
    assert due == {never.pk, overdue.pk}
    assert archived.pk not in due and recent.pk not in due


@pytest.mark.django_db
def test_a_recent_failed_attempt_counts_so_broken_projects_wait_their_interval(
    make_project, repo, owner
):
    project = make_project(repo.url)
    RefreshHistory.objects.create(project=project, trigger="scheduled", status="failed")
    assert projects_due(now=timezone.now(), limit=100) == []


@pytest.mark.django_db
def test_due_refreshes_go_to_the_low_queue_spread_over_the_pass(
    make_project, repo, settings, django_capture_on_commit_callbacks
):
    settings.SCHEDULED_REFRESH_EVERY = 300
    settings.SCHEDULED_REFRESH_MAX_PER_PASS = 3
    projects = [make_project(repo.url) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        assert refreshes_enqueue_due(now=timezone.now()) == 3
    records = JobRecord.objects.filter(project__in=projects)
    assert records.count() == 3
    assert {r.queue for r in records} == {settings.QUEUE_LOW}
    assert set(RefreshHistory.objects.values_list("trigger", flat=True)) == {"scheduled"}
    low = get_queue(settings.QUEUE_LOW)
    assert low.count == 1  # the first starts now
    registry = ScheduledJobRegistry(queue=low)
    times = sorted(registry.get_scheduled_time(i) for i in registry.get_job_ids())
    assert len(times) == 2 and (times[1] - times[0]).total_seconds() == pytest.approx(100, abs=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert refreshes_enqueue_due(now=timezone.now()) == 1  # the fourth; others are busy


def test_a_periodic_job_still_waiting_in_its_queue_is_not_queued_twice(settings):
    scheduler = get_scheduler()
    assert type(scheduler).__name__ == "RepoTrackrScheduler"
    periodic_jobs_register(scheduler)
    reconcile = next(j for j in scheduler.get_jobs() if j.id == "repotrackr-periodic-reconcile")
    scheduler.enqueue_job(reconcile)
    scheduler.enqueue_job(reconcile)
    high = get_queue(settings.QUEUE_HIGH)
    assert high.job_ids == [reconcile.id]
    assert reconcile in scheduler  # still scheduled for its next run


def test_a_sweep_shorter_than_the_clone_timeout_is_a_system_check_error(settings):
    from jobs.schedule_checks import job_schedule_settings_check

    assert job_schedule_settings_check(None) == []
    settings.CLONE_SWEEP_AFTER_SECONDS = settings.REPOTRACKR_CLONE_TIMEOUT
    settings.RQ_SCHEDULER_INTERVAL = settings.JOB_RECONCILE_INTERVAL + 1
    ids = {problem.id for problem in job_schedule_settings_check(None)}
    assert ids == {"jobs.E101", "jobs.W101"}


def test_the_scheduler_checks_its_schedule_every_few_seconds_by_default(settings):
    from jobs.management.commands.rqscheduler import Command

    options = Command().create_parser("manage.py", "rqscheduler").parse_args([])
    assert options.interval == settings.RQ_SCHEDULER_INTERVAL <= 20


def test_periodic_jobs_redis_forgot_are_registered_again_on_the_next_pass():
    from repotrackr.redis_connection import get_redis

    scheduler = get_scheduler(interval=5)
    periodic_jobs_register(scheduler)
    get_redis().flushdb()  # Redis restarted without persistence
    assert list(scheduler.get_jobs()) == []
    scheduler.enqueue_jobs()
    ids = {job.id for job in scheduler.get_jobs()}
    assert "repotrackr-periodic-reconcile" in ids
    assert ids == {job.id for job in periodic_jobs()}


def test_the_scheduler_loop_skips_a_pass_when_redis_is_unreachable(settings):
    from redis import Redis

    from tests.conftest import DEAD_REDIS_URL

    scheduler = get_scheduler(interval=5)
    scheduler.connection = Redis.from_url(DEAD_REDIS_URL, socket_connect_timeout=0.2)
    scheduler.heartbeat()
    assert scheduler.acquire_lock() is False
    assert scheduler.enqueue_jobs() == []
    scheduler.remove_lock()
