"""Fixtures for the job tests: real git repositories, projects, burst workers."""

from __future__ import annotations

import socket
import threading

import pytest


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
