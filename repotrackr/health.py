"""Health endpoints.

``/health/live``: the process answers (no database, no Redis).
``/health/queue``: Redis reachable and at least one worker running.
``/health/``: the same, plus the database.

Both JSON answers share one shape (``status``, ``redis_connected``,
``worker_count``, ``queue_length`` as the total, ``queues`` per queue) and
answer 200 when healthy, 503 otherwise; no running worker is ``degraded``.

Only staff see the per-queue figures and error text. Anyone else gets the seed's
shape without them, or the status alone under ``HEALTH_STATUS_ONLY``: a stranger
learns whether the service is up, not how it is built or why it fails.
"""

from __future__ import annotations

import logging

from django.conf import settings
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


PUBLIC_FIELDS = (
    "status",
    "database_connected",
    "redis_connected",
    "worker_count",
    "queue_length",
    "failing",
)


def _answer(request, body: dict) -> JsonResponse:
    """The body for this caller, 200 when healthy, else 503."""
    status = 200 if body["status"] == "healthy" else 503
    if request.user.is_authenticated and request.user.is_staff:
        return JsonResponse(body, status=status)
    if settings.HEALTH_STATUS_ONLY:
        return JsonResponse({"status": body["status"]}, status=status)
    return JsonResponse({k: body[k] for k in PUBLIC_FIELDS if k in body}, status=status)


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
    return _answer(request, body)


@require_GET
@never_cache
def queue(request) -> JsonResponse:
    body = queue_health()
    body = {"status": _status(body), **body}
    return _answer(request, body)
