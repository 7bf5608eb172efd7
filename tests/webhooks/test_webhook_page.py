"""The owner's webhook page: URL, secret shown once, rotation, test delivery, the log; the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_secret_reveal

pytestmark = pytest.mark.django_db


def page_url(project, action: str = "") -> str:
    return f"/projects/{project.pk}/webhook/{action + '/' if action else ''}"


def test_logged_out_visitors_are_sent_to_log_in(client, make_project):
    project = make_project()
    response = client.get(page_url(project))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(page_url(project, "rotate")).status_code == 302
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("who", ["other_user", "staff"])
def test_another_users_project_is_not_found(who, request, client, make_project):
    project = make_project()
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_url(project)).status_code == 404
    assert client.post(page_url(project, "rotate")).status_code == 404
    assert client.post(page_url(project, "test")).status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_the_page_shows_the_url_and_offers_to_generate_a_secret(owner_client, make_project):
    project = make_project()
    response = owner_client.get(page_url(project))
    assert response.status_code == 200
    assert response.context["endpoint"] is None
    assert response.context["endpoint_url"] == f"http://testserver/webhooks/{project.pk}/"
    html = response.content.decode()
    assert "Generate a secret" in html and "application/json" in html
    for forge in ("GitHub", "GitLab", "Gitea and Forgejo"):
        assert f"<h4>{forge}</h4>" in html


def test_generating_shows_the_secret_once_and_stores_it_encrypted(owner_client, make_project):
    project = make_project()
    response = owner_client.post(page_url(project, "rotate"))
    secret = response.context["new_secret"]
    assert response.status_code == 200 and len(secret) >= 40
    assert secret in response.content.decode()
    endpoint = WebhookEndpoint.objects.get(project=project)
    assert secret not in endpoint.secret_encrypted
    assert webhook_secret_reveal(endpoint=endpoint) == secret
    again = owner_client.get(page_url(project))
    assert secret not in again.content.decode() and "Replace the secret" in again.content.decode()


def test_replacing_the_secret_refuses_the_old_one(
    owner_client, make_project, deliver, push_payload
):
    project = make_project()
    old = owner_client.post(page_url(project, "rotate")).context["new_secret"]
    new = owner_client.post(page_url(project, "rotate")).context["new_secret"]
    assert new != old
    assert WebhookEndpoint.objects.get(project=project).rotated_at is not None
    assert deliver(project, "github", push_payload("github"), old).status_code == 401
    assert deliver(project, "github", push_payload("github"), new).status_code == 202


def test_rotation_needs_a_csrf_token_and_a_post(owner, make_project):
    project = make_project()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(page_url(project, "rotate")).status_code == 403
    assert client.get(page_url(project, "rotate")).status_code == 405
    assert not WebhookEndpoint.objects.exists()


def test_the_test_delivery_pings_the_endpoint_and_shows_the_verdict(owner_client, make_project):
    project = make_project()
    owner_client.post(page_url(project, "rotate"))
    response = owner_client.post(page_url(project, "test"))
    outcome = response.context["test_outcome"]
    assert (outcome.status, outcome.verdict) == (200, "ping")
    assert "Test delivery answered <strong>200</strong>" in response.content.decode()
    delivery = WebhookDelivery.objects.get(project=project)
    assert (delivery.provider, delivery.event, delivery.verdict) == ("github", "ping", "ping")
    assert delivery.delivery_id.startswith("repotrackr-test-")


def test_the_test_delivery_without_a_secret_reports_the_404(owner_client, make_project):
    project = make_project()
    response = owner_client.post(page_url(project, "test"))
    assert response.context["test_outcome"].status == 404
    assert not WebhookDelivery.objects.exists()


def test_the_log_shows_the_latest_20_deliveries_with_a_constant_query_count(
    owner_client, hooked, deliver, push_payload, django_assert_max_num_queries
):
    project, secret = hooked()
    for i in range(25):
        deliver(project, "github", push_payload("github", ref=f"refs/heads/b{i}"), secret)
    deliver(project, "github", push_payload("github"), secret)  # one with a job
    with django_assert_max_num_queries(8):
        response = owner_client.get(page_url(project))
    rows = list(response.context["deliveries"])
    assert len(rows) == 20
    assert rows[0].job_id is not None and rows[1].reason.startswith("A push to 'b24'")


def test_text_from_payloads_is_escaped_in_the_log(owner_client, hooked, deliver, push_payload):
    project, secret = hooked()
    deliver(project, "github", push_payload("github", ref="refs/heads/<script>x</script>"), secret)
    html = owner_client.get(page_url(project)).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


# -- admin -----------------------------------------------------------------------------------


def test_the_admin_lists_deliveries_read_only_and_never_shows_the_secret(
    client, staff, hooked, deliver, push_payload
):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    project, secret = hooked()
    deliver(project, "gitlab", push_payload("gitlab"), secret)
    listing = client.get("/admin/webhooks/webhookdelivery/?verdict=queued")
    assert listing.status_code == 200 and "gitlab" in listing.content.decode()
    assert client.get("/admin/webhooks/webhookdelivery/add/").status_code == 403
    endpoint = WebhookEndpoint.objects.get()
    change = client.get(f"/admin/webhooks/webhookendpoint/{project.pk}/change/")
    assert change.status_code == 200
    assert endpoint.secret_encrypted not in change.content.decode()
    assert secret not in change.content.decode()
