"""Fixtures for the webhook tests: projects with endpoints, signed deliveries, burst workers."""

from __future__ import annotations

import json
import uuid

import pytest

from webhooks.providers import gitea, github

BARE_HEAD = "1" * 40


@pytest.fixture(autouse=True)
def webhook_settings(settings, tmp_path):
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 30, "window_seconds": 60}
    settings.WEBHOOK_MAX_BODY_BYTES = 64 * 1024
    return settings


@pytest.fixture
def make_project(owner, tmp_path):
    from projects.services import project_create

    counter = {"n": 0}

    def make(url: str | None = None, *, user=None, **fields):
        counter["n"] += 1
        return project_create(
            owner=user or owner,
            name=f"project {counter['n']}",
            repo_url=url or str(tmp_path / f"nowhere{counter['n']}.git"),
            **fields,
        )

    return make


@pytest.fixture
def hooked(make_project):
    """A project with a webhook endpoint: ``(project, secret)``."""
    from webhooks.services import webhook_endpoint_get_or_create

    def make(url: str | None = None, **fields):
        project = make_project(url, **fields)
        _, secret = webhook_endpoint_get_or_create(project=project)
        return project, secret

    return make


def push_payload(
    provider: str,
    *,
    ref: str = "refs/heads/main",
    default_branch: str = "main",
    after: str = BARE_HEAD,
) -> dict:
    """A push payload shaped like the named forge's (only the fields we read, plus some noise)."""
    if provider == "gitlab":
        return {
            "object_kind": "push",
            "ref": ref,
            "before": "0" * 39 + "1",
            "after": after,
            "project": {"name": "demo", "default_branch": default_branch},
            "commits": [{"id": after, "message": "Tick a task"}],
        }
    return {
        "ref": ref,
        "before": "0" * 39 + "1",
        "after": after,
        "repository": {"full_name": "team/demo", "default_branch": default_branch},
        "commits": [{"id": after, "message": "Tick a task"}],
    }


def signed_headers(
    provider: str,
    body: bytes,
    secret: str,
    *,
    event: str | None = None,
    delivery_id: str | None = None,
) -> dict[str, str]:
    """The headers the named forge sends with ``body`` signed by ``secret``."""
    delivery_id = delivery_id or str(uuid.uuid4())
    if provider == "github":
        return {
            "X-GitHub-Event": event or "push",
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": github.sign(body, secret),
        }
    if provider == "gitea":
        return {
            "X-Gitea-Event": event or "push",
            "X-Gitea-Delivery": delivery_id,
            "X-Gitea-Signature": gitea.sign(body, secret),
        }
    return {
        "X-Gitlab-Event": event or "Push Hook",
        "X-Gitlab-Event-UUID": delivery_id,
        "X-Gitlab-Token": secret,
    }


@pytest.fixture
def deliver(client):
    """POST a delivery to a project's endpoint with the Django test client.

    ``payload`` may be a dict (encoded as JSON) or raw bytes; ``headers``
    replaces the signed headers when given.
    """

    def post(
        project,
        provider: str,
        payload,
        secret: str,
        *,
        event: str | None = None,
        delivery_id: str | None = None,
        headers: dict | None = None,
        project_id=None,
    ):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sent = (
            headers
            if headers is not None
            else signed_headers(provider, body, secret, event=event, delivery_id=delivery_id)
        )
        return client.post(
            f"/webhooks/{project_id or project.pk}/",
            data=body,
            content_type="application/json",
            headers=sent,
        )

    return post


@pytest.fixture(name="push_payload")
def push_payload_fixture():
    """The ``push_payload`` builder, for tests (conftest modules cannot be imported)."""
    return push_payload


@pytest.fixture(name="signed_headers")
def signed_headers_fixture():
    return signed_headers
