"""Push webhooks as each forge sends them: detection, signatures, payload reading.

Every provider module is free of Django and exposes the same names:

- ``NAME``: the provider's value in ``WebhookDelivery.provider``;
- ``matches(headers) -> bool``: whether the delivery comes from this forge;
- ``event_name(headers) -> str`` and ``delivery_id(headers) -> str``;
- ``signature_valid(*, body, secret, headers) -> bool`` (constant time);
- ``read_event(event, payload) -> PushReading``.

``headers`` is always a mapping with lower-case names (see
``lower_headers``), so that a request's headers and a plain dict read alike.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

ZERO_SHA = "0" * 40


class EventKind:
    """What a delivery asks of us, independent of the forge."""

    PUSH = "push"
    TAG = "tag"
    PING = "ping"
    OTHER = "other"


@dataclass(frozen=True)
class PushReading:
    """The parts of a delivery's payload that decide what to do with it.

    ``branch`` is the pushed branch (``None`` for tags and other events);
    ``default_branch`` is the repository's default as the payload states it
    (``None`` when absent); ``deleted`` marks a push that removed the ref;
    ``head`` is the commit the branch now points to (the payload's ``after``,
    lower-case hex), ``None`` when the payload does not say.
    """

    kind: str
    branch: str | None = None
    default_branch: str | None = None
    deleted: bool = False
    head: str | None = None


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return ``headers`` with lower-case names (HTTP names are case-insensitive)."""
    return {str(name).lower(): str(value) for name, value in headers.items()}


def hmac_sha256_hex(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA256 of ``body`` keyed with ``secret`` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def same_text(given: str, expected: str) -> bool:
    """Compare two strings in time independent of where they differ.

    Both sides are encoded first: ``hmac.compare_digest`` refuses non-ASCII
    ``str`` values, and a header may carry anything.
    """
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def branch_of_ref(ref: object) -> tuple[str, str | None]:
    """Split a git ref into ``(kind, name)``: heads are pushes, tags are tags.

    Anything else (notes, pull refs, a missing or non-string ref) is ``other``.
    """
    if not isinstance(ref, str):
        return EventKind.OTHER, None
    if ref.startswith("refs/heads/"):
        return EventKind.PUSH, ref.removeprefix("refs/heads/")
    if ref.startswith("refs/tags/"):
        return EventKind.TAG, ref.removeprefix("refs/tags/")
    return EventKind.OTHER, None


def text_at(payload: Mapping, *keys: str) -> str | None:
    """``payload[k1][k2]...`` when every step is a mapping and the end is a string."""
    value: object = payload
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None


def read_push(payload: Mapping, *, default_branch: str | None) -> PushReading:
    """Read a push payload's ``ref`` and ``after`` the way all three forges write them."""
    kind, name = branch_of_ref(payload.get("ref"))
    if kind != EventKind.PUSH:
        return PushReading(kind=kind, default_branch=default_branch)
    deleted = payload.get("deleted") is True or payload.get("after") == ZERO_SHA
    return PushReading(
        kind=kind,
        branch=name,
        default_branch=default_branch,
        deleted=deleted,
        head=None if deleted else commit_id(payload.get("after")),
    )


def commit_id(value: object) -> str | None:
    """``value`` as a full commit id (SHA-1 or SHA-256 hex, lower-cased), else ``None``."""
    if not isinstance(value, str) or len(value) not in (40, 64):
        return None
    lowered = value.lower()
    if lowered.strip("0123456789abcdef"):
        return None
    return lowered


def provider_for(headers: Mapping[str, str]) -> ModuleType | None:
    """The provider module whose headers the delivery carries, or ``None``.

    Gitea and Forgejo also send GitHub's header names for compatibility, so
    they are recognised first.
    """
    from webhooks.providers import gitea, github, gitlab

    for module in (gitea, gitlab, github):
        if module.matches(headers):
            return module
    return None
