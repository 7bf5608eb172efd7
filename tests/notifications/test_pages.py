"""Channel pages, the project's forecast and opt-out, and password reset by email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Channel, Delivery, ProjectNotifyState
from projects.models import ProgressSnapshot


@pytest.mark.django_db
def test_adding_a_webhook_channel_shows_its_secret_once(owner_client, receiver):
    answer = owner_client.post(
        "/notifications/channels/",
        {
            "kind": "webhook",
            "target": receiver.url(),
            "events": ["project.completed"],
            "enabled": "on",
        },
    )
    assert answer.status_code == 200
    channel = Channel.objects.get()
    assert answer.context["secret"] and answer.context["secret"].encode() in answer.content
    again = owner_client.get("/notifications/channels/")
    assert answer.context["secret"].encode() not in again.content
    assert channel.events == ["project.completed"]


@pytest.mark.django_db
def test_a_bad_target_is_explained_on_the_form(owner_client, settings):
    settings.REPOTRACKR_ALLOW_LOCAL_NOTIFY = False
    answer = owner_client.post(
        "/notifications/channels/", {"kind": "teams", "target": "http://10.0.0.1/x"}
    )
    assert "http://" in str(answer.context["form"].errors["target"])
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_the_channel_page_shows_the_delivery_log(owner_client, make_channel, receiver):
    channel, _ = make_channel("webhook", receiver.url())
    Delivery.objects.create(
        channel=channel,
        event="channel.test",
        episode="x",
        status="failed",
        response_code=500,
        error="the receiver answered HTTP 500",
    )
    answer = owner_client.get(f"/notifications/channels/{channel.pk}/")
    assert answer.status_code == 200
    assert b"the receiver answered HTTP 500" in answer.content and b"500" in answer.content


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "test/", "delete/"])
def test_another_users_channel_pages_are_not_found(
    client, other_user, make_channel, receiver, suffix
):
    channel, _ = make_channel("webhook", receiver.url())
    client.force_login(other_user)
    url = f"/notifications/channels/{channel.pk}/{suffix}"
    answer = client.post(url) if suffix else client.get(url)
    assert answer.status_code == 404
    assert Channel.objects.filter(pk=channel.pk).exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_channel_pages_need_a_login(client):
    answer = client.get("/notifications/channels/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@pytest.mark.django_db
def test_the_test_button_is_rate_limited(owner_client, make_channel, receiver, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "notify_test": {"max_attempts": 1, "window_seconds": 600},
    }
    channel, _ = make_channel("webhook", receiver.url())
    for _ in range(2):
        owner_client.post(f"/notifications/channels/{channel.pk}/test/")
    assert Delivery.objects.filter(channel=channel).count() == 1
    page = owner_client.get(f"/notifications/channels/{channel.pk}/")
    assert b"Too many test or verification messages" in page.content


@pytest.mark.django_db
def test_a_project_can_be_opted_out_from_its_page(owner_client, project):
    answer = owner_client.post(
        f"/notifications/projects/{project.pk}/notifications/", {"muted": "1"}
    )
    assert answer.status_code == 302
    assert ProjectNotifyState.objects.get(project=project).muted
    page = owner_client.get(f"/projects/{project.pk}/")
    assert b"Resume notifications for this project" in page.content


@pytest.mark.django_db
def test_another_user_cannot_opt_out_a_project(client, other_user, project):
    client.force_login(other_user)
    answer = client.post(f"/notifications/projects/{project.pk}/notifications/", {"muted": "1"})
    assert answer.status_code == 404 and not ProjectNotifyState.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refresh_stores_a_forecast_from_weeks_of_history_and_pages_show_it(
    project, refresh, owner_client
):
    now = timezone.now()
    # Four weeks of history: 0, 1, 1, 2 of 5 done, each on its own commit.
    for weeks_ago, done in ((4, 0), (3, 1), (2, 1), (1, 2)):
        snap = ProgressSnapshot.objects.create(
            project=project,
            commit_sha=f"old{weeks_ago}",
            total=5,
            done=done,
            percentage=done * 20,
            status="red",
        )
        ProgressSnapshot.objects.filter(pk=snap.pk).update(
            created_at=now - timedelta(weeks=weeks_ago)
        )
    refresh(project)  # the plan has 2 of 5 done: the last week completed nothing
    assert project.velocity_per_week == 0.5
    assert project.forecast_date == now.date() + timedelta(days=42)  # 3 left at 0.5 a week
    assert project.forecast_earliest == now.date() + timedelta(days=21)
    assert project.forecast_latest is None
    page = owner_client.get(f"/projects/{project.pk}/")
    assert page.context["chart"].projection is not None
    assert project.forecast_date.isoformat().encode() in page.content
    assert b"stroke-dasharray" in page.content
    dashboard = owner_client.get("/")
    assert b"Done \xe2\x89\x88" in dashboard.content


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client, owner):
    owner.email = "owner@example.com"
    owner.save()
    assert b"Forgot your password?" in client.get("/accounts/login/").content
    answer = client.post("/accounts/password-reset/", {"email": "owner@example.com"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password-reset/sent/"
    (message,) = mail.outbox
    link = next(w for w in message.body.split() if "/password-reset/" in w)
    form = client.get(link.replace("http://testserver", ""), follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-much-better-pass-42", "new_password2": "a-much-better-pass-42"},
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-much-better-pass-42")
