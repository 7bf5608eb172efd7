"""Our three RQ queues on the pooled Redis connection, and per-queue pause.

A paused queue still accepts jobs; ``jobs.worker.RepoTrackrWorker`` simply
does not take any from it until it is resumed. The paused set lives in
Redis so every worker and web process sees the same answer.
"""

from __future__ import annotations

import redis
from django.conf import settings
from rq import Queue

from jobs.models import JobPriority
from repotrackr.redis_connection import get_redis

PAUSED_QUEUES_KEY = "repotrackr:paused-queues"


class UnknownQueueError(ValueError):
    """The name is not one of RepoTrackr's queues."""


def queue_names() -> list[str]:
    """Our queue names in the order workers listen: high, default, low."""
    return [settings.QUEUE_HIGH, settings.QUEUE_DEFAULT, settings.QUEUE_LOW]


def _check_name(name: str) -> str:
    if name not in queue_names():
        raise UnknownQueueError(f"unknown queue {name!r}")
    return name


def get_queue(name: str, *, connection: redis.Redis | None = None) -> Queue:
    """The RQ queue ``name`` on our pooled connection, with our default timeout."""
    return Queue(
        _check_name(name),
        connection=connection or get_redis(),
        default_timeout=settings.RQ_QUEUES[name]["DEFAULT_TIMEOUT"],
    )


def queue_for_priority(priority: str) -> str:
    """The queue a job of ``priority`` (high/normal/low) goes to."""
    return {
        JobPriority.HIGH: settings.QUEUE_HIGH,
        JobPriority.NORMAL: settings.QUEUE_DEFAULT,
        JobPriority.LOW: settings.QUEUE_LOW,
    }[JobPriority(priority)]


def queue_pause(name: str) -> None:
    """Stop workers from taking jobs off ``name``; enqueuing still works."""
    get_redis().sadd(PAUSED_QUEUES_KEY, _check_name(name))


def queue_resume(name: str) -> None:
    """Let workers take jobs off ``name`` again (no-op if it was not paused)."""
    get_redis().srem(PAUSED_QUEUES_KEY, _check_name(name))


def paused_queues(connection: redis.Redis | None = None) -> set[str]:
    """Names of the queues currently paused."""
    members = (connection or get_redis()).smembers(PAUSED_QUEUES_KEY)
    return {m.decode() if isinstance(m, bytes) else m for m in members}


NO_WORKER_NOTE = "No worker is running right now: the job will start when one does."


def workers_running(connection: redis.Redis | None = None) -> bool:
    """Whether any worker is registered; ``True`` when Redis cannot say (not our news to give)."""
    from rq import Worker

    try:
        return Worker.count(connection=connection or get_redis()) > 0
    except redis.exceptions.RedisError:
        return True
