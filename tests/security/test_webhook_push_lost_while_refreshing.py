"""Finding: a push that lands while the project's refresh runs was answered and then lost.

The webhook answered any push with the running job ("deduplicated"), but
that job had resolved the remote head before the push: the pushed commit
waited for the next scheduled refresh, hours later. Now the running job
records the head it resolved; a push of another head marks it, and a
refresh follows it when it ends. A burst of such pushes (new delivery ids
each) still buys one follow-up, and the follow-up is not charged again.
"""

from __future__ import annotations

import json
import uuid

import pytest

from jobs import pipeline, tracker
from jobs.models import JobRecord
from jobs.ratelimit import WEBHOOK_DELIVERY, RateLimiter
from webhooks.providers import github

PUSHES_DURING_THE_RUN = 5


@pytest.fixture(autouse=True)
def _webhook_settings(settings, tmp_path):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    settings.WEBHOOK_RATE_LIMIT = {"max_attempts": 30, "window_seconds": 60}


def _push(client, project, secret: str, head: str):
    body = json.dumps(
        {"ref": "refs/heads/main", "after": head, "repository": {"default_branch": "main"}}
    ).encode()
    return client.post(
        f"/webhooks/{project.pk}/",
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": github.sign(body, secret),
        },
    )


@pytest.mark.django_db
def test_pushes_during_a_running_refresh_are_read_right_after_it_once(
    owner, client, make_repo, monkeypatch, django_capture_on_commit_callbacks, drain
):
    from projects.services import project_create
    from webhooks.services import webhook_endpoint_get_or_create

    repo = make_repo()
    project = project_create(owner=owner, name="Pushed", repo_url=repo.url)
    _, secret = webhook_endpoint_get_or_create(project=project)
    before = repo._git("rev-parse", "HEAD")
    pushed = {}
    real_set_stage = tracker.job_set_stage

    def push_while_parsing(job_id, stage, progress):
        real_set_stage(job_id, stage, progress)
        if stage == pipeline.PARSING and not pushed:
            # The job cloned ``before``; the new commit lands after it looked.
            pushed["head"] = repo.write("LATE.md", "pushed mid-refresh\n").commit("Late push")
            pushed["answers"] = [
                _push(client, project, secret, pushed["head"]) for _ in range(PUSHES_DURING_THE_RUN)
            ]

    monkeypatch.setattr(tracker, "job_set_stage", push_while_parsing)
    with django_capture_on_commit_callbacks(execute=True):
        started = _push(client, project, secret, before)
    with django_capture_on_commit_callbacks(execute=True):
        drain()
    drain()

    assert {a.json()["verdict"] for a in pushed["answers"]} == {"queued"}
    assert {a.json()["job_id"] for a in pushed["answers"]} == {started.json()["job_id"]}
    jobs = list(JobRecord.objects.filter(project=project).order_by("created_at"))
    assert [job.status for job in jobs] == ["completed", "completed"]  # one follow-up only
    assert jobs[0].result["commit_sha"] == before
    assert jobs[1].result["commit_sha"] == pushed["head"]
    project.refresh_from_db()
    assert project.last_commit_sha == pushed["head"]
    budget = RateLimiter(WEBHOOK_DELIVERY)
    assert budget.remaining(project) == budget.check(project).limit - 1 - PUSHES_DURING_THE_RUN
