"""Writes for accounts: sign-up and API tokens."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import ApiToken, generate_token_key, hash_token_key


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is never shown again."""
    key = generate_token_key()
    token = ApiToken(user=user, name=name.strip(), key_hash=hash_token_key(key), key_hint=key[:8])
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The token matching ``key`` with its user, its last use stamped; else None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Stamp at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_create(*, username: str, password: str, email: str = ""):
    return get_user_model().objects.create_user(username=username, password=password, email=email)
