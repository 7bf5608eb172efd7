"""The RQ worker RepoTrackr runs: skips paused queues, never shares DB sockets.

Used through ``settings.RQ["WORKER_CLASS"]`` by ``manage.py rqworker``.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

import redis
from django.conf import settings
from rq import SimpleWorker, Worker

from jobs.queues import paused_queues

logger = logging.getLogger(__name__)

# What a Redis restart looks like from here; RQ quits its loop on either.
REDIS_GONE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# RQ restarts a worker's scheduler process (which moves delayed jobs and
# retries onto their queues) only during maintenance, every ten minutes by
# default. Any Redis restart kills that process, so without this a retry
# or a scheduled refresh could wait ten minutes after a one-second blip.
MAINTENANCE_INTERVAL_SECONDS = 30


def close_inherited_db_connections() -> None:
    """Drop the database connections a forked work-horse inherited.

    A socket shared by parent and child interleaves their protocol
    messages; the child opens fresh connections on first use instead.
    """
    from django.db import connections

    connections.close_all()


def preload_job_code() -> None:
    """Import the job code and load the skills catalogue once, in the parent.

    Every forked work-horse then starts with them in (shared) memory instead
    of importing the engines and parsing the catalogue for each job.
    """
    import psutil  # noqa: F401 - resource usage is read in every job

    import jobs.tasks  # noqa: F401
    from skills.core.catalogue import cached_catalogue

    cached_catalogue()


class PauseAwareMixin:
    """Leave paused queues alone.

    The worker waits at most ``QUEUE_PAUSE_POLL_SECONDS`` per look, then
    re-reads the paused set, so a pause or a resume takes effect within
    that many seconds.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("job_monitoring_interval", settings.JOB_MONITORING_INTERVAL)
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL_SECONDS)
        super().__init__(*args, **kwargs)
        preload_job_code()

    @contextmanager
    def _active_queues_only(self):
        everything = list(self._ordered_queues)
        try:
            paused = paused_queues(self.connection)
        except redis.exceptions.RedisError:
            # Redis is restarting: let RQ's dequeue meet the error, which it
            # survives by waiting and trying again.
            paused = set()
        self._ordered_queues = [q for q in everything if q.name not in paused]
        try:
            yield self._ordered_queues
        finally:
            self._ordered_queues = everything

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        if timeout is None:  # burst mode: one non-blocking look
            with self._active_queues_only() as active:
                if not active:
                    return None
                return super().dequeue_job_and_maintain_ttl(None, max_idle_time)
        poll = settings.QUEUE_PAUSE_POLL_SECONDS
        idle_deadline = time.monotonic() + max_idle_time if max_idle_time else None
        while True:
            wait = min(timeout, poll)
            with self._active_queues_only() as active:
                try:
                    if active:
                        result = super().dequeue_job_and_maintain_ttl(wait, max_idle_time=wait)
                    else:
                        self.heartbeat()
                        time.sleep(wait)
                        result = None
                except REDIS_GONE:
                    # RQ retries only the dequeue itself; its state writes
                    # before it would end the worker. Wait and look again.
                    logger.warning("Worker waiting for Redis")
                    time.sleep(wait)
                    result = None
            if result is not None:
                return result
            if idle_deadline is not None and time.monotonic() >= idle_deadline:
                return None


class RepoTrackrWorker(PauseAwareMixin, Worker):
    """The forking worker of ``manage.py rqworker``.

    RQ quits when Redis goes away at most points of its loop (the
    suspension check, maintenance, heartbeats, and while it watches a
    work-horse, since its monitoring writes to Redis). This one skips those
    steps until Redis is back, and waits for a watched horse to finish: the
    job's outcome is in the database, and reconciliation settles RQ's side.
    """

    def main_work_horse(self, job, queue):
        close_inherited_db_connections()
        from jobs import memory_guard

        memory_guard.IN_WORK_HORSE = True  # this process is the job's alone
        super().main_work_horse(job, queue)

    def execute_job(self, job, queue):
        try:
            super().execute_job(job, queue)
        except REDIS_GONE as exc:
            logger.warning("Redis went away during job %s (%s); waiting for it", job.id, exc)
            if self._horse_pid:
                self.wait_for_horse()
                self._horse_pid = 0

    def heartbeat(self, *args, **kwargs):
        self._unless_redis_gone("heartbeat", super().heartbeat, *args, **kwargs)

    def check_for_suspension(self, burst: bool) -> None:
        self._unless_redis_gone("suspension check", super().check_for_suspension, burst)

    def run_maintenance_tasks(self) -> None:
        self._unless_redis_gone("maintenance", super().run_maintenance_tasks)

    def _unless_redis_gone(self, what: str, call, *args, **kwargs) -> None:
        # The next dequeue meets the same error and waits it out with backoff.
        try:
            call(*args, **kwargs)
        except REDIS_GONE:
            logger.warning("Worker %s skipped: Redis unreachable", what)
            time.sleep(1)


class RepoTrackrSimpleWorker(PauseAwareMixin, SimpleWorker):
    """The same without forking: jobs run in the worker's own process (tests, debugging)."""
