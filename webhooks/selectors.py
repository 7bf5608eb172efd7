"""Reads for webhooks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from projects.models import Project
from webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERY_LOG_LENGTH = 20


def webhook_project_get_for_owner(*, user, project_id) -> Project:
    """The project if ``user`` owns it, else 404.

    Owner only, staff included: the page shows and rotates the secret, and a
    rotation breaks the hook configured at the forge.
    """
    return get_object_or_404(Project.objects.filter(owner=user), pk=project_id)


def webhook_endpoint_for_project(*, project: Project) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(project=project).first()


def webhook_endpoint_for_delivery(*, project_id) -> WebhookEndpoint | None:
    """The endpoint a delivery is addressed to, with its project: ``None`` for unknown or archived projects."""
    return (
        WebhookEndpoint.objects.select_related("project")
        .filter(project_id=project_id, project__archived=False)
        .first()
    )


def webhook_delivery_list_for_project(
    *, project: Project, limit: int = DELIVERY_LOG_LENGTH
) -> QuerySet[WebhookDelivery]:
    """The project's latest deliveries, newest first, with their jobs."""
    return (
        WebhookDelivery.objects.filter(project=project)
        .select_related("job")
        .order_by("-received_at", "-id")[:limit]
    )
