"""Attack: nest a document so deep that the parser exhausts Python's stack.

A signed webhook body of ``{"a":{"a":...}}`` a few thousand levels deep made
``json.loads`` raise ``RecursionError``, which nothing caught: a 500 (the
API's own JSON parser had the same hole). A
``repotrackr.yml`` of ``[[[[...`` did the same inside PyYAML's composer and
the refresh failed as "an internal error". Both are now clear refusals.
"""

from __future__ import annotations

import json

import pytest

from jobs.errors import classify_error
from jobs.models import JobRecord, JobStatus
from projects.core.plan_config import PlanConfigError, parse_plan_config
from webhooks.models import WebhookDelivery
from webhooks.providers import github

DEPTH = 5000


def _deep_json() -> bytes:
    return ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode()


def _deep_yaml() -> str:
    return "plan_paths: " + "[" * DEPTH + "]" * DEPTH + "\n"


@pytest.mark.django_db
def test_a_deeply_nested_webhook_body_is_a_clear_400(owner, client, settings, tmp_path):
    from projects.services import project_create
    from webhooks.services import webhook_endpoint_get_or_create

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.WEBHOOK_MAX_BODY_BYTES = 64 * 1024
    project = project_create(owner=owner, name="Alpha", repo_url=str(tmp_path / "r.git"))
    _, secret = webhook_endpoint_get_or_create(project=project)
    body = _deep_json()
    with pytest.raises(RecursionError):
        json.loads(body)  # the attack is real on this interpreter
    response = client.post(
        f"/webhooks/{project.pk}/",
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "deep-1",
            "X-Hub-Signature-256": github.sign(body, secret),
        },
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["reason"]
    delivery = WebhookDelivery.objects.get(project=project)
    assert (delivery.http_status, delivery.verdict) == (400, "invalid")
    assert not JobRecord.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_deeply_nested_api_body_is_a_clear_400(owner_api):
    response = owner_api.generic(
        "POST", "/api/v1/projects", _deep_json(), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]["message"]


def test_a_deeply_nested_repotrackr_yml_is_a_config_error():
    with pytest.raises(PlanConfigError, match="nested too deeply"):
        parse_plan_config(_deep_yaml())


@pytest.mark.django_db
def test_a_refresh_of_a_repository_with_a_deep_repotrackr_yml_fails_clearly(
    make_repo, owner, settings, tmp_path, django_capture_on_commit_callbacks
):
    from jobs.queues import get_queue, queue_names
    from jobs.services import refresh_request
    from jobs.worker import RepoTrackrSimpleWorker
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    repo = make_repo()
    repo.write("repotrackr.yml", _deep_yaml()).commit("a hostile config")
    project = project_create(owner=owner, name="Deep", repo_url=repo.url)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = refresh_request(project=project, user=owner, trigger="manual")
    conn = get_redis()
    RepoTrackrSimpleWorker(
        [get_queue(name, connection=conn) for name in queue_names()], connection=conn
    ).work(burst=True)
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1
    assert "repotrackr.yml" in record.error and "nested too deeply" in record.error
    assert "internal error" not in record.error


def test_any_other_recursion_error_in_a_job_is_a_permanent_clear_failure():
    error = classify_error(RecursionError("maximum recursion depth exceeded"))
    assert error.retryable is False
    assert error.message == "a file in the repository is nested too deeply to be read"
