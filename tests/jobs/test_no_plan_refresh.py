"""A repository without a plan is read all the same: status no_plan, never a failure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import JobRecord, JobStatus, RefreshHistory
from projects.core.plan_discovery import SEARCHED
from projects.models import ProgressSnapshot, Project, Task
from skills.models import Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_repo(make_repo):
    """Code and a manifest, a README without a plan section, and no plan anywhere."""
    repo = make_repo(plan=None)
    repo.write("README.md", "# Widgets\n\nA small library.\n").commit("readme")
    return repo


@pytest.fixture
def refreshed(request_refresh, drain):
    def run(project):
        outcome = request_refresh(project)
        drain()
        project.refresh_from_db()
        return JobRecord.objects.get(pk=outcome.job.pk)

    return run


def test_a_repository_without_a_plan_completes_as_no_plan_with_skills_and_commit(
    make_project, bare_repo, refreshed
):
    project = make_project(bare_repo.url)
    record = refreshed(project)

    assert record.status == JobStatus.COMPLETED and record.error == ""
    assert record.result["status"] == "success" and record.result["tasks_count"] == 0
    assert RefreshHistory.objects.get(job=record).status == JobStatus.COMPLETED
    assert project.status == "no_plan" and project.status_message == "no plan found"
    assert project.last_commit_sha == record.result["commit_sha"]
    assert project.last_commit_at is not None and project.last_refreshed_at is not None
    assert project.plan_files == []
    assert project.plan_searched == list(SEARCHED)
    assert "planning/, docs/planning/ and .planning/ folders" in project.plan_searched
    names = set(Skill.objects.filter(project=project).values_list("name", flat=True))
    assert {"Python", "Django"} <= names
    snapshot = ProgressSnapshot.objects.get(project=project)
    assert (snapshot.status, snapshot.total, snapshot.phases) == ("no_plan", 0, [])


def test_a_plan_removed_from_the_repository_clears_the_tasks(project, repo, refreshed):
    refreshed(project)
    assert Task.objects.filter(project=project).count() == 5

    repo.remove("docs/plan.md").commit("the plan moved to the wiki")
    record = refreshed(project)

    assert record.status == JobStatus.COMPLETED
    assert project.status == "no_plan"
    assert (project.total_tasks, project.percentage, project.plan_files) == (0, 0.0, [])
    assert not Task.objects.filter(project=project).exists()
    assert Skill.objects.filter(project=project, name="Django").exists()


def test_the_progress_chart_leaves_out_refreshes_that_found_no_plan(
    owner_client, project, repo, refreshed
):
    refreshed(project)
    repo.remove("docs/plan.md").commit("the plan moved to the wiki")
    refreshed(project)
    chart = owner_client.get(reverse("projects:detail", args=[project.pk])).context["chart"]
    assert [p.percentage for p in chart.points] == [40.0]


def test_a_plan_without_tasks_is_no_plan_with_a_warning(make_project, make_repo, refreshed):
    repo = make_repo(plan="# Plan\n\nWe will write this down soon.\n")
    project = make_project(repo.url)
    refreshed(project)
    assert project.status == "no_plan"
    assert project.plan_files == ["docs/plan.md"] and project.plan_searched == []
    assert project.status_message == "no tasks found in docs/plan.md"


def test_a_plan_added_later_turns_no_plan_into_a_status_with_progress(
    make_project, bare_repo, refreshed
):
    project = make_project(bare_repo.url)
    refreshed(project)
    bare_repo.write("docs/plan.md", "## A\n\n- [x] one\n- [x] two\n\n## B\n\n- [x] 3\n- [ ] 4\n")
    bare_repo.commit("add a plan")
    refreshed(project)
    assert (project.status, project.total_tasks, project.plan_searched) == ("green", 4, [])


def test_an_unchanged_refresh_of_a_no_plan_project_keeps_what_was_searched(
    make_project, bare_repo, refreshed
):
    project = make_project(bare_repo.url)
    refreshed(project)
    searched = project.plan_searched
    record = refreshed(project)
    assert record.result["unchanged"] is True
    assert (project.status, project.plan_searched) == ("no_plan", searched)


# --- the project page ---------------------------------------------------------------------


def test_the_no_plan_page_says_where_it_looked_and_offers_two_ways_forward(
    owner_client, make_project, bare_repo, refreshed
):
    project = make_project(bare_repo.url)
    refreshed(project)
    html = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert 'class="badge status status-no_plan"' in html and ">No plan</span>" in html
    assert "No plan found" in html
    assert "<li>planning/, docs/planning/ and .planning/ folders</li>" in html
    assert "<li>the same names up to 3 folders down</li>" in html
    assert f'href="{reverse("projects:edit", args=[project.pk])}#id_plan_path"' in html
    assert 'data-copy-target="starter-plan"' in html
    assert "## Phase 1: Foundation" in html  # the starter plan itself, ready to copy
    assert "copy_text.js" in html
    assert "Retry" not in html and "Latest refresh failed" not in html
    assert "The chart appears once the repository has a plan with tasks." in html
    assert "No plan with tasks found" in html  # what the finished refresh says
    assert "0 %" not in html.split('id="plan-title"')[0]  # no percentage without a plan
    assert f'aria-label="Refresh {project.name}"' in html


def test_a_plan_without_tasks_names_the_file_on_the_page(
    owner_client, make_project, make_repo, refreshed
):
    project = make_project(make_repo(plan="# Plan\n\nSoon.\n").url)
    refreshed(project)
    html = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "No tasks in docs/plan.md" in html
    assert "It looked for" not in html


def test_the_dashboard_card_of_a_no_plan_project_shows_no_percentage(
    owner_client, make_project, bare_repo, refreshed
):
    project = make_project(bare_repo.url)
    refreshed(project)
    html = owner_client.get(reverse("projects:dashboard")).content.decode()
    card = html.split(f"{project.name}</a>")[1].split("</li>")[0]
    assert "No plan found" in card and 'class="pct"' not in card


def test_the_jobs_list_offers_no_retry_for_a_no_plan_refresh(
    owner_client, make_project, bare_repo, refreshed
):
    refreshed(make_project(bare_repo.url))
    html = owner_client.get(reverse("jobs:list")).content.decode()
    assert "Completed" in html and "Retry</button>" not in html


def test_refresh_from_the_page_updates_the_skills_of_a_no_plan_project(
    owner_client, make_project, bare_repo, refreshed, django_capture_on_commit_callbacks, drain
):
    project = make_project(bare_repo.url)
    refreshed(project)
    assert not Skill.objects.filter(project=project, name="Redis").exists()
    bare_repo.write("requirements.txt", "django==5.2\nredis==5.0\n").commit("cache")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("jobs:project_refresh", args=[project.pk]))
    drain()

    assert response.status_code == 302
    assert Skill.objects.filter(project=project, name="Redis").exists()
    assert Project.objects.get(pk=project.pk).status == "no_plan"
