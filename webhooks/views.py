"""The delivery endpoint forges post to, and the owner's setup page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from webhooks.selectors import (
    webhook_delivery_list_for_project,
    webhook_endpoint_for_project,
    webhook_project_get_for_owner,
)
from webhooks.services import (
    DeliveryOutcome,
    webhook_delivery_receive,
    webhook_secret_rotate,
    webhook_test_delivery_send,
)


def _answer(outcome: DeliveryOutcome) -> JsonResponse:
    response = JsonResponse(outcome.body(), status=outcome.status)
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


# Forges cannot send a CSRF token; every other protection stays on.
@csrf_exempt
@require_POST
def receive(request: HttpRequest, project_id: str):
    """Receive one delivery; the size cap is applied before the body is read."""
    cap = settings.WEBHOOK_MAX_BODY_BYTES
    too_large = DeliveryOutcome(413, "too_large", f"The body exceeds {cap} bytes.")
    declared = _declared_length(request)
    if declared is None:
        return _answer(DeliveryOutcome(400, "invalid", "Malformed Content-Length."))
    if declared > cap:
        return _answer(too_large)
    body = request.read(cap + 1)
    if len(body) > cap:
        return _answer(too_large)
    try:
        parsed_id = uuid.UUID(project_id)
    except ValueError:
        parsed_id = None
    outcome = webhook_delivery_receive(
        project_id=parsed_id, body=body, headers=request.headers, now=timezone.now()
    )
    return _answer(outcome)


def webhook_panel_context(request: HttpRequest, project, **extra) -> dict:
    """What ``webhooks/setup_panel.html`` needs, for this page or for the project page.

    ``extra`` may carry ``new_secret`` (shown once) and ``test_outcome``.
    """
    return {
        "project": project,
        "endpoint": webhook_endpoint_for_project(project=project),
        "endpoint_url": request.build_absolute_uri(reverse("webhooks:receive", args=[project.pk])),
        "deliveries": webhook_delivery_list_for_project(project=project),
        "tracked_branch": project.branch,
        "new_secret": None,
        "test_outcome": None,
        **extra,
    }


def _page(request: HttpRequest, project, **extra):
    return render(
        request, "webhooks/webhook_page.html", webhook_panel_context(request, project, **extra)
    )


@login_required
@require_http_methods(["GET"])
def webhook_page(request: HttpRequest, project_id):
    project = webhook_project_get_for_owner(user=request.user, project_id=project_id)
    return _page(request, project)


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, project_id):
    """Generate (or replace) the secret and show it, in this response only."""
    project = webhook_project_get_for_owner(user=request.user, project_id=project_id)
    secret = webhook_secret_rotate(project=project, now=timezone.now())
    return _page(request, project, new_secret=secret)


@login_required
@require_POST
def webhook_test(request: HttpRequest, project_id):
    """Post a signed ping to the project's endpoint from the server and show the verdict."""
    project = webhook_project_get_for_owner(user=request.user, project_id=project_id)
    outcome = webhook_test_delivery_send(project=project, now=timezone.now())
    return _page(request, project, test_outcome=outcome)
