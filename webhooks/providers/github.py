"""GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``.

Events arrive in ``X-GitHub-Event`` (``push``, ``ping``, ...) with a unique
``X-GitHub-Delivery`` id, which a redelivery keeps.
"""

from __future__ import annotations

from collections.abc import Mapping

from webhooks.providers import (
    EventKind,
    PushReading,
    hmac_sha256_hex,
    read_push,
    same_text,
    text_at,
)

NAME = "github"
SIGNATURE_HEADER = "x-hub-signature-256"
_PREFIX = "sha256="


def matches(headers: Mapping[str, str]) -> bool:
    return "x-github-event" in headers


def event_name(headers: Mapping[str, str]) -> str:
    return headers.get("x-github-event", "")


def delivery_id(headers: Mapping[str, str]) -> str:
    return headers.get("x-github-delivery", "")


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` value GitHub would send for ``body``."""
    return _PREFIX + hmac_sha256_hex(body, secret)


def signature_valid(*, body: bytes, secret: str, headers: Mapping[str, str]) -> bool:
    """Whether the delivery's signature is ``body`` signed with ``secret``.

    A missing header or one without the ``sha256=`` prefix is invalid; the
    comparison runs in constant time either way.
    """
    given = headers.get(SIGNATURE_HEADER, "")
    return same_text(given, sign(body, secret)) and given.startswith(_PREFIX)


def read_event(event: str, payload: Mapping) -> PushReading:
    """Classify a GitHub delivery: ``ping``, ``push`` (branch or tag) or other."""
    if event == "ping":
        return PushReading(kind=EventKind.PING)
    if event != "push":
        return PushReading(kind=EventKind.OTHER)
    return read_push(payload, default_branch=text_at(payload, "repository", "default_branch"))
