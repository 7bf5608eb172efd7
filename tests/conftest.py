"""Shared fixtures: real Redis (a database of the tests' own), users, clients."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _empty_redis():
    """Empty the tests' own Redis database around every test."""
    import redis

    conn = redis.Redis.from_url(settings.REDIS_URL)
    conn.flushdb()
    yield
    conn.flushdb()
    conn.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created in most tests; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def queue_redis_down(settings):
    """Point the queues (and everything using ``get_redis``) at a port where nothing listens.

    The cache stays up, so rate limiting works and enqueueing is what fails.
    """
    settings.REDIS_URL = DEAD_REDIS_URL
    settings.RQ_QUEUES = {
        name: {**conf, "URL": DEAD_REDIS_URL} for name, conf in settings.RQ_QUEUES.items()
    }


@pytest.fixture
def redis_down(settings, queue_redis_down):
    """Point every Redis user (queues, cache, rate limits) at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS_URL,
        }
    }


@pytest.fixture
def make_user(django_user_model):
    counter = {"n": 0}

    def make(username: str | None = None, *, is_staff: bool = False, password: str = "pw-Secret-123"):
        counter["n"] += 1
        name = username or f"user{counter['n']}"
        return django_user_model.objects.create_user(
            username=name, password=password, is_staff=is_staff
        )

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def other_user(make_user):
    return make_user("intruder")


@pytest.fixture
def staff(make_user):
    return make_user("operator", is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def other_api(other_user):
    client = APIClient()
    client.force_authenticate(other_user)
    return client


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
