"""A push webhook end to end: endpoint → real Redis → burst worker → the project's new progress."""

from __future__ import annotations

import pytest

from jobs.models import JobRecord, RefreshHistory

PLAN_AFTER_PUSH = """# Plan

## Phase 1: Foundation

- [x] Set up the repository
- [x] Write the parser
  - [x] Handle nested tasks

## Phase 2: Launch

- [x] Deploy
- [~] Write the docs
"""


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["github", "gitlab", "gitea"])
def test_a_push_webhook_refreshes_the_project_to_the_pushed_head(
    provider, make_repo, hooked, deliver, push_payload, drain, django_capture_on_commit_callbacks
):
    repo = make_repo()
    project, secret = hooked(repo.url)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(project, provider, push_payload(provider), secret)
    drain()
    project.refresh_from_db()
    assert project.percentage == pytest.approx(40.0)

    head = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick three tasks")
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(project, provider, push_payload(provider, after=head), secret)
    assert response.status_code == 202 and response.json()["verdict"] == "queued"
    drain()

    job = JobRecord.objects.get(pk=response.json()["job_id"])
    assert job.status == "completed"
    assert job.result["commit_sha"] == head and job.result["unchanged"] is False
    project.refresh_from_db()
    assert (project.total_tasks, project.done_tasks) == (5, 4)
    assert project.percentage == pytest.approx(80.0)
    assert project.last_commit_sha == head
    history = RefreshHistory.objects.get(job=job)
    assert (history.trigger, history.status) == ("webhook", "completed")
