"""Send one delivery over its channel: pinned HTTP for webhook kinds, Django's mailer for email."""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage

from notifications.core import http_post
from notifications.core.http_post import DeliveryError
from notifications.core.kinds import HTTP_KINDS
from notifications.core.kinds import email as email_kind
from notifications.core.payload import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    EventMessage,
    ProjectFigures,
    encode_json,
    sign,
)
from notifications.core.target_url import InvalidTargetUrlError, validate_target_url
from notifications.models import Channel, Delivery
from notifications.secrets import channel_secret, channel_target
from notifications.unsubscribe import unsubscribe_url


@dataclass(frozen=True)
class Sent:
    response_code: int | None
    latency_ms: int


def message_to_json(message: EventMessage) -> dict:
    return {
        "event": message.event,
        "occurred_at": message.occurred_at.isoformat(),
        "project_id": message.project_id,
        "project_name": message.project_name,
        "project_url": message.project_url,
        "current": [message.current.status, message.current.percentage],
        "previous": [message.previous.status, message.previous.percentage],
        "error": message.error,
        "forecast": message.forecast,
    }


def message_from_json(data: dict) -> EventMessage:
    return EventMessage(
        event=data["event"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        project_id=data["project_id"],
        project_name=data["project_name"],
        project_url=data["project_url"],
        current=ProjectFigures(*data["current"]),
        previous=ProjectFigures(*data["previous"]),
        error=data.get("error", ""),
        forecast=data.get("forecast") or {},
    )


def http_request(channel: Channel, delivery: Delivery) -> tuple[bytes, dict[str, str]]:
    """The exact body and headers a delivery sends (the same on every attempt)."""
    message = message_from_json(delivery.message)
    body = encode_json(HTTP_KINDS[channel.kind].render(message))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "RepoTrackr-Notify/1",
        DELIVERY_HEADER: str(delivery.id),
        EVENT_HEADER: message.event,
    }
    secret = channel_secret(channel)
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return body, headers


def send(channel: Channel, delivery: Delivery) -> Sent:
    """Deliver once; raise ``DeliveryError`` (retryable or not) on failure."""
    if channel.is_email:
        return _send_email(channel, delivery)
    try:
        target = validate_target_url(
            channel_target(channel), allow_local=settings.REPOTRACKR_ALLOW_LOCAL_NOTIFY
        )
    except InvalidTargetUrlError as exc:
        raise DeliveryError(str(exc), retryable=False) from exc
    body, headers = http_request(channel, delivery)
    outcome = http_post.post(
        target,
        body,
        headers,
        timeout=settings.NOTIFY_HTTP_TIMEOUT,
        max_response_bytes=settings.NOTIFY_MAX_RESPONSE_BYTES,
    )
    return Sent(outcome.status, outcome.elapsed_ms)


def send_email(channel: Channel, *, subject: str, body: str, delivery_id: str) -> Sent:
    """One email to the channel's address, with the unsubscribe headers."""
    unsubscribe = unsubscribe_url(channel)
    mail = EmailMessage(
        subject=subject,
        body=body,
        to=[channel_target(channel)],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            DELIVERY_HEADER: delivery_id,
        },
    )
    started = time.monotonic()
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError("the mail server refused the address", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"the mail server failed: {type(exc).__name__}", retryable=True
        ) from exc
    return Sent(None, int((time.monotonic() - started) * 1000))


def _send_email(channel: Channel, delivery: Delivery) -> Sent:
    if "subject" in delivery.message:  # digests and other prepared emails
        subject, body = delivery.message["subject"], delivery.message["body"]
    else:
        text = email_kind.render(
            message_from_json(delivery.message), unsubscribe_url=unsubscribe_url(channel)
        )
        subject, body = text.subject, text.body
    return send_email(channel, subject=subject, body=body, delivery_id=str(delivery.id))
