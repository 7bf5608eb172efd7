"""Reads for jobs and refresh history."""

from __future__ import annotations

from django.db.models import QuerySet

from jobs.models import RefreshHistory

REFRESH_HISTORY_ON_PAGE = 20


def refresh_history_for_project(
    *, project, limit: int = REFRESH_HISTORY_ON_PAGE
) -> list[RefreshHistory]:
    """The project's latest refreshes, newest first, with who asked (one query)."""
    qs: QuerySet[RefreshHistory] = (
        RefreshHistory.objects.filter(project=project)
        .select_related("user")
        .order_by("-created_at")
    )
    return list(qs[:limit])
