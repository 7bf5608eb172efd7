"""Channel targets and signing secrets, encrypted at rest with the repository-token key."""

from __future__ import annotations

from django.conf import settings

from notifications.models import Channel
from projects.core.secret_box import decrypt_token, encrypt_token


def seal(value: str) -> str:
    return encrypt_token(value, settings.REPOTRACKR_TOKEN_KEY) if value else ""


def _open(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    return decrypt_token(
        ciphertext, settings.REPOTRACKR_TOKEN_KEY, old_keys=settings.REPOTRACKR_TOKEN_OLD_KEYS
    )


def channel_target(channel: Channel) -> str:
    return _open(channel.target_encrypted)


def channel_secret(channel: Channel) -> str:
    return _open(channel.secret_encrypted)
