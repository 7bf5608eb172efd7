"""Retention of the delivery log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks.models import WebhookDelivery
from webhooks.services import webhook_deliveries_prune


@pytest.mark.django_db
def test_deliveries_older_than_the_retention_are_deleted(hooked, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 10
    project, _ = hooked()
    now = timezone.now()
    for age_days, delivery_id in ((11, "old"), (9, "recent")):
        WebhookDelivery.objects.create(
            project=project,
            provider="github",
            event="push",
            delivery_id=delivery_id,
            received_at=now - timedelta(days=age_days),
            verdict="ignored",
            http_status=202,
        )
    assert webhook_deliveries_prune(now=now) == 1
    assert list(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_the_daily_prune_job_also_prunes_old_deliveries(hooked, settings):
    from jobs.prune import prune

    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 10
    project, _ = hooked()
    now = timezone.now()
    WebhookDelivery.objects.create(
        project=project,
        provider="github",
        event="push",
        delivery_id="old",
        received_at=now - timedelta(days=11),
        verdict="ignored",
        http_status=202,
    )
    assert prune(now=now)["webhook_deliveries"] == 1
    assert not WebhookDelivery.objects.exists()
