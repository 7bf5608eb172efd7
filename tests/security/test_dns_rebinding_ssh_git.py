"""Attack: DNS rebinding through ``ssh://`` and ``git://`` repository URLs.

The host was checked when the URL was validated, then git (for git://) and
ssh resolved it again; a hostile DNS server answers with a public address
the first time and an internal one the second. https was already pinned
(curl's resolve list). Now git:// connects to the checked address literal,
ssh gets ``HostName <address>`` with ``HostKeyAlias <name>``, and the
pipeline validates again right before the clone.

The host names below end in ``.invalid``: they never resolve, so the only
way git or ssh can reach the local servers is the pin.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import threading
import time

import pytest

from projects.core.git_hardening import git_environment, pin_git_url, ssh_pin_for
from projects.core.git_remote import GitFetchError, GitNetworkError, ls_remote_head

GIT_ENV = {
    "PATH": os.environ["PATH"],
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def git_daemon(tmp_path):
    """A real ``git daemon`` on 127.0.0.1 serving ``repo.git``; yields (port, head sha)."""
    base = tmp_path / "served"
    work = tmp_path / "work"
    work.mkdir()
    env = {**GIT_ENV, "HOME": str(tmp_path)}
    for args in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "one"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True)
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(base / "repo.git")], env=env, check=True
    )
    head = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=work, env=env, check=True, capture_output=True
        )
        .stdout.decode()
        .strip()
    )
    port = _free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
         f"--port={port}", f"--base-path={base}", str(base)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port, head
    daemon.kill()
    daemon.wait()


class FakeSshServer:
    """Accepts TCP connections on 127.0.0.1 and records what the client says first."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.greetings: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.greetings.append(conn.recv(256))
                except OSError:
                    self.greetings.append(b"")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def fake_ssh():
    server = FakeSshServer()
    yield server
    server.close()


def test_a_git_url_connects_to_the_checked_address_not_to_a_new_lookup(git_daemon):
    port, head = git_daemon
    found = ls_remote_head(
        f"git://rebind.invalid:{port}/repo.git", timeout=30, pin_addresses=["127.0.0.1"]
    )
    assert found.sha == head


def test_without_a_pin_the_git_url_is_looked_up_again(git_daemon):
    port, _ = git_daemon
    with pytest.raises(GitNetworkError):
        ls_remote_head(f"git://rebind.invalid:{port}/repo.git", timeout=30)


@pytest.mark.parametrize(
    "url",
    [
        "ssh://git@rebind.invalid:{port}/acme/repo.git",
        "ssh://rebind.invalid:{port}/acme/repo.git",
    ],
)
def test_ssh_connects_to_the_checked_address_not_to_a_new_lookup(fake_ssh, url):
    with pytest.raises(GitFetchError) as caught:
        ls_remote_head(url.format(port=fake_ssh.port), timeout=30, pin_addresses=["127.0.0.1"])
    assert "could not be resolved" not in str(caught.value)
    assert fake_ssh.greetings and fake_ssh.greetings[0].startswith(b"SSH-2.0-")


def test_an_scp_like_url_gets_the_same_ssh_pin(tmp_path):
    # scp-like URLs cannot name a port (so no local server here): ssh is
    # told the checked address and files the host key under the name.
    assert ssh_pin_for("git@rebind.invalid:acme/repo.git", ["127.0.0.1"]) == "127.0.0.1"
    env = git_environment(tmp_path, host="rebind.invalid", ssh_pin="127.0.0.1")
    ssh = shlex.split(env["GIT_SSH_COMMAND"])
    assert "HostName=127.0.0.1" in ssh and "HostKeyAlias=rebind.invalid" in ssh


@pytest.mark.parametrize(
    ("url", "addresses", "expected"),
    [
        ("git://example.org/r.git", ["93.184.215.14"], "git://93.184.215.14/r.git"),
        ("git://example.org:9419/r.git", ["93.184.215.14"], "git://93.184.215.14:9419/r.git"),
        ("git://example.org/r", ["2001:db8::1", "93.184.215.14"], "git://93.184.215.14/r"),
        ("git://example.org/r", ["2001:db8::1"], "git://[2001:db8::1]/r"),
        ("https://example.org/r", ["93.184.215.14"], "https://example.org/r"),
        ("git://example.org/r", [], "git://example.org/r"),
    ],
)
def test_git_urls_are_rewritten_to_the_address_literal(url, addresses, expected):
    assert pin_git_url(url, addresses) == expected


@pytest.mark.django_db
def test_the_refresh_validates_the_url_again_right_before_the_clone(
    make_repo, owner, settings, tmp_path, monkeypatch
):
    """ls-remote and the clone each connect to addresses checked just before them."""
    from jobs import pipeline
    from jobs.models import JobRecord, JobStatus
    from jobs.tracker import job_start
    from projects.services import project_create

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    project = project_create(owner=owner, name="Twice", repo_url=make_repo().url)
    record = JobRecord.objects.create(project=project, job_type="refresh", status=JobStatus.QUEUED)
    record = job_start(str(record.pk))
    stages: list[str] = []
    seen: list[str] = []
    real_validate = pipeline.validate_remote

    def counting_validate(url):
        seen.append(stages[-1])
        return real_validate(url)

    monkeypatch.setattr(pipeline, "validate_remote", counting_validate)
    result = pipeline.run_refresh(
        record, report=lambda stage, _: stages.append(stage), now=record.started_at
    )
    assert result["tasks_count"] == 5
    assert seen == [pipeline.RESOLVING, pipeline.CLONING]
