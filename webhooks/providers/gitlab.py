"""GitLab: ``X-Gitlab-Token`` carries the secret itself (GitLab does not sign).

Events arrive in ``X-Gitlab-Event`` (``Push Hook``, ``Tag Push Hook``, ...)
with a delivery id in ``X-Gitlab-Event-UUID``; the default branch is
``project.default_branch`` in the payload.
"""

from __future__ import annotations

from collections.abc import Mapping

from webhooks.providers import EventKind, PushReading, read_push, same_text, text_at

NAME = "gitlab"
PUSH_EVENT = "Push Hook"
TAG_EVENT = "Tag Push Hook"


def matches(headers: Mapping[str, str]) -> bool:
    return "x-gitlab-event" in headers


def event_name(headers: Mapping[str, str]) -> str:
    return headers.get("x-gitlab-event", "")


def delivery_id(headers: Mapping[str, str]) -> str:
    return headers.get("x-gitlab-event-uuid", "")


def signature_valid(*, body: bytes, secret: str, headers: Mapping[str, str]) -> bool:
    """Whether the delivery's token equals ``secret``, compared in constant time.

    ``body`` is not covered by GitLab's scheme; it is accepted for the common
    provider signature. A missing header is invalid.
    """
    given = headers.get("x-gitlab-token", "")
    return same_text(given, secret) and bool(given)


def read_event(event: str, payload: Mapping) -> PushReading:
    """Classify a GitLab delivery: ``Push Hook`` (branch), ``Tag Push Hook`` or other."""
    default_branch = text_at(payload, "project", "default_branch")
    if event == TAG_EVENT:
        return PushReading(kind=EventKind.TAG, default_branch=default_branch)
    if event != PUSH_EVENT:
        return PushReading(kind=EventKind.OTHER)
    return read_push(payload, default_branch=default_branch)
