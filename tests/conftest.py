"""Shared fixtures: real Redis (a database of the tests' own), users, clients."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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

    def make(
        username: str | None = None, *, is_staff: bool = False, password: str = "pw-Secret-123"
    ):
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


def grant(user, *permissions: str) -> None:
    """Give ``user`` permissions named ``app_label.codename`` (and forget its cached ones)."""
    from django.contrib.auth.models import Permission

    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


# What an operator is given: queue management, other users' jobs and projects.
OPERATOR_PERMISSIONS = (
    "jobs.manage_queues",
    "jobs.retry_any_job",
    "jobs.view_jobrecord",
    "jobs.change_jobrecord",
    "jobs.view_refreshhistory",
    "projects.view_project",
    "projects.change_project",
)


@pytest.fixture
def staff(make_user):
    """A staff member holding the operator permissions (not the rate-limit exemption)."""
    user = make_user("operator", is_staff=True)
    grant(user, *OPERATOR_PERMISSIONS)
    return user


@pytest.fixture
def bare_staff(make_user):
    """A staff member with no permission at all: ``is_staff`` alone."""
    return make_user("bare-staff", is_staff=True)


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


PLAN = """# Plan

## Phase 1: Foundation

- [x] Set up the repository
- [x] Write the parser
  - [ ] Handle nested tasks

## Phase 2: Launch

- [ ] Deploy
- [~] Write the docs
"""

GIT_ENV_BASE = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class RepoBuilder:
    """A working repository pushed to a bare copy that plays the remote."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.bare = root / "remote.git"
        self.home = root / "home"
        self.home.mkdir(parents=True)
        self.work.mkdir()
        self._git("init", "-q", "-b", "main")

    @property
    def url(self) -> str:
        return str(self.bare)

    def _env(self, date: str | None = None) -> dict[str, str]:
        env = {**os.environ, **GIT_ENV_BASE, "HOME": str(self.home)}
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        return env

    def _git(self, *args: str, cwd: Path | None = None, date: str | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd or self.work,
            env=self._env(date),
            check=True,
            capture_output=True,
        )
        return done.stdout.decode().strip()

    def write(self, path: str, text: str) -> RepoBuilder:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return self

    def remove(self, path: str) -> RepoBuilder:
        (self.work / path).unlink()
        return self

    def commit(self, message: str = "change", *, date: str | None = None) -> str:
        self._git("add", "-A")
        self._git("commit", "-q", "-m", message, date=date)
        if not self.bare.exists():
            self._git("clone", "-q", "--bare", str(self.work), str(self.bare), cwd=self.root)
        else:
            self._git("push", "-q", str(self.bare), "HEAD:main")
        return self._git("rev-parse", "HEAD")


@pytest.fixture
def make_repo(tmp_path):
    counter = {"n": 0}

    def make(*, plan: str | None = PLAN, date: str | None = None) -> RepoBuilder:
        counter["n"] += 1
        repo = RepoBuilder(tmp_path / f"repo{counter['n']}")
        if plan is not None:
            repo.write("docs/plan.md", plan)
        repo.write("requirements.txt", "django==5.2\nrequests>=2\n")
        repo.write("app/main.py", "def main():\n    return 42\n" * 20)
        repo.commit("initial", date=date)
        return repo

    return make


@pytest.fixture
def signup_enabled(settings):
    """Sign-up is off by default; the tests of it switch it on."""
    settings.SIGNUP_ENABLED = True


@pytest.fixture
def drain():
    """Run every queued job now with an in-process burst worker; returns the worker.

    The one drain of the suite: job, webhook, notification and browser tests use it.
    """
    from jobs.queues import get_queue, queue_names
    from jobs.worker import RepoTrackrSimpleWorker
    from repotrackr.redis_connection import get_redis

    def run():
        conn = get_redis()
        worker = RepoTrackrSimpleWorker(
            [get_queue(name, connection=conn) for name in queue_names()], connection=conn
        )
        worker.work(burst=True)
        return worker

    return run
