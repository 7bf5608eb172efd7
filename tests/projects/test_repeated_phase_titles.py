"""Two phases with the same title stay two phases: on the page, in its lazy load, in the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from projects.core.source import DirectorySource
from projects.models import Task
from projects.plan_store import plan_parse, plan_store
from projects.selectors import LARGE_PLAN_TASKS
from projects.services import project_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _folder_plan(root, *, second_tasks: int = 1) -> None:
    """A folder plan of two files that both start with ``# Tasks``."""
    folder = root / "docs" / "plan"
    folder.mkdir(parents=True)
    (folder / "01.md").write_text("# Tasks\n\n- [x] first file done\n- [ ] first file open\n")
    second = "".join(f"- [ ] second file task {i}\n" for i in range(second_tasks))
    (folder / "02.md").write_text(f"# Tasks\n\n{second}")


def _refreshed_project(owner, root):
    project = project_create(
        owner=owner, name="Folder plan", repo_url="https://github.com/acme/widgets.git",
        plan_path="docs/plan",
    )
    parsed = plan_parse(DirectorySource(root), project=project, now=NOW, commit_at=NOW)
    plan_store(
        project=project,
        loaded_plan=parsed.loaded_plan,
        progress=parsed.progress,
        commit_sha="a" * 40,
        commit_at=NOW,
        fingerprint="f",
        now=NOW,
    )
    return project


def test_tasks_store_the_index_of_their_phase(owner, tmp_path):
    _folder_plan(tmp_path)
    project = _refreshed_project(owner, tmp_path)
    rows = Task.objects.filter(project=project).order_by("order")
    assert [(t.phase, t.phase_index) for t in rows] == [("Tasks", 0), ("Tasks", 0), ("Tasks", 1)]


def test_the_project_page_shows_two_phases_with_the_same_title(owner, owner_client, tmp_path):
    _folder_plan(tmp_path)
    project = _refreshed_project(owner, tmp_path)
    plan = owner_client.get(reverse("projects:detail", args=[project.pk])).context["plan"]
    assert [(p.title, p.total, p.done) for p in plan.phases] == [("Tasks", 2, 1), ("Tasks", 1, 0)]
    assert [t.title for t in plan.phases[1].tasks] == ["second file task 0"]


def test_the_lazy_phase_load_returns_only_the_phase_at_that_index(owner, owner_client, tmp_path):
    _folder_plan(tmp_path, second_tasks=LARGE_PLAN_TASKS)
    project = _refreshed_project(owner, tmp_path)
    page = owner_client.get(reverse("projects:detail", args=[project.pk]))
    assert page.context["plan"].is_large
    assert "?phase_index=1" in page.content.decode()

    first = owner_client.get(
        reverse("projects:phase_tasks", args=[project.pk]), {"phase_index": "0"}
    )
    assert [t.title for t in first.context["tasks"]] == ["first file done", "first file open"]


def test_the_api_filters_tasks_by_phase_index_and_still_by_title(owner, owner_api, tmp_path):
    _folder_plan(tmp_path)
    project = _refreshed_project(owner, tmp_path)
    url = f"/api/v1/projects/{project.pk}/tasks"
    by_index = owner_api.get(url, {"phase_index": 1}).json()["results"]
    assert [(t["title"], t["phase"], t["phase_index"]) for t in by_index] == [
        ("second file task 0", "Tasks", 1)
    ]
    assert len(owner_api.get(url, {"phase": "Tasks"}).json()["results"]) == 3
    assert owner_api.get(url, {"phase_index": -1}).status_code == 400
