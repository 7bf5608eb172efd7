"""The webhook services called directly: the secret's life, a key change, refusal timing."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from django.utils import timezone

from webhooks.models import WebhookEndpoint
from webhooks.services import (
    webhook_delivery_receive,
    webhook_endpoint_get_or_create,
    webhook_secret_reveal,
    webhook_secret_rotate,
)

pytestmark = pytest.mark.django_db


def test_get_or_create_gives_the_secret_only_when_it_creates(make_project):
    project = make_project()
    endpoint, secret = webhook_endpoint_get_or_create(project=project)
    again, none = webhook_endpoint_get_or_create(project=project)
    assert secret and none is None
    assert again.pk == endpoint.pk and WebhookEndpoint.objects.count() == 1


def test_rotation_replaces_the_sealed_secret_and_stamps_the_time(make_project):
    project = make_project()
    endpoint, first = webhook_endpoint_get_or_create(project=project)
    now = timezone.now()
    second = webhook_secret_rotate(project=project, now=now)
    endpoint.refresh_from_db()
    assert second != first
    assert webhook_secret_reveal(endpoint=endpoint) == second
    assert endpoint.rotated_at == now


def test_rotating_a_project_without_endpoint_creates_it(make_project):
    project = make_project()
    secret = webhook_secret_rotate(project=project, now=timezone.now())
    endpoint = WebhookEndpoint.objects.get(project=project)
    assert webhook_secret_reveal(endpoint=endpoint) == secret and endpoint.rotated_at is None


def test_a_secret_sealed_under_an_old_key_refuses_deliveries_and_says_so(
    hooked, push_payload, signed_headers, settings
):
    project, secret = hooked()
    settings.REPOTRACKR_TOKEN_KEY = "a-new-key-after-a-leak"
    body = json.dumps(push_payload("github")).encode()
    outcome = webhook_delivery_receive(
        project_id=project.pk,
        body=body,
        headers=signed_headers("github", body, secret),
        now=timezone.now(),
    )
    assert outcome.status == 401 and "regenerated" in outcome.reason


def test_an_unknown_project_costs_about_what_a_bad_signature_does(
    hooked, push_payload, signed_headers, settings
):
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 1000, "window_seconds": 60}
    project, _ = hooked()
    body = json.dumps(push_payload("github")).encode()
    headers = signed_headers("github", body, "wrong")
    unknown = "0b0e3a4e-2b8e-4f4c-9f51-2b1d1e3c5a77"
    timings: dict[str, list[float]] = {"404": [], "401": []}
    for _ in range(40):  # interleaved, so load drift hits both alike
        for name, target in (("404", unknown), ("401", project.pk)):
            # CPU seconds of this process: the work each answer costs, which other
            # processes competing for the cores do not inflate.
            started = time.process_time()
            outcome = webhook_delivery_receive(
                project_id=target, body=body, headers=headers, now=timezone.now()
            )
            timings[name].append(time.process_time() - started)
            assert str(outcome.status) == name
    ratio = statistics.median(timings["404"]) / statistics.median(timings["401"])
    # Both look the endpoint up, open a sealed secret, run the HMAC and count
    # in Redis; only the 401 writes its log row.
    assert 0.2 < ratio < 5
