"""Signed links: verify an email channel's address, unsubscribe from a channel.

Both are ``django.core.signing`` tokens over the channel id (and, for
verification, a digest of the address, so a link for an old address does not
verify a new one). Neither needs a login: they are opened from a mailbox.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.models import Channel

VERIFY_SALT = "repotrackr.notifications.verify"
UNSUBSCRIBE_SALT = "repotrackr.notifications.unsubscribe"
VERIFY_MAX_AGE = 3 * 24 * 3600


def _address_digest(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:16]


def verify_token(channel: Channel, address: str) -> str:
    return signing.dumps({"c": str(channel.pk), "a": _address_digest(address)}, salt=VERIFY_SALT)


def verify_token_read(token: str) -> tuple[str, str] | None:
    """``(channel id, address digest)`` of a valid, unexpired token; else ``None``."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
        return data["c"], data["a"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def address_matches(address: str, digest: str) -> bool:
    return _address_digest(address) == digest


def verify_url(channel: Channel, address: str) -> str:
    path = reverse("notifications:verify", args=[verify_token(channel, address)])
    return f"{settings.REPOTRACKR_SITE_URL}{path}"


def unsubscribe_url(channel: Channel) -> str:
    token = signing.dumps(str(channel.pk), salt=UNSUBSCRIBE_SALT)
    return f"{settings.REPOTRACKR_SITE_URL}{reverse('notifications:unsubscribe', args=[token])}"


def unsubscribe_token_read(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except signing.BadSignature:
        return None
