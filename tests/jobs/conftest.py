"""Fixtures for the job tests: real git repositories, projects, burst workers."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

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
def repo(make_repo):
    return make_repo()


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.JOB_RETRY_INTERVALS = [10, 30, 90]
    settings.JOB_RECONCILE_GRACE = 60
    return settings


@pytest.fixture
def make_project(owner):
    from projects.services import project_create

    counter = {"n": 0}

    def make(url: str, **fields):
        counter["n"] += 1
        return project_create(owner=owner, name=f"project {counter['n']}", repo_url=url, **fields)

    return make


@pytest.fixture
def project(make_project, repo):
    return make_project(repo.url)


@pytest.fixture
def drain():
    """Run every queued job with an in-process burst worker; returns the worker."""
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


@pytest.fixture
def request_refresh(django_capture_on_commit_callbacks, owner):
    """refresh_request with the after-commit enqueue actually run."""
    from jobs.services import refresh_request

    def run(project, *, trigger="manual", force=False, priority="high", user=owner):
        with django_capture_on_commit_callbacks(execute=True):
            return refresh_request(
                project=project, user=user, trigger=trigger, force=force, priority=priority
            )

    return run


class SilentGitServer:
    """Accepts git:// connections and never answers, so ls-remote hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"git://127.0.0.1:{self.sock.getsockname()[1]}/slow.git"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)

    def close(self) -> None:
        self.sock.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def silent_git_server():
    server = SilentGitServer()
    yield server
    server.close()
