"""Health endpoints.

``/health/live``: the process answers (no database, no Redis).
``/health/queue``: Redis reachable and at least one worker running.
``/health/``: the same, plus the database.

Both JSON answers share one shape (``status``, ``redis_connected``,
``worker_count``, ``queue_length`` as the total, ``queues`` per queue) and
answer 200 when healthy, 503 otherwise; no running worker is ``degraded``.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.queues import queue_names
from repotrackr.redis_connection import get_redis

logger = logging.getLogger(__name__)


def database_connected() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        logger.warning("Health check: database unreachable", exc_info=True)
        return False


def queue_health() -> dict:
    """Redis reachability, worker count and queue lengths, never raising."""
    from rq import Queue, Worker

    body: dict = {"redis_connected": False, "worker_count": 0, "queue_length": 0, "queues": {}}
    try:
        conn = get_redis()
        conn.ping()
        body["redis_connected"] = True
        body["worker_count"] = Worker.count(connection=conn)
        for name in queue_names():
            body["queues"][name] = Queue(name, connection=conn).count
        body["queue_length"] = sum(body["queues"].values())
    except Exception as exc:  # noqa: BLE001
        logger.warning("Health check: Redis unreachable", exc_info=True)
        body["error"] = f"Redis unreachable: {exc.__class__.__name__}"
    return body


def _status(body: dict, *, database_ok: bool = True) -> str:
    if not body["redis_connected"] or not database_ok:
        return "unhealthy"
    if body["worker_count"] == 0:
        return "degraded"
    return "healthy"


@require_GET
def live(request) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def ready(request) -> JsonResponse:
    db_ok = database_connected()
    body = queue_health()
    body = {"status": _status(body, database_ok=db_ok), "database_connected": db_ok, **body}
    body["failing"] = [
        part
        for part, failing in (
            ("database", not db_ok),
            ("redis", not body["redis_connected"]),
            ("workers", body["redis_connected"] and body["worker_count"] == 0),
        )
        if failing
    ]
    return JsonResponse(body, status=200 if body["status"] == "healthy" else 503)


@require_GET
@never_cache
def queue(request) -> JsonResponse:
    body = queue_health()
    body = {"status": _status(body), **body}
    return JsonResponse(body, status=200 if body["status"] == "healthy" else 503)
