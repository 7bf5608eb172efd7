"""RQ job functions of notifications. Arguments and results are JSON values."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from rq import Retry

from notifications.core.http_post import DeliveryError
from notifications.models import DeliveryStatus
from notifications.services import delivery_claim, delivery_settle
from notifications.transport import send

logger = logging.getLogger(__name__)


def deliver(delivery_id: str) -> dict | Retry:
    """Send one delivery; a retryable failure comes back later (RQ ``Retry``).

    At least once: the delivery is marked delivered only after the receiver
    answered, so a worker killed in between leaves it ``sending`` and the
    sweep queues it again with the same id.
    """
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return {"status": "settled"}
    channel = delivery.channel
    if not channel.enabled or not channel.is_verified:
        reason = "channel disabled" if not channel.enabled else "email address not verified"
        delivery_settle(
            delivery=delivery, status=DeliveryStatus.SKIPPED, error=reason, now=timezone.now()
        )
        return {"status": DeliveryStatus.SKIPPED.value}
    try:
        sent = send(channel, delivery)
    except DeliveryError as exc:
        intervals = settings.NOTIFY_RETRY_INTERVALS
        if exc.retryable and delivery.attempts <= len(intervals):
            delivery_settle(
                delivery=delivery,
                status=DeliveryStatus.PENDING,
                response_code=exc.status,
                error=f"{exc} (will retry)",
                now=timezone.now(),
            )
            return Retry(max=len(intervals), interval=intervals)
        delivery_settle(
            delivery=delivery,
            status=DeliveryStatus.FAILED,
            response_code=exc.status,
            error=str(exc),
            now=timezone.now(),
        )
        return {"status": DeliveryStatus.FAILED.value}
    delivery_settle(
        delivery=delivery,
        status=DeliveryStatus.DELIVERED,
        response_code=sent.response_code,
        latency_ms=sent.latency_ms,
        now=timezone.now(),
    )
    return {"status": DeliveryStatus.DELIVERED.value}


def redeliver_stuck() -> dict:
    """Periodic: queue again what a killed worker left pending or sending."""
    from notifications.services import deliveries_redeliver_stuck

    return {"requeued": deliveries_redeliver_stuck(now=timezone.now())}


def send_due_digests() -> dict:
    """Periodic (hourly): the weekly digest, once per channel and week."""
    from notifications.digest import digests_send_due

    return {"queued": digests_send_due(now=timezone.now())}
