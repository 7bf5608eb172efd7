"""The delivery endpoint through the Django test client: signed pushes, pings, every refusal."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from jobs.models import JobRecord, RefreshHistory
from jobs.queues import get_queue
from webhooks.models import DeliveryVerdict, WebhookDelivery

PROVIDERS = ("github", "gitlab", "gitea")
pytestmark = pytest.mark.django_db


# -- pushes that refresh ----------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_signed_push_to_the_default_branch_queues_a_webhook_refresh(
    provider, hooked, deliver, push_payload, settings, django_capture_on_commit_callbacks
):
    project, secret = hooked()
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(project, provider, push_payload(provider), secret, delivery_id="d-1")

    assert response.status_code == 202
    body = response.json()
    assert body["verdict"] == "queued"
    job = JobRecord.objects.get(project=project)
    assert body["job_id"] == str(job.pk)
    assert (job.priority, job.queue) == ("normal", settings.QUEUE_DEFAULT)
    assert str(job.pk) in get_queue(settings.QUEUE_DEFAULT).job_ids
    assert RefreshHistory.objects.get(job=job).trigger == "webhook"
    delivery = WebhookDelivery.objects.get(project=project)
    assert (delivery.provider, delivery.delivery_id, delivery.verdict, delivery.http_status) == (
        provider,
        "d-1",
        DeliveryVerdict.QUEUED,
        202,
    )
    assert delivery.job_id == job.pk


def test_a_set_branch_is_tracked_instead_of_the_default(hooked, deliver, push_payload):
    project, secret = hooked(branch="release")
    ignored = deliver(project, "github", push_payload("github", ref="refs/heads/main"), secret)
    queued = deliver(project, "github", push_payload("github", ref="refs/heads/release"), secret)
    assert ignored.status_code == 202 and ignored.json()["verdict"] == "ignored"
    assert "'release'" in ignored.json()["reason"]
    assert queued.status_code == 202 and queued.json()["verdict"] == "queued"


def test_a_push_while_a_job_is_active_answers_with_that_job(hooked, deliver, push_payload):
    project, secret = hooked()
    first = deliver(project, "gitea", push_payload("gitea"), secret)
    second = deliver(project, "gitea", push_payload("gitea", after="2" * 40), secret)
    assert second.status_code == 202
    assert second.json()["verdict"] == "deduplicated"
    assert second.json()["job_id"] == first.json()["job_id"]
    assert JobRecord.objects.filter(project=project).count() == 1


# -- deliveries that do nothing -------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_push_to_another_branch_is_ignored_with_the_reason(
    provider, hooked, deliver, push_payload
):
    project, secret = hooked()
    response = deliver(project, provider, push_payload(provider, ref="refs/heads/feature"), secret)
    assert response.status_code == 202
    assert response.json() == {
        "verdict": "ignored",
        "reason": "A push to 'feature'; the tracked branch is 'main'.",
    }
    assert not JobRecord.objects.exists()
    assert WebhookDelivery.objects.get().verdict == DeliveryVerdict.IGNORED


@pytest.mark.parametrize(
    ("provider", "event"), [("github", "push"), ("gitea", "push"), ("gitlab", "Tag Push Hook")]
)
def test_a_tag_push_is_ignored(provider, event, hooked, deliver, push_payload):
    project, secret = hooked()
    response = deliver(
        project, provider, push_payload(provider, ref="refs/tags/v1.0"), secret, event=event
    )
    assert response.status_code == 202
    assert response.json()["verdict"] == "ignored" and "tag" in response.json()["reason"]
    assert not JobRecord.objects.exists()


@pytest.mark.parametrize(
    ("provider", "event"),
    [("github", "issues"), ("gitea", "pull_request"), ("gitlab", "Note Hook")],
)
def test_other_events_are_ignored(provider, event, hooked, deliver, push_payload):
    project, secret = hooked()
    response = deliver(project, provider, push_payload(provider), secret, event=event)
    assert response.status_code == 202
    assert response.json() == {"verdict": "ignored", "reason": "Not a push event."}
    assert not JobRecord.objects.exists()


def test_a_push_deleting_the_tracked_branch_is_ignored(hooked, deliver, push_payload):
    project, secret = hooked()
    response = deliver(project, "gitlab", push_payload("gitlab", after="0" * 40), secret)
    assert response.status_code == 202 and response.json()["verdict"] == "ignored"
    assert not JobRecord.objects.exists()


def test_a_github_ping_answers_200(hooked, deliver):
    project, secret = hooked()
    response = deliver(
        project, "github", {"zen": "Keep it simple.", "hook_id": 1}, secret, event="ping"
    )
    assert response.status_code == 200
    assert response.json()["verdict"] == "ping"
    assert WebhookDelivery.objects.get().verdict == DeliveryVerdict.PING


# -- replays and floods -------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_replayed_delivery_is_acknowledged_and_not_acted_on_twice(
    provider, hooked, deliver, push_payload, settings, django_capture_on_commit_callbacks
):
    project, secret = hooked()
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(project, provider, push_payload(provider), secret, delivery_id="same-id")
    JobRecord.objects.update(status="completed")  # the first refresh has finished
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        replay = deliver(project, provider, push_payload(provider), secret, delivery_id="same-id")
    assert first.status_code == 202
    assert replay.status_code == 200
    assert replay.json()["verdict"] == "duplicate"
    assert JobRecord.objects.filter(project=project).count() == 1
    assert callbacks == []  # the replay's job was rolled back before it could be enqueued
    assert get_queue(settings.QUEUE_DEFAULT).job_ids == [first.json()["job_id"]]
    verdicts = list(WebhookDelivery.objects.order_by("id").values_list("verdict", flat=True))
    assert verdicts == [DeliveryVerdict.QUEUED, DeliveryVerdict.DUPLICATE]


def test_a_replay_while_the_job_is_still_active_is_a_duplicate_too(hooked, deliver, push_payload):
    project, secret = hooked()
    deliver(project, "gitea", push_payload("gitea"), secret, delivery_id="again")
    replay = deliver(project, "gitea", push_payload("gitea"), secret, delivery_id="again")
    assert replay.status_code == 200 and replay.json()["verdict"] == "duplicate"


def test_a_replayed_ping_is_a_duplicate(hooked, deliver):
    project, secret = hooked()
    deliver(project, "github", {"zen": "z"}, secret, event="ping", delivery_id="p")
    replay = deliver(project, "github", {"zen": "z"}, secret, event="ping", delivery_id="p")
    assert replay.status_code == 200 and replay.json()["verdict"] == "duplicate"


def test_the_same_delivery_id_for_another_project_is_not_a_replay(hooked, deliver, push_payload):
    (one, one_secret), (two, two_secret) = hooked(), hooked()
    assert (
        deliver(one, "github", push_payload("github"), one_secret, delivery_id="x").status_code
        == 202
    )
    assert (
        deliver(two, "github", push_payload("github"), two_secret, delivery_id="x").status_code
        == 202
    )
    assert JobRecord.objects.count() == 2


def test_a_flood_of_pushes_makes_one_job(hooked, deliver, push_payload):
    project, secret = hooked()
    answers = [
        deliver(project, "github", push_payload("github", after=f"{i:040x}"), secret)
        for i in range(1, 26)
    ]
    assert {a.status_code for a in answers} == {202}
    assert [a.json()["verdict"] for a in answers].count("queued") == 1
    assert {a.json()["job_id"] for a in answers} == {answers[0].json()["job_id"]}
    assert JobRecord.objects.filter(project=project).count() == 1


def test_deliveries_over_the_project_budget_answer_429_and_are_logged(
    hooked, deliver, push_payload, settings
):
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 3, "window_seconds": 60}
    project, secret = hooked()
    answers = [deliver(project, "gitea", push_payload("gitea"), secret) for _ in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 61
    assert answers[-1].json()["verdict"] == "rate_limited"
    assert WebhookDelivery.objects.filter(verdict=DeliveryVerdict.RATE_LIMITED).count() == 2
    assert JobRecord.objects.count() == 1


def test_the_budget_is_per_project(hooked, deliver, push_payload, settings):
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 1, "window_seconds": 60}
    (one, one_secret), (two, two_secret) = hooked(), hooked()
    assert deliver(one, "github", push_payload("github"), one_secret).status_code == 202
    assert deliver(one, "github", push_payload("github"), one_secret).status_code == 429
    assert deliver(two, "github", push_payload("github"), two_secret).status_code == 202


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_delivery_without_signature_is_refused_and_logged_without_the_body(
    provider, hooked, deliver, push_payload, signed_headers, caplog
):
    project, secret = hooked()
    body = json.dumps(push_payload(provider) | {"marker": "BODY-MARKER"}).encode()
    headers = signed_headers(provider, body, secret, delivery_id="d-401")
    headers = {k: v for k, v in headers.items() if "Signature" not in k and "Token" not in k}
    with caplog.at_level(logging.WARNING):
        response = deliver(project, provider, body, secret, headers=headers)
    assert response.status_code == 401
    assert response.json()["verdict"] == "unauthorized"
    assert "no signature" in response.json()["reason"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.verdict, delivery.http_status, delivery.delivery_id) == (
        "unauthorized",
        401,
        "d-401",
    )
    assert "BODY-MARKER" not in caplog.text and "BODY-MARKER" not in delivery.reason
    assert "refused" in caplog.text
    assert not JobRecord.objects.exists()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_wrong_signature_is_refused(provider, hooked, deliver, push_payload):
    project, secret = hooked()
    response = deliver(project, provider, push_payload(provider), secret + "x")
    assert response.status_code == 401
    assert response.json() == {
        "verdict": "unauthorized",
        "reason": "The signature does not match this project's secret.",
    }
    assert not JobRecord.objects.exists()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_valid_signature_with_another_projects_secret_is_refused(
    provider, hooked, deliver, push_payload
):
    (target, _), (_, other_secret) = hooked(), hooked()
    response = deliver(target, provider, push_payload(provider), other_secret)
    assert response.status_code == 401
    assert not JobRecord.objects.exists()


def test_a_body_altered_after_signing_is_refused(hooked, deliver, push_payload, signed_headers):
    project, secret = hooked()
    body = json.dumps(push_payload("github")).encode()
    headers = signed_headers("github", body, secret)
    response = deliver(project, "github", body.replace(b"main", b"mail"), secret, headers=headers)
    assert response.status_code == 401


def test_a_delivery_from_no_known_forge_is_refused(hooked, deliver):
    project, secret = hooked()
    response = deliver(
        project, "github", {"ref": "refs/heads/main"}, secret, headers={"X-Other": "1"}
    )
    assert response.status_code == 401
    assert WebhookDelivery.objects.get().provider == "unknown"


def test_a_refused_delivery_does_not_take_the_delivery_id(hooked, deliver, push_payload):
    project, secret = hooked()
    forged = deliver(project, "github", push_payload("github"), "guess", delivery_id="real-id")
    real = deliver(project, "github", push_payload("github"), secret, delivery_id="real-id")
    assert (forged.status_code, real.status_code) == (401, 202)


def test_refused_deliveries_past_the_budget_are_no_longer_written(
    hooked, deliver, push_payload, settings
):
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 2, "window_seconds": 60}
    project, secret = hooked()
    answers = [deliver(project, "github", push_payload("github"), "guess") for _ in range(4)]
    assert [a.status_code for a in answers] == [401] * 4
    assert WebhookDelivery.objects.count() == 2
    # ...and they do not spend the forge's own budget.
    assert deliver(project, "github", push_payload("github"), secret).status_code == 202


@pytest.mark.parametrize(
    "make_target",
    ["unknown", "malformed", "archived", "no endpoint"],
)
def test_unknown_archived_or_unhooked_projects_answer_404_shaped_like_a_refusal(
    make_target, hooked, make_project, deliver, push_payload
):
    project, secret = hooked(archived=make_target == "archived")
    project_id = {
        "unknown": "0b0e3a4e-2b8e-4f4c-9f51-2b1d1e3c5a77",
        "malformed": "not-a-uuid",
    }.get(make_target)
    if make_target == "no endpoint":
        project = make_project()
    response = deliver(project, "github", push_payload("github"), secret, project_id=project_id)
    refusal = deliver(hooked()[0], "github", push_payload("github"), "wrong")
    assert response.status_code == 404
    assert response["Content-Type"] == refusal["Content-Type"] == "application/json"
    assert set(response.json()) == set(refusal.json()) == {"verdict", "reason"}
    assert not JobRecord.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_signed_body_that_is_not_a_json_object_answers_400(body, hooked, deliver):
    project, secret = hooked()
    response = deliver(project, "github", body, secret)
    assert response.status_code == 400
    assert response.json()["verdict"] == "invalid"
    assert WebhookDelivery.objects.get().verdict == DeliveryVerdict.INVALID


def test_an_oversized_body_answers_413_without_being_logged(hooked, deliver, settings):
    project, secret = hooked()
    body = b'{"pad": "' + b"x" * settings.WEBHOOK_MAX_BODY_BYTES + b'"}'
    response = deliver(project, "github", body, secret)
    assert response.status_code == 413
    assert response.json()["verdict"] == "too_large"
    assert not WebhookDelivery.objects.exists()


def test_a_body_longer_than_its_declared_length_is_cut_at_the_cap(hooked, settings):
    project, secret = hooked()
    cap = settings.WEBHOOK_MAX_BODY_BYTES
    client = Client()
    # A lying Content-Length under the cap: only that much is read, so the signature fails.
    response = client.generic(
        "POST",
        f"/webhooks/{project.pk}/",
        data=b"{" + b" " * (cap + 10) + b"}",
        content_type="application/json",
        headers={"X-GitHub-Event": "push"},
        CONTENT_LENGTH="10",
    )
    assert response.status_code == 401


def test_get_is_not_allowed(hooked, client):
    project, _ = hooked()
    assert client.get(f"/webhooks/{project.pk}/").status_code == 405


def test_the_endpoint_needs_no_csrf_token(hooked, push_payload, signed_headers):
    project, secret = hooked()
    body = json.dumps(push_payload("github")).encode()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/webhooks/{project.pk}/",
        data=body,
        content_type="application/json",
        headers=signed_headers("github", body, secret),
    )
    assert response.status_code == 202


# -- Redis down -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_queue_down_answers_503_and_leaves_the_delivery_id_free(
    hooked, deliver, push_payload, queue_redis_down
):
    project, secret = hooked()
    first = deliver(project, "github", push_payload("github"), secret, delivery_id="retry-me")
    again = deliver(project, "github", push_payload("github"), secret, delivery_id="retry-me")
    assert first.status_code == 503 and first.json()["verdict"] == "unavailable"
    assert again.status_code == 503  # tried again, not "duplicate"
    jobs = JobRecord.objects.filter(project=project)
    assert set(jobs.values_list("status", "error")) == {("failed", "queue unavailable")}
    assert set(WebhookDelivery.objects.values_list("verdict", flat=True)) == {"unavailable"}


def test_rate_limit_cache_down_answers_503(hooked, deliver, push_payload, redis_down):
    project, secret = hooked()
    response = deliver(project, "gitlab", push_payload("gitlab"), secret)
    assert response.status_code == 503
    assert not JobRecord.objects.exists()


def test_a_push_while_a_refresh_runs_joins_it_only_for_the_head_it_resolved(
    hooked, deliver, push_payload
):
    project, secret = hooked()
    first = deliver(project, "github", push_payload("github"), secret)
    JobRecord.objects.update(status="processing", head_sha="3" * 40)
    joined = deliver(project, "github", push_payload("github", after="3" * 40), secret)
    assert joined.status_code == 202
    assert joined.json()["verdict"] == "deduplicated"
    assert joined.json()["job_id"] == first.json()["job_id"]
    assert "already reading this push's head" in joined.json()["reason"]
    assert str(WebhookDelivery.objects.latest("id").job_id) == first.json()["job_id"]
    assert JobRecord.objects.get().follow_up is False

    followed = deliver(project, "github", push_payload("github", after="4" * 40), secret)
    assert followed.status_code == 202
    assert followed.json()["verdict"] == "queued"
    assert followed.json()["job_id"] == first.json()["job_id"]
    assert "a refresh follows it" in followed.json()["reason"]
    assert JobRecord.objects.get().follow_up is True
