"""The run's traffic: commits, signed webhook pushes, manual API refreshes, scheduled refreshes.

Each stream runs in its own thread at a steady rate until told to stop.
Every HTTP request is recorded (when, what, answer, latency, job id) so
the end of the run can check that each one got exactly one outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from tests.chaos.githost import Repo
from tests.chaos.stack import HOST

HTTP_TIMEOUT = 30


@dataclass
class Sent:
    """One HTTP request of the workload and its answer."""

    kind: str  # "webhook" | "refresh" | "canary"
    project_id: str
    started: float
    seconds: float
    status: int  # 0: no answer (connection refused, timeout)
    job_id: str | None = None
    pushed: str = ""  # the head a webhook announced


@dataclass
class TrackedProject:
    id: str
    repo: Repo
    secret: str
    url: str


@dataclass
class Traffic:
    """The streams' shared state: the projects, the log of requests, the stop flag."""

    port: int
    api_token: str
    projects: list[TrackedProject]
    seed: int
    sent: list[Sent] = field(default_factory=list)
    commits: int = 0
    aged: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("POST", path, body=body, headers={"Host": HOST, **headers})
            response = conn.getresponse()
            raw = response.read()
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {}
            return response.status, data if isinstance(data, dict) else {}
        except OSError:
            return 0, {}
        finally:
            conn.close()

    def get_json(self, path: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(
                "GET", path, headers={"Host": HOST, "Authorization": f"Token {self.api_token}"}
            )
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except (OSError, ValueError):
            return 0, {}
        finally:
            conn.close()

    def _record(
        self, kind: str, project: TrackedProject, started: float, answer, pushed: str = ""
    ) -> Sent:
        status, data = answer
        job = data.get("job_id") or (data.get("job") or {}).get("id")
        sent = Sent(kind, project.id, started, time.monotonic() - started, status, job, pushed)
        with self.lock:
            self.sent.append(sent)
        return sent

    def push(self, project: TrackedProject, kind: str = "webhook") -> Sent:
        """Deliver a signed GitHub push of the project's head to its endpoint."""
        head = project.repo.head
        body = json.dumps(
            {
                "ref": "refs/heads/main",
                "before": "0" * 40,
                "after": head,
                "repository": {"full_name": f"chaos/{project.id}", "default_branch": "main"},
                "commits": [{"id": head, "message": "plan change"}],
            }
        ).encode()
        signature = "sha256=" + hmac.new(project.secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
        }
        started = time.monotonic()
        answer = self.post(f"/webhooks/{project.id}/", body, headers)
        return self._record(kind, project, started, answer, pushed=head)

    def refresh(self, project: TrackedProject, kind: str = "refresh", force: bool = False) -> Sent:
        """Ask for a refresh through the API, as a user's script would."""
        body = json.dumps({"force": force}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Token {self.api_token}"}
        started = time.monotonic()
        answer = self.post(f"/api/v1/projects/{project.id}/refresh", body, headers)
        return self._record(kind, project, started, answer)


def _steady(traffic: Traffic, per_second: float, step, name: str, seed: int) -> threading.Thread:
    """Call ``step(rng)`` ``per_second`` times a second (on a fixed timetable) until stopped."""

    def loop() -> None:
        rng = random.Random(seed)
        interval = 1.0 / per_second
        due = time.monotonic()
        while not traffic.stop.is_set():
            try:
                step(rng)
            except Exception as exc:  # noqa: BLE001 - a stream logs and goes on
                print(f"[{name}] {exc.__class__.__name__}: {exc}", flush=True)
            due += interval
            delay = due - time.monotonic()
            if delay > 0:
                traffic.stop.wait(delay)
            else:
                due = time.monotonic()  # fell behind: do not burst to catch up

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def start_streams(traffic: Traffic, *, rates: dict[str, float], age_projects) -> list:
    """Start the four streams; ``age_projects(ids)`` makes projects due for the scheduler."""
    projects = traffic.projects

    def commit_and_maybe_push(rng: random.Random) -> None:
        project = rng.choice(projects)
        project.repo.commit()
        with traffic.lock:
            traffic.commits += 1
        # Most forges are set up to deliver pushes; the rest wait for the scheduler.
        if rng.random() < 0.7:
            traffic.push(project)

    def manual(rng: random.Random) -> None:
        traffic.refresh(rng.choice(projects))

    def scheduled(rng: random.Random) -> None:
        age_projects([rng.choice(projects).id])
        with traffic.lock:
            traffic.aged += 1

    return [
        _steady(traffic, rates["commits"], commit_and_maybe_push, "commits", traffic.seed + 1),
        _steady(traffic, rates["manual"], manual, "manual", traffic.seed + 2),
        _steady(traffic, rates["scheduled"], scheduled, "scheduled", traffic.seed + 3),
    ]


def age_projects_in_db(ids: list[str], *, hours: int = 24) -> None:
    """Move the projects' last refresh back in time so the scheduler finds them due.

    This is the run's only stand-in for the clock: a scheduled refresh comes
    from the real scheduler pass, for projects whose interval has passed.
    """
    from django.utils import timezone

    from jobs.models import RefreshHistory
    from projects.models import Project

    past = timezone.now() - timedelta(hours=hours)
    Project.objects.filter(pk__in=ids).update(last_refreshed_at=past)
    RefreshHistory.objects.filter(project_id__in=ids).update(created_at=past)
