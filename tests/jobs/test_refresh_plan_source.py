"""The plan's source, its counting warnings and the other candidates: stored with the
snapshot by a real refresh, shown on the project page, switched in one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import JobRecord, JobStatus
from projects.models import ProgressSnapshot

PLAN = (
    "# Plan\n\n- ✅ Done - shipped\n- 🚧 In progress - being built\n\n"
    "## Phase 1\n\n- [x] Parser\n- [ ] Exporter\n\n## Phase 2\n\n- [ ] Docs\n"
)
TODO = "# Todo\n\n- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n- [ ] e\n- [ ] f\n"


@pytest.fixture
def repo(make_repo):
    repo = make_repo(plan=PLAN)
    repo.write("TODO.md", TODO).write("vendor/x/ROADMAP.md", "- [ ] not ours\n")
    repo.commit("todo")
    return repo


@pytest.mark.django_db
def test_refresh_stores_warnings_and_candidates_with_the_snapshot(project, request_refresh, drain):
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED
    assert [c["label"] for c in record.result["plan_candidates"]] == ["docs/plan.md", "TODO.md"]
    snapshot = ProgressSnapshot.objects.get(project=project)
    assert snapshot.plan_label == "docs/plan.md"
    assert snapshot.plan_warnings == ["docs/plan.md:3: not counted: legend (2 entries)"]
    assert [c["tasks"] for c in snapshot.plan_candidates] == [3, 6]
    assert record.result["tasks_count"] == 3


@pytest.mark.django_db
def test_an_unchanged_refresh_still_shows_them(project, request_refresh, drain, owner_client):
    request_refresh(project)
    drain()
    second = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=second.job.pk)
    assert record.result["unchanged"] is True
    assert [c["label"] for c in record.result["plan_candidates"]] == ["docs/plan.md", "TODO.md"]
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Read from <strong>docs/plan.md</strong>" in body
    assert "not counted: legend (2 entries)" in body
    assert 'name="plan_path" value="TODO.md"' in body


@pytest.mark.django_db
def test_one_click_switches_the_plan_path_and_refreshes(
    project, request_refresh, drain, owner_client, django_capture_on_commit_callbacks
):
    request_refresh(project)
    drain()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("projects:use_plan", args=[project.pk]), {"plan_path": "TODO.md"}
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.plan_path == "TODO.md"
    drain()
    project.refresh_from_db()
    assert (project.total_tasks, project.done_tasks) == (6, 2)
    latest = JobRecord.objects.filter(project=project).order_by("-created_at").first()
    assert latest.status == JobStatus.COMPLETED and latest.result["unchanged"] is False


@pytest.mark.django_db
def test_a_path_that_was_not_offered_is_refused(project, request_refresh, drain, owner_client):
    request_refresh(project)
    drain()
    response = owner_client.post(
        reverse("projects:use_plan", args=[project.pk]), {"plan_path": "vendor/x/ROADMAP.md"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.plan_path == ""


@pytest.mark.django_db
def test_switching_someone_elses_plan_is_not_found(project, client, other_user):
    client.force_login(other_user)
    response = client.post(
        reverse("projects:use_plan", args=[project.pk]), {"plan_path": "TODO.md"}
    )
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.plan_path == ""
