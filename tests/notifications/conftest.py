"""Fixtures for notification tests: a real HTTP receiver, real SMTP, real refreshes."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """An http.server on 127.0.0.1 that records every request (path, headers, raw body)."""

    def __init__(self, *, status: int = 200, delay: float = 0.0) -> None:
        self.requests: list[dict] = []
        self.status = status
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def json_bodies(self, path: str | None = None) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if path in (None, r["path"])]

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def notify_settings(settings, tmp_path):
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_ALLOW_LOCAL_NOTIFY = True
    settings.REPOTRACKR_SITE_URL = "http://testserver"
    settings.NOTIFY_RETRY_INTERVALS = [1, 2]
    return settings


@pytest.fixture
def refresh(django_capture_on_commit_callbacks, owner, drain):
    """Request a forced refresh and run it (and every delivery it queues) to the end."""
    from jobs.services import refresh_request

    def run(project):
        with django_capture_on_commit_callbacks(execute=True):
            refresh_request(
                project=project, user=owner, trigger="manual", force=True, priority="high"
            )
        drain()
        project.refresh_from_db()
        return project

    return run


@pytest.fixture
def project(owner, make_repo):
    from projects.services import project_create

    repo = make_repo()
    p = project_create(owner=owner, name="demo", repo_url=repo.url)
    p.repo = repo
    return p


@pytest.fixture
def make_channel(owner, django_capture_on_commit_callbacks):
    from notifications.services import channel_create

    def make(kind: str, target: str, *, events=None, user=None, verified=True):
        from django.utils import timezone

        from notifications.core.events import PROJECT_EVENTS

        with django_capture_on_commit_callbacks(execute=True):
            channel, secret = channel_create(
                owner=user or owner,
                kind=kind,
                target=target,
                events=list(PROJECT_EVENTS) if events is None else events,
            )
        if verified and channel.is_email:
            channel.verified_at = timezone.now()
            channel.save(update_fields=["verified_at"])
        return channel, secret

    return make


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self) -> None:
        import email
        import socket

        from aiosmtpd.controller import Controller

        self.messages: list = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content)
                inbox.messages.append((envelope.rcpt_tos, message))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def bodies(self) -> list[str]:
        return [m.get_payload(decode=True).decode() for _, m in self.messages]


@pytest.fixture
def smtp(settings):
    inbox = SmtpInbox()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    inbox.controller.stop()
