"""Pinned HTTP against a real local server; retries, failures, the log's retention."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.core.http_post import DeliveryError, post
from notifications.core.target_url import TargetUrl
from notifications.models import Delivery, DeliveryStatus
from notifications.services import channel_send_test


def _target(port: int, host: str = "hooks.invalid") -> TargetUrl:
    return TargetUrl(f"http://{host}:{port}/x", "http", host, port, "/x", ("127.0.0.1",))


def test_the_request_goes_to_the_pinned_address_not_to_dns(receiver):
    port = receiver.server.server_address[1]
    outcome = post(
        _target(port),
        b"{}",
        {"Content-Type": "application/json"},
        timeout=5,
        max_response_bytes=1024,
    )
    assert outcome.status == 200
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.invalid:{port}"


def test_a_silent_receiver_times_out_as_a_retryable_failure():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with pytest.raises(DeliveryError) as exc:
            post(_target(server.getsockname()[1]), b"{}", {}, timeout=0.5, max_response_bytes=1024)
        assert exc.value.retryable and "in time" in str(exc.value)
    finally:
        server.close()


def test_only_the_capped_number_of_answer_bytes_is_read():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer():
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 200_000)
        conn.close()

    threading.Thread(target=answer, daemon=True).start()
    outcome = post(_target(server.getsockname()[1]), b"{}", {}, timeout=2, max_response_bytes=4096)
    server.close()
    assert outcome.status == 200 and len(outcome.body_excerpt) <= 500


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("code", "status", "retried"), [(503, "pending", True), (404, "failed", False)]
)
def test_server_errors_are_retried_and_client_errors_are_not(
    make_channel, receiver, drain, django_capture_on_commit_callbacks, code, status, retried
):
    receiver.status = code
    channel, _ = make_channel("webhook", receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        delivery = channel_send_test(channel=channel, now=timezone.now())
    drain()
    delivery.refresh_from_db()
    assert delivery.status == status and delivery.response_code == code
    assert ("will retry" in delivery.error) is retried


@pytest.mark.django_db
def test_the_daily_prune_removes_old_settled_deliveries(make_channel, receiver, settings):
    from jobs.prune import prune

    channel, _ = make_channel("webhook", receiver.url())
    old = Delivery.objects.create(
        channel=channel, event="channel.test", episode="a", status=DeliveryStatus.DELIVERED
    )
    pending = Delivery.objects.create(channel=channel, event="channel.test", episode="b")
    fresh = Delivery.objects.create(
        channel=channel, event="channel.test", episode="c", status=DeliveryStatus.FAILED
    )
    long_ago = timezone.now() - timedelta(days=settings.NOTIFY_DELIVERY_RETENTION_DAYS + 1)
    Delivery.objects.filter(pk__in=[old.pk, pending.pk]).update(created_at=long_ago)
    report = prune(now=timezone.now())
    assert report["notification_deliveries"] == 1
    assert set(Delivery.objects.values_list("pk", flat=True)) == {pending.pk, fresh.pk}
