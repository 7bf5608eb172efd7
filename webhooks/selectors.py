"""Reads for webhooks."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from jobs.models import ACTIVE_JOB_STATUSES, JobRecord
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
    """The endpoint a delivery is addressed to: ``None`` for unknown or archived projects.

    The same query brings the project and its active pipeline job, if any
    (``active_job_id``, ``active_job_status``): under a flood of pushes that
    is all the answer needs.
    """
    active = JobRecord.objects.filter(
        project=OuterRef("project_id"), status__in=ACTIVE_JOB_STATUSES
    ).order_by("-created_at")
    return (
        WebhookEndpoint.objects.select_related("project")
        .filter(project_id=project_id, project__archived=False)
        .annotate(
            active_job_id=Subquery(active.values("id")[:1]),
            active_job_status=Subquery(active.values("status")[:1]),
        )
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
