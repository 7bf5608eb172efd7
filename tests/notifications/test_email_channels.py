"""Email channels against a real SMTP server: verification, events, unsubscribe, digest."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from notifications.models import Channel, Delivery, DeliveryStatus

DONE_PLAN = "# Plan\n\n- [x] one\n- [x] two\n"


def _link(body: str, word: str) -> str:
    return re.search(rf"http://testserver(/\S*{word}\S*)", body).group(1)


@pytest.mark.django_db(transaction=True)
def test_an_email_channel_sends_nothing_until_its_address_is_verified(
    project, refresh, make_channel, smtp, client
):
    channel, secret = make_channel("email", "me@example.com", verified=False)
    assert secret == ""
    assert len(smtp.messages) == 1
    rcpt, message = smtp.messages[0]
    assert rcpt == ["me@example.com"] and "Confirm" in message["Subject"]
    refresh(project)
    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    refresh(project)
    assert len(smtp.messages) == 1  # the completion was not emailed
    assert not Delivery.objects.filter(channel=channel).exists()

    response = client.get(_link(smtp.bodies()[0], "verify"))
    assert response.status_code == 200
    channel.refresh_from_db()
    assert channel.verified_at is not None


@pytest.mark.django_db(transaction=True)
def test_events_arrive_by_email_with_a_working_unsubscribe_link(
    project, refresh, make_channel, smtp, client
):
    channel, _ = make_channel("email", "me@example.com")
    refresh(project)
    project.repo.write("docs/plan.md", DONE_PLAN).commit("finish")
    refresh(project)
    ((rcpt, message),) = smtp.messages[1:]
    assert message["Subject"] == "[RepoTrackr] demo is complete"
    delivery = Delivery.objects.get(channel=channel)
    assert message["X-RepoTrackr-Delivery"] == str(delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED
    unsubscribe = _link(smtp.bodies()[1], "unsubscribe")
    assert "".join(message["List-Unsubscribe"].split()) == f"<http://testserver{unsubscribe}>"
    assert client.post(unsubscribe).status_code == 200  # one-click: no login, no CSRF token
    assert not Channel.objects.get(pk=channel.pk).enabled


@pytest.mark.django_db(transaction=True)
def test_the_weekly_digest_is_emailed_once_a_week(
    project, refresh, make_channel, smtp, drain, django_capture_on_commit_callbacks
):
    from notifications.digest import digests_send_due

    make_channel("email", "me@example.com", events=["digest.weekly"])
    refresh(project)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due(now=monday) == 1
        assert digests_send_due(now=monday) == 0  # same week: once
        assert digests_send_due(now=datetime(2026, 12, 8, 9, 0, tzinfo=UTC)) == 0  # not Monday
    drain()
    ((rcpt, message),) = smtp.messages[1:]
    assert message["Subject"] == "[RepoTrackr] Weekly digest, 2026-W50"
    body = smtp.bodies()[1]
    assert "- demo: At risk, 40 %" in body
    assert "no forecast" in body or "done around" in body
    assert "Stop these emails: http://testserver/notifications/unsubscribe/" in body
