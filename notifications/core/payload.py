"""The message an event carries, its webhook JSON, and the HMAC signature over it."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime

SIGNATURE_HEADER = "X-RepoTrackr-Signature"
DELIVERY_HEADER = "X-RepoTrackr-Delivery"
EVENT_HEADER = "X-RepoTrackr-Event"

_LABELS = {
    "complete": "Complete",
    "stale": "Stale",
    "no_plan": "No plan",
    "unknown": "Unknown",
    "archived": "Archived",
    "green": "On track",
    "yellow": "At risk",
    "red": "Off track",
}

_HEADLINES = {
    "project.status_changed": "{name} is now {label}",
    "project.stale": "{name} has gone stale",
    "project.completed": "{name} is complete",
    "project.refresh_failing": "Refreshing {name} keeps failing",
    "project.recovered": "{name} refreshes again",
    "channel.test": "Test notification from RepoTrackr",
}


def status_label(status: str) -> str:
    return _LABELS.get(status, status)


@dataclass(frozen=True)
class ProjectFigures:
    status: str
    percentage: float


@dataclass(frozen=True)
class EventMessage:
    """Everything a channel needs to tell one event (plain values only)."""

    event: str
    occurred_at: datetime
    project_id: str
    project_name: str
    project_url: str
    current: ProjectFigures
    previous: ProjectFigures
    error: str = ""
    forecast: dict = field(default_factory=dict)

    @property
    def headline(self) -> str:
        template = _HEADLINES.get(self.event, "{name}: {event}")
        return template.format(
            name=self.project_name, label=status_label(self.current.status), event=self.event
        )

    @property
    def summary(self) -> str:
        """One line: figures now and before, and the error for failures."""
        now = f"{status_label(self.current.status)}, {self.current.percentage:.0f} % done"
        before = f"{status_label(self.previous.status)}, {self.previous.percentage:.0f} %"
        line = f"{now} (was {before})"
        return f"{line}. Last error: {self.error}" if self.error else line


def webhook_payload(message: EventMessage) -> dict:
    """The documented JSON body of a generic webhook."""
    body = {
        "event": message.event,
        "occurred_at": message.occurred_at.isoformat().replace("+00:00", "Z"),
        "project": {
            "id": message.project_id,
            "name": message.project_name,
            "url": message.project_url,
            "status": message.current.status,
            "progress_percentage": round(message.current.percentage, 2),
        },
        "previous": {
            "status": message.previous.status,
            "progress_percentage": round(message.previous.percentage, 2),
        },
    }
    if message.error:
        body["error"] = message.error
    if message.forecast:
        body["forecast"] = message.forecast
    return body


def encode_json(payload: dict) -> bytes:
    """Compact UTF-8 JSON: the raw body that is signed is the body that is sent."""

    def default(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        raise TypeError(f"not JSON: {type(value).__name__}")

    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=default).encode()


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with the channel's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), header or "")
