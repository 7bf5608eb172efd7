from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import ApiToken


def api_token_list_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user, token_id) -> ApiToken:
    """The user's own token, or 404 (another user's token does not exist for them)."""
    return get_object_or_404(ApiToken, pk=token_id, user=user)
