"""Periodic work: which jobs the scheduler runs, and which projects are due.

``manage.py rqscheduler`` (our override) calls ``periodic_jobs_register``
before handing over to django-rq's scheduler loop. The periodic jobs have
fixed ids, so registering again (a restart, a second scheduler) replaces
them instead of adding copies; rq-scheduler's lock lets only one running
scheduler enqueue them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db.models import Max
from django_rq.queues import DjangoScheduler
from rq.job import JobStatus as RQStatus
from rq_scheduler.utils import to_unix

from jobs.models import ACTIVE_JOB_STATUSES
from projects.models import Project

logger = logging.getLogger(__name__)


class RepoTrackrScheduler(DjangoScheduler):
    """rq-scheduler that never pushes a periodic job id still waiting in its queue.

    Periodic jobs reuse one id; when workers are busy for longer than the
    interval, pushing the id again would queue the same job twice (and RQ
    would run it twice). A job still queued just gets its next time.

    It also outlives Redis: a restart no longer ends the loop (each pass
    that cannot reach Redis is skipped), and periodic jobs that a Redis
    restart without persistence forgot are registered again on the next
    pass, so reconciliation keeps running after the very event it repairs.
    """

    def _tolerating_redis(self, action: str, call, default):
        try:
            return call()
        except redis.exceptions.RedisError as exc:
            logger.warning("Scheduler could not %s: Redis %s", action, exc.__class__.__name__)
            return default

    def heartbeat(self):
        self._tolerating_redis("send its heartbeat", super().heartbeat, None)

    def acquire_lock(self):
        self._lock_acquired = False
        return self._tolerating_redis("take its lock", super().acquire_lock, False)

    def remove_lock(self):
        self._tolerating_redis("release its lock", super().remove_lock, None)

    def enqueue_jobs(self):
        def restore_then_enqueue():
            restored = periodic_jobs_register(self, missing_only=True)
            if restored:
                logger.warning("Periodic jobs registered again: %s", ", ".join(restored))
            return super(RepoTrackrScheduler, self).enqueue_jobs()

        return self._tolerating_redis("enqueue its jobs", restore_then_enqueue, [])

    def enqueue_job(self, job):
        interval = job.meta.get("interval")
        if interval and job.get_status(refresh=True) == RQStatus.QUEUED:
            if self.get_queue_for_job(job).get_job_position(job.id) is not None:
                next_time = to_unix(datetime.now(UTC).replace(tzinfo=None)) + int(interval)
                self.connection.zadd(self.scheduled_jobs_key, {job.id: next_time})
                return
        super().enqueue_job(job)


@dataclass(frozen=True)
class PeriodicJob:
    id: str
    func: str
    interval: int
    queue: str
    timeout: int


def periodic_jobs() -> list[PeriodicJob]:
    """The periodic jobs with their current intervals from settings."""
    return [
        PeriodicJob(
            "repotrackr-periodic-reconcile",
            "jobs.tasks.reconcile_jobs",
            settings.JOB_RECONCILE_INTERVAL,
            settings.QUEUE_HIGH,
            120,
        ),
        PeriodicJob(
            "repotrackr-periodic-scheduled-refresh",
            "jobs.tasks.enqueue_due_refreshes",
            settings.SCHEDULED_REFRESH_EVERY,
            settings.QUEUE_LOW,
            300,
        ),
        PeriodicJob(
            "repotrackr-periodic-prune",
            "jobs.tasks.prune_old_records",
            settings.JOB_PRUNE_EVERY,
            settings.QUEUE_LOW,
            1800,
        ),
        PeriodicJob(
            "repotrackr-periodic-notify-redeliver",
            "notifications.tasks.redeliver_stuck",
            settings.NOTIFY_SWEEP_EVERY,
            settings.QUEUE_DEFAULT,
            300,
        ),
        PeriodicJob(
            "repotrackr-periodic-weekly-digest",
            "notifications.tasks.send_due_digests",
            3600,
            settings.QUEUE_LOW,
            1800,
        ),
    ]


def periodic_jobs_register(scheduler, *, missing_only: bool = False) -> list[str]:
    """(Re-)register every periodic job on ``scheduler``; returns their ids.

    With ``missing_only``, only those the scheduler no longer holds (Redis
    lost them). Job arguments are empty, so nothing but JSON values crosses
    the queue.
    """
    ids = []
    for job in periodic_jobs():
        if missing_only and scheduler.connection.zscore(scheduler.scheduled_jobs_key, job.id):
            continue
        scheduler.cancel(job.id)
        scheduler.schedule(
            scheduled_time=datetime.now(UTC).replace(tzinfo=None),
            func=job.func,
            interval=job.interval,
            repeat=None,
            id=job.id,
            queue_name=job.queue,
            timeout=job.timeout,
            result_ttl=-1,  # the job hash is reused every interval; never expire it
            description=job.func.rsplit(".", 1)[-1],
        )
        ids.append(job.id)
    return ids


def projects_due(*, now: datetime, limit: int) -> list[Project]:
    """Non-archived projects whose refresh interval has passed since their last attempt.

    "Attempt" counts failures too, so a broken repository is retried once
    per interval, not on every pass. Projects with an active job are
    skipped. The longest-waiting come first.
    """
    candidates = (
        Project.objects.filter(archived=False)
        .exclude(jobs__status__in=ACTIVE_JOB_STATUSES)
        .annotate(last_attempt=Max("refresh_history__created_at"))
        .only("id", "refresh_interval_hours", "last_refreshed_at")
    )
    due = []
    for project in candidates.iterator(chunk_size=1000):
        last = max(
            (t for t in (project.last_attempt, project.last_refreshed_at) if t is not None),
            default=None,
        )
        if last is None or last <= now - timedelta(hours=project.refresh_interval_hours):
            due.append((last or datetime.min.replace(tzinfo=UTC), project))
    due.sort(key=lambda item: item[0])
    return [project for _, project in due[:limit]]


def refreshes_enqueue_due(*, now: datetime) -> int:
    """Queue a scheduled refresh for each due project, spread over the pass interval.

    At most ``SCHEDULED_REFRESH_MAX_PER_PASS`` per pass; the k-th of n
    starts ``k * SCHEDULED_REFRESH_EVERY / n`` seconds from now, so a burst
    of due projects becomes a steady trickle on the low queue.
    """
    from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request

    due = projects_due(now=now, limit=settings.SCHEDULED_REFRESH_MAX_PER_PASS)
    spacing = settings.SCHEDULED_REFRESH_EVERY / max(len(due), 1)
    enqueued = 0
    for index, project in enumerate(due):
        outcome = project_refresh_request(
            project=project,
            requested_by=None,
            trigger=RequestTrigger.SCHEDULED,
            delay_seconds=int(index * spacing),
        )
        if outcome.kind == Outcome.QUEUE_UNAVAILABLE:
            logger.warning("Scheduled refresh pass stopped: the queue is unavailable")
            break
        enqueued += outcome.kind == Outcome.QUEUED
    return enqueued
