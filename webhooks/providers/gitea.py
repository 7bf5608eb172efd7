"""Gitea and Forgejo: ``X-Gitea-Signature`` (or ``X-Forgejo-Signature``) is the
bare hex HMAC-SHA256 of the raw body.

Events arrive in ``X-Gitea-Event`` / ``X-Forgejo-Event`` with a delivery id in
``X-Gitea-Delivery`` / ``X-Forgejo-Delivery``. Push payloads follow GitHub's
shape (``ref``, ``after``, ``repository.default_branch``).
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

NAME = "gitea"
_FAMILIES = ("x-gitea-", "x-forgejo-")


def _header(headers: Mapping[str, str], suffix: str) -> str:
    for family in _FAMILIES:
        value = headers.get(family + suffix)
        if value:
            return value
    return ""


def matches(headers: Mapping[str, str]) -> bool:
    return any(family + "event" in headers for family in _FAMILIES)


def event_name(headers: Mapping[str, str]) -> str:
    return _header(headers, "event")


def delivery_id(headers: Mapping[str, str]) -> str:
    return _header(headers, "delivery")


def sign(body: bytes, secret: str) -> str:
    """The ``X-Gitea-Signature`` value Gitea would send for ``body``."""
    return hmac_sha256_hex(body, secret)


def signature_valid(*, body: bytes, secret: str, headers: Mapping[str, str]) -> bool:
    """Whether the delivery's signature is ``body`` signed with ``secret`` (constant time).

    A missing header is invalid.
    """
    return same_text(_header(headers, "signature").strip().lower(), sign(body, secret))


def read_event(event: str, payload: Mapping) -> PushReading:
    """Classify a Gitea/Forgejo delivery: ``push`` (branch or tag) or other.

    Gitea sends tag creation both as a ``push`` to ``refs/tags/...`` and as a
    ``create`` event; both read as not a branch push.
    """
    if event != "push":
        return PushReading(kind=EventKind.OTHER)
    return read_push(payload, default_branch=text_at(payload, "repository", "default_branch"))
