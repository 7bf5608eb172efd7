"""Attack: edit repository settings again and again to get refreshes past the budget.

Before the fix every change of repo_url/branch/plan_path/token started a
forced refresh that was never charged: 8 edits gave 8 refreshes after the
budget was spent. Now each is charged; over budget the edit still saves.
"""

import pytest
from django.urls import reverse

from jobs.models import JobRecord
from jobs.ratelimit import RateLimiter

pytestmark = pytest.mark.django_db


def _patch(client, project, data, capture):
    with capture(execute=True):
        return client.patch(f"/api/v1/projects/{project.pk}", data, format="json")


def test_api_edits_are_charged_and_over_budget_they_save_without_a_refresh(
    owner_api, make_project, finish_jobs, django_capture_on_commit_callbacks
):
    project = make_project()
    answers = []
    for i in range(8):
        finish_jobs()
        answers.append(
            _patch(owner_api, project, {"branch": f"b{i}"}, django_capture_on_commit_callbacks)
        )
    assert [a.status_code for a in answers] == [200] * 8
    started = [a.json()["refresh"]["started"] for a in answers]
    assert started == [True] * 3 + [False] * 5
    refused = answers[-1].json()["refresh"]
    assert "refresh not started, retry in" in refused["message"].lower()
    assert refused["retry_after"] >= 1
    project.refresh_from_db()
    assert project.branch == "b7"  # the edit itself was saved
    assert JobRecord.objects.filter(project=project).count() == 3


def test_web_form_edits_are_charged_too(owner_client, owner, make_project, finish_jobs):
    project = make_project("Target")
    messages = []
    for i in range(5):
        finish_jobs()
        response = owner_client.post(
            reverse("projects:edit", args=[project.pk]),
            {
                "name": "Target",
                "repo_url": project.repo_url,
                "branch": f"b{i}",
                "refresh_interval_hours": 6,
            },
            follow=True,
        )
        messages.append(" ".join(str(m) for m in response.context["messages"]))
    assert JobRecord.objects.filter(project=project).count() == 3
    assert "Refresh not started, retry in" in messages[-1]
    assert RateLimiter("refresh").remaining(owner) == 0
    project.refresh_from_db()
    assert project.branch == "b4"


def test_only_a_new_projects_first_refresh_is_free(
    owner, owner_api, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = owner_api.post(
            "/api/v1/projects", {"name": "New", "repo_url": str(tmp_path)}, format="json"
        )
    assert created.status_code == 201 and created.json()["refresh"]["started"]
    assert RateLimiter("refresh").remaining(owner) == 3


def test_another_users_project_cannot_be_edited(other_api, make_project):
    project = make_project()
    response = other_api.patch(f"/api/v1/projects/{project.pk}", {"branch": "x"}, format="json")
    assert response.status_code == 404
    assert not JobRecord.objects.exists()


def test_a_logged_out_visitor_cannot_edit(api_client, client, make_project):
    project = make_project()
    assert api_client.patch(f"/api/v1/projects/{project.pk}", {"branch": "x"}).status_code == 401
    response = client.post(reverse("projects:edit", args=[project.pk]), {"branch": "x"})
    assert response.status_code == 302 and "login" in response.url
    assert not JobRecord.objects.exists()
