"""The channels API: owner, logged out and another user's channel, for every endpoint."""

from __future__ import annotations

import pytest

from notifications.core.payload import signature_matches
from notifications.models import Channel, Delivery

ENDPOINTS = [
    ("get", "/api/v1/channels/{id}"),
    ("patch", "/api/v1/channels/{id}"),
    ("delete", "/api/v1/channels/{id}"),
    ("post", "/api/v1/channels/{id}/test"),
    ("get", "/api/v1/channels/{id}/deliveries"),
]


@pytest.fixture
def channel(make_channel, receiver):
    return make_channel("webhook", receiver.url())[0]


@pytest.mark.django_db
def test_create_answers_the_signing_secret_once_and_stores_target_and_secret_encrypted(
    owner_api, receiver
):
    url = receiver.url("/hook?token=abc")
    answer = owner_api.post(
        "/api/v1/channels",
        {"kind": "webhook", "target": url, "events": ["project.completed"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert len(body["signing_secret"]) >= 40 and body["events"] == ["project.completed"]
    stored = Channel.objects.get(pk=body["id"])
    assert (
        url not in stored.target_encrypted and body["signing_secret"] not in stored.secret_encrypted
    )
    read = owner_api.get(f"/api/v1/channels/{body['id']}").json()
    assert "signing_secret" not in read and "token=abc" not in str(read)
    listed = owner_api.get("/api/v1/channels").json()["results"]
    assert [c["id"] for c in listed] == [body["id"]]


@pytest.mark.django_db
def test_create_refuses_a_private_address_when_local_targets_are_off(owner_api, settings):
    settings.REPOTRACKR_ALLOW_LOCAL_NOTIFY = False
    answer = owner_api.post(
        "/api/v1/channels", {"kind": "slack", "target": "https://127.0.0.1/hook"}, format="json"
    )
    assert answer.status_code == 400
    assert "loopback" in str(answer.json())
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_only_email_channels_take_the_digest(owner_api, receiver):
    answer = owner_api.post(
        "/api/v1/channels",
        {"kind": "discord", "target": receiver.url(), "events": ["digest.weekly"]},
        format="json",
    )
    assert answer.status_code == 400 and "digest" in str(answer.json())


@pytest.mark.django_db
def test_update_changes_only_the_given_fields(owner_api, channel):
    answer = owner_api.patch(f"/api/v1/channels/{channel.pk}", {"enabled": False}, format="json")
    assert answer.status_code == 200 and answer.json()["enabled"] is False
    channel.refresh_from_db()
    assert channel.enabled is False and channel.events  # events kept


@pytest.mark.django_db
def test_delete_removes_the_channel(owner_api, channel):
    assert owner_api.delete(f"/api/v1/channels/{channel.pk}").status_code == 204
    assert not Channel.objects.filter(pk=channel.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_test_is_delivered_signed_and_logged(owner_api, make_channel, receiver, drain):
    created = owner_api.post(
        "/api/v1/channels", {"kind": "webhook", "target": receiver.url()}, format="json"
    ).json()
    answer = owner_api.post(f"/api/v1/channels/{created['id']}/test")
    assert answer.status_code == 202
    drain()
    (request,) = receiver.requests
    assert signature_matches(
        request["body"], created["signing_secret"], request["headers"]["X-RepoTrackr-Signature"]
    )
    assert request["headers"]["X-RepoTrackr-Delivery"] == answer.json()["delivery_id"]
    log = owner_api.get(f"/api/v1/channels/{created['id']}/deliveries").json()
    assert log["count"] == 1
    entry = log["results"][0]
    assert (entry["status"], entry["response_code"], entry["event"]) == (
        "delivered",
        200,
        "channel.test",
    )
    assert entry["latency_ms"] is not None


@pytest.mark.django_db
def test_tests_are_rate_limited(owner_api, channel, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "notify_test": {"max_attempts": 2, "window_seconds": 600},
    }
    codes = [owner_api.post(f"/api/v1/channels/{channel.pk}/test").status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    assert Delivery.objects.filter(channel=channel).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_logged_out_requests_are_refused(api_client, channel, method, path):
    answer = getattr(api_client, method)(path.format(id=channel.pk))
    assert answer.status_code in (401, 403)
    assert Channel.objects.filter(pk=channel.pk, enabled=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_another_users_channel_is_not_found(other_api, channel, method, path):
    answer = getattr(other_api, method)(
        path.format(id=channel.pk), {"enabled": False}, format="json"
    )
    assert answer.status_code == 404
    assert Channel.objects.filter(pk=channel.pk, enabled=True).exists()
    assert not Delivery.objects.filter(channel=channel).exists()


@pytest.mark.django_db
def test_logged_out_list_and_create_are_refused(api_client):
    assert api_client.get("/api/v1/channels").status_code in (401, 403)
    answer = api_client.post("/api/v1/channels", {"kind": "email", "target": "a@b.co"})
    assert answer.status_code in (401, 403) and not Channel.objects.exists()


@pytest.mark.django_db
def test_another_users_channels_are_not_listed(other_api, channel):
    assert other_api.get("/api/v1/channels").json()["results"] == []


@pytest.mark.django_db
def test_the_project_api_carries_the_forecast_fields(owner_api, project):
    body = owner_api.get(f"/api/v1/projects/{project.pk}").json()
    assert {
        "velocity_per_week",
        "forecast_date",
        "forecast_earliest",
        "forecast_latest",
        "forecast_note",
    } <= set(body)


@pytest.mark.django_db
def test_creating_email_channels_is_rate_limited_like_tests(owner_api, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "notify_test": {"max_attempts": 1, "window_seconds": 600},
    }
    first = owner_api.post(
        "/api/v1/channels", {"kind": "email", "target": "a@example.com"}, format="json"
    )
    second = owner_api.post(
        "/api/v1/channels", {"kind": "email", "target": "b@example.com"}, format="json"
    )
    assert (first.status_code, second.status_code) == (201, 429)
    assert first.json()["verified"] is False and first.json()["signing_secret"] is None
    assert Channel.objects.count() == 1
