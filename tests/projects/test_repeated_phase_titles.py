"""Two phases with the same title stay two phases: on the page, in its lazy load, in the API."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from projects.core.source import DirectorySource
from projects.models import Task
from projects.plan_reading import plan_read
from projects.plan_store import plan_store
from projects.services import project_create
from projects.view_models import LARGE_PLAN_TASKS

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _folder_plan(root, *, second_tasks: int = 1) -> None:
    """A folder plan of two files that both start with ``# Tasks``."""
    folder = root / "docs" / "plan"
    folder.mkdir(parents=True)
    (folder / "01.md").write_text("# Tasks\n\n- [x] first file done\n- [ ] first file open\n")
    second = "".join(f"- [ ] second file task {i}\n" for i in range(second_tasks))
    (folder / "02.md").write_text(f"# Tasks\n\n{second}")


def _refreshed_project(owner, root, *, plan_path: str = "docs/plan"):
    project = project_create(
        owner=owner,
        name="Folder plan",
        repo_url="https://github.com/acme/widgets.git",
        plan_path=plan_path,
    )
    reading = plan_read(DirectorySource(root), plan_path=project.plan_path, now=NOW, commit_at=NOW)
    plan_store(project=project, reading=reading, commit_sha="a" * 40, fingerprint="f", now=NOW)
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


def test_two_sections_with_the_same_heading_in_one_file_stay_two_phases(
    owner, owner_client, tmp_path
):
    (tmp_path / "PLAN.md").write_text(
        "# Plan\n\n## Backend\n\n- [x] api\n\n## Frontend\n\n- [ ] pages\n\n"
        "## Backend\n\n- [ ] workers\n"
    )
    project = _refreshed_project(owner, tmp_path, plan_path="PLAN.md")
    plan = owner_client.get(reverse("projects:detail", args=[project.pk])).context["plan"]
    assert [(p.title, [t.title for t in p.tasks]) for p in plan.phases] == [
        ("Backend", ["api"]),
        ("Frontend", ["pages"]),
        ("Backend", ["workers"]),
    ]


def test_the_migration_numbers_stored_phases_by_first_appearance_of_their_title(owner):
    from django.apps import apps

    migration = importlib.import_module("projects.migrations.0002_status_settings_and_phase_index")
    project = project_create(owner=owner, name="Old data", repo_url="https://github.com/a/b.git")
    for order, phase in enumerate(["One", "One", "Two", "Three", "Two"]):
        Task.objects.create(
            project=project,
            title=f"t{order}",
            status="todo",
            phase=phase,
            file_path="PLAN.md",
            line=order + 1,
            order=order,
        )
    migration.number_existing_phases(apps, None)
    rows = Task.objects.filter(project=project).order_by("order")
    assert [t.phase_index for t in rows] == [0, 0, 1, 2, 1]


@pytest.mark.django_db
def test_phase_counts_come_from_the_latest_snapshot_when_it_matches_the_tasks(owner, tmp_path):
    from projects.models import ProgressSnapshot, Project, Task
    from projects.selectors import phase_list_for_project
    from projects.services import project_create

    project = project_create(owner=owner, name="Snap", repo_url=str(tmp_path))
    Task.objects.bulk_create(
        Task(
            project=project,
            title=f"t{i}",
            status="done" if i < 3 else "todo",
            phase="Only",
            phase_index=0,
            file_path="p.md",
            line=i + 1,
            order=i,
        )
        for i in range(4)
    )
    Project.objects.filter(pk=project.pk).update(total_tasks=4)
    project.refresh_from_db()
    counted = phase_list_for_project(project=project)
    assert [(p.title, p.total, p.done) for p in counted] == [("Only", 4, 3)]
    ProgressSnapshot.objects.create(
        project=project,
        total=4,
        done=3,
        percentage=75.0,
        status="green",
        phases=[{"title": "Only (from snapshot)", "total": 4, "done": 3, "doing": 0, "blocked": 0}],
    )
    assert [(p.title, p.total, p.key) for p in phase_list_for_project(project=project)] == [
        ("Only (from snapshot)", 4, 0)
    ]
    Project.objects.filter(pk=project.pk).update(total_tasks=5)  # the snapshot no longer matches
    project.refresh_from_db()
    assert [p.title for p in phase_list_for_project(project=project)] == ["Only"]
