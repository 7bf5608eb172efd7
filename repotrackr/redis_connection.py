"""One pooled Redis client per process for queues, health and metrics.

django-rq builds a fresh client (and pool) on every ``get_connection`` call
when configured by URL; we hand it ours instead. The pool is keyed by URL so
a settings change (as in tests) takes effect, and redis-py's pool notices a
fork and opens new sockets in the child.
"""

from __future__ import annotations

import redis
from django.conf import settings

_clients: dict[str, redis.Redis] = {}


def get_redis() -> redis.Redis:
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        pool = redis.ConnectionPool.from_url(
            url,
            max_connections=settings.REDIS_MAX_CONNECTIONS,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_timeout=max(settings.REDIS_SOCKET_TIMEOUT, 10),
            retry_on_timeout=True,
            health_check_interval=30,
        )
        client = _clients[url] = redis.Redis(connection_pool=pool)
    return client
