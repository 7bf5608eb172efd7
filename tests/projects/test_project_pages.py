"""Project pages through the client: dashboard, form, project page, phases, delete."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from projects.models import Project, ProjectStatus
from tests.ui_data import add_history, add_plan, add_skills, make_project

pytestmark = pytest.mark.django_db

DASHBOARD_MAX_QUERIES = 10
PROJECT_PAGE_MAX_QUERIES = 11  # plus the plan source and the notification opt-out


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- dashboard -------------------------------------------------------------------


def test_new_user_dashboard_explains_how_to_add_a_first_project(owner_client):
    response = owner_client.get(reverse("projects:dashboard"))
    assert response.status_code == 200
    assert b"Welcome: add your first project" in response.content
    assert b"Add your first project" in response.content
    starter = response.context["starter_plan"]
    assert starter and escape(starter.strip()) in response.content.decode()  # the plan to copy
    assert b'data-copy-target="starter-plan"' in response.content


def test_dashboard_lists_only_the_users_projects(owner_client, owner, other_user):
    make_project(owner, "Mine")
    make_project(other_user, "Theirs")
    response = owner_client.get(reverse("projects:dashboard"))
    names = [card.project.name for card in response.context["cards"]]
    assert names == ["Mine"]


def test_dashboard_filters_by_status_and_search(owner_client, owner):
    make_project(owner, "Alpha", status=ProjectStatus.GREEN)
    make_project(owner, "Beta", status=ProjectStatus.RED)
    make_project(owner, "Alphabet", status=ProjectStatus.RED)
    response = owner_client.get(reverse("projects:dashboard"), {"q": "alpha", "status": "red"})
    assert [c.project.name for c in response.context["cards"]] == ["Alphabet"]


def test_dashboard_filters_by_skill(owner_client, owner):
    with_skills = make_project(owner, "With skills")
    add_skills(with_skills)
    make_project(owner, "Without")
    response = owner_client.get(reverse("projects:dashboard"), {"skill": "Django"})
    assert [c.project.name for c in response.context["cards"]] == ["With skills"]


def test_dashboard_sorts_by_progress_highest_first(owner_client, owner):
    make_project(owner, "Low", percentage=10)
    make_project(owner, "High", percentage=90)
    response = owner_client.get(reverse("projects:dashboard"), {"sort": "progress"})
    assert [c.project.name for c in response.context["cards"]] == ["High", "Low"]


def test_dashboard_shows_fifty_projects_a_page(owner_client, owner):
    Project.objects.bulk_create(
        [Project(owner=owner, name=f"p{i:03}", repo_url="https://x.org/r") for i in range(51)]
    )
    first = owner_client.get(reverse("projects:dashboard"))
    second = owner_client.get(reverse("projects:dashboard"), {"page": 2})
    assert len(first.context["cards"]) == 50
    assert [c.project.name for c in second.context["cards"]] == ["p050"]


def test_dashboard_layout_choice_is_remembered_in_a_cookie(owner_client, owner):
    make_project(owner, "Alpha")
    owner_client.get(reverse("projects:dashboard"), {"layout": "rows"})
    response = owner_client.get(reverse("projects:dashboard"))
    assert response.context["layout"] == "rows"
    assert b'<table class="rows reflow">' in response.content


def test_dashboard_skills_overview_counts_projects_per_skill(owner_client, owner):
    for name in ("One", "Two"):
        add_skills(make_project(owner, name))
    overview = owner_client.get(reverse("projects:dashboard")).context["overview"]
    assert {u.name: u.projects for u in overview.top}["Django"] == 2
    assert overview.categories[0].label == "Language"


@pytest.mark.parametrize("count", [5, 500])
def test_dashboard_query_count_does_not_grow_with_projects(
    owner_client, owner, count, django_assert_max_num_queries
):
    projects = Project.objects.bulk_create(
        [Project(owner=owner, name=f"p{i:04}", repo_url="https://x.org/r") for i in range(count)]
    )
    for project in projects[:3]:
        add_plan(project, phases=2, tasks_per_phase=3)
        add_skills(project)
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        owner_client.get(reverse("projects:dashboard"), {"sort": "status"})


def test_dashboard_queries_are_the_same_for_5_and_500_projects(owner_client, owner):
    url = reverse("projects:dashboard")
    Project.objects.bulk_create(
        [Project(owner=owner, name=f"a{i}", repo_url="https://x.org/r") for i in range(5)]
    )
    few = _count_queries(owner_client, url)
    Project.objects.bulk_create(
        [Project(owner=owner, name=f"b{i}", repo_url="https://x.org/r") for i in range(495)]
    )
    assert _count_queries(owner_client, url) == few


# --- add / edit --------------------------------------------------------------------


def test_adding_a_project_lands_on_its_page(owner_client, owner, tmp_path):
    response = owner_client.post(
        reverse("projects:add"),
        {
            "name": "Local",
            "repo_url": str(tmp_path),
            "refresh_interval_hours": 6,
            "access_token": "s3cret",
        },
    )
    project = Project.objects.get(owner=owner, name="Local")
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert project.has_access_token


def test_invalid_repository_url_is_explained_beside_the_field(owner_client, owner):
    response = owner_client.post(
        reverse("projects:add"),
        {"name": "Bad", "repo_url": "ftp://example.org/x", "refresh_interval_hours": 6},
    )
    assert response.status_code == 200
    assert "repo_url" in response.context["form"].errors
    assert b'class="field has-error"' in response.content
    assert not Project.objects.filter(name="Bad").exists()


def test_edit_form_says_a_token_is_set_without_showing_it(owner_client, owner, tmp_path):
    owner_client.post(
        reverse("projects:add"),
        {
            "name": "Local",
            "repo_url": str(tmp_path),
            "refresh_interval_hours": 6,
            "access_token": "tok-VISIBLE-NEVER",
        },
    )
    project = Project.objects.get(name="Local")
    response = owner_client.get(reverse("projects:edit", args=[project.pk]))
    assert b"Access token: <strong>set</strong>" in response.content
    assert b"tok-VISIBLE-NEVER" not in response.content


def test_editing_with_a_blank_token_keeps_the_stored_one(owner_client, owner, tmp_path):
    owner_client.post(
        reverse("projects:add"),
        {
            "name": "Local",
            "repo_url": str(tmp_path),
            "refresh_interval_hours": 6,
            "access_token": "tok",
        },
    )
    project = Project.objects.get(name="Local")
    owner_client.post(
        reverse("projects:edit", args=[project.pk]),
        {
            "name": "Renamed",
            "repo_url": str(tmp_path),
            "refresh_interval_hours": 12,
            "access_token": "",
        },
    )
    project.refresh_from_db()
    assert (project.name, project.refresh_interval_hours, project.has_access_token) == (
        "Renamed",
        12,
        True,
    )


def test_someone_elses_project_cannot_be_edited(client, other_user, owner):
    project = make_project(owner, "Mine")
    client.force_login(other_user)
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 404


# --- project page -------------------------------------------------------------------


def test_project_page_shows_phases_tasks_skills_and_history(owner_client, owner):
    project = make_project(owner, "Widgets")
    add_plan(project, phases=2, tasks_per_phase=4)
    add_skills(project)
    add_history(project, user=owner)
    response = owner_client.get(reverse("projects:detail", args=[project.pk]))
    body = response.content.decode()
    assert [p.title for p in response.context["plan"].phases] == [
        "Phase 1: step 1",
        "Phase 2: step 2",
    ]
    assert "Task 2.4" in body and re.search(r'<details class="phase" id="phase-1"[^>]* open', body)
    assert 'href="#phase-2"' in body  # the jump list
    assert "PostgreSQL" in body and "docker-compose.yml:4" in body
    assert "<polyline" in body and "1.5 s" in body


def test_task_links_point_to_the_exact_line_on_github(owner_client, owner):
    project = make_project(owner, "Widgets")
    add_plan(project, phases=1, tasks_per_phase=1)
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert (
        'href="https://github.com/acme/widgets/blob/0123456789abcdef0123456789abcdef01234567/docs/plan.md#L3"'
        in body
    )


def test_tasks_on_an_unknown_host_show_the_location_without_a_link(owner_client, owner):
    project = make_project(owner, "Own host", repo_url="https://git.example.org/acme/widgets.git")
    add_plan(project, phases=1, tasks_per_phase=1)
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert '<span class="task-line">docs/plan.md:3</span>' in body


def test_repository_text_is_escaped(owner_client, owner):
    project = make_project(owner, "<b>bold</b>")
    add_plan(project, phases=1, tasks_per_phase=1, titles=['<script>alert("x")</script>'])
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_status_filter_shows_only_tasks_with_that_status(owner_client, owner):
    project = make_project(owner, "Widgets")
    add_plan(project, phases=2, tasks_per_phase=5)
    plan = owner_client.get(
        reverse("projects:detail", args=[project.pk]), {"status": "blocked"}
    ).context["plan"]
    statuses = {t.status for p in plan.phases for t in p.tasks}
    assert statuses == {"blocked"}


def test_a_large_plan_opens_collapsed_and_loads_a_phase_on_request(owner_client, owner):
    project = make_project(owner, "Big")
    add_plan(project, phases=4, tasks_per_phase=100)
    page = owner_client.get(reverse("projects:detail", args=[project.pk]))
    body = page.content.decode()
    assert page.context["plan"].is_large
    assert "Task 1.1<" not in body and " open" not in body.split('id="phase-1"')[1][:5]
    assert 'hx-trigger="toggle once"' in body
    phase = owner_client.get(
        reverse("projects:phase_tasks", args=[project.pk]), {"phase": "Phase 2: step 2"}
    )
    assert phase.status_code == 200
    assert len(phase.context["tasks"]) == 100 and "Task 2.100" in phase.content.decode()


def test_someone_elses_project_page_and_phase_are_not_found(client, owner, other_user):
    project = make_project(owner, "Mine")
    client.force_login(other_user)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert (
        client.get(reverse("projects:phase_tasks", args=[project.pk]), {"phase": "x"}).status_code
        == 404
    )


@pytest.mark.parametrize("tasks_per_phase", [1, 100])
def test_project_page_query_count_does_not_grow_with_tasks(
    owner_client, owner, tasks_per_phase, django_assert_max_num_queries
):
    project = make_project(owner, "Widgets")
    add_plan(project, phases=5, tasks_per_phase=tasks_per_phase)
    add_skills(project)
    add_history(project, user=owner)
    with django_assert_max_num_queries(PROJECT_PAGE_MAX_QUERIES):
        owner_client.get(reverse("projects:detail", args=[project.pk]))


def test_project_page_queries_are_the_same_for_5_and_500_tasks(owner_client, owner):
    small = make_project(owner, "Small")
    add_plan(small, phases=1, tasks_per_phase=5)
    big = make_project(owner, "Big")
    add_plan(big, phases=5, tasks_per_phase=100)
    assert (
        _count_queries(owner_client, reverse("projects:detail", args=[small.pk]))
        == _count_queries(owner_client, reverse("projects:detail", args=[big.pk])) + 1
    )  # the small plan's tasks come with the page; the big plan's load per phase


# --- delete and errors -----------------------------------------------------------------


def test_delete_asks_for_confirmation_before_deleting(owner_client, owner):
    project = make_project(owner, "Doomed")
    confirm = owner_client.get(reverse("projects:delete", args=[project.pk]))
    assert b"Delete \xe2\x80\x9cDoomed\xe2\x80\x9d?" in confirm.content
    assert Project.objects.filter(pk=project.pk).exists()
    response = owner_client.post(reverse("projects:delete", args=[project.pk]))
    assert response.url == reverse("projects:dashboard")
    assert not Project.objects.filter(pk=project.pk).exists()


def test_someone_elses_project_cannot_be_deleted(client, owner, other_user):
    project = make_project(owner, "Mine")
    client.force_login(other_user)
    assert client.post(reverse("projects:delete", args=[project.pk])).status_code == 404
    assert Project.objects.filter(pk=project.pk).exists()


def test_missing_page_uses_the_site_layout(owner_client):
    response = owner_client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"site-header" in response.content


def test_pages_require_login(client):
    response = client.get(reverse("projects:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_server_error_page_uses_the_site_style_without_touching_the_database(
    rf, django_assert_num_queries
):
    from repotrackr.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/somewhere"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content and b"css/base.css" in response.content


def test_plan_path_help_explains_the_discovery_order(owner_client):
    body = owner_client.get(reverse("projects:add")).content.decode()
    assert (
        "repotrackr.yml" in body
        and "plan, roadmap, todo" in body
        and "section of the README" in body
    )


def test_dashboard_phase_strip_comes_from_the_latest_snapshot(owner_client, owner):
    planned = make_project(owner, "Planned")
    add_plan(planned, phases=2, tasks_per_phase=5)
    make_project(owner, "Fresh")
    cards = {
        c.project.name: c for c in owner_client.get(reverse("projects:dashboard")).context["cards"]
    }
    strip = [(bar.title, bar.done, bar.total) for bar in cards["Planned"].phases]
    assert strip == [("Phase 1: step 1", 2, 5), ("Phase 2: step 2", 2, 5)]
    assert cards["Fresh"].phases == ()


@pytest.mark.django_db
def test_editing_the_branch_in_the_form_starts_a_refresh_and_renaming_does_not(
    owner_client, owner, tmp_path
):
    from jobs.models import JobRecord
    from projects.services import project_create
    from projects.validation import clean_repo_url

    url = clean_repo_url(str(tmp_path))
    project = project_create(owner=owner, name="Edited", repo_url=url)
    form = {
        "name": "Renamed",
        "repo_url": url,
        "branch": "",
        "plan_path": "",
        "refresh_interval_hours": 6,
    }
    owner_client.post(f"/projects/{project.pk}/edit/", form)
    assert not JobRecord.objects.exists()
    owner_client.post(f"/projects/{project.pk}/edit/", {**form, "branch": "develop"})
    assert JobRecord.objects.filter(project=project, status="queued").count() == 1


@pytest.mark.django_db
def test_the_project_page_links_its_owner_to_the_webhook_setup(
    owner_client, owner, staff, client, tmp_path
):
    from projects.services import project_create

    project = project_create(owner=owner, name="Hooked", repo_url=str(tmp_path))
    setup = f"/projects/{project.pk}/webhook/".encode()
    assert setup in owner_client.get(f"/projects/{project.pk}/").content
    client.force_login(staff)
    assert setup not in client.get(f"/projects/{project.pk}/").content


def test_finished_phases_start_collapsed_and_unfinished_ones_open(owner_client, owner):
    from projects.models import Task, TaskStatus
    from tests.ui_data import add_snapshot_of_tasks

    project = make_project(owner, "Half done")
    tasks = add_plan(project, phases=2, tasks_per_phase=3)
    Task.objects.filter(project=project, phase_index=0).update(status=TaskStatus.DONE)
    for task in tasks:
        if task.phase_index == 0:
            task.status = TaskStatus.DONE
    add_snapshot_of_tasks(project, tasks)
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    first = re.search(r'<details class="phase finished" id="phase-1"[^>]*>', body).group(0)
    second = re.search(r'<details class="phase" id="phase-2"[^>]*>', body).group(0)
    assert " open" not in first and second.endswith(" open>")


# --- add form -----------------------------------------------------------------------


def test_the_add_form_asks_for_the_url_first_and_has_no_archived_box(owner_client, settings):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    body = owner_client.get(reverse("projects:add")).content.decode()
    assert body.index('id="id_repo_url"') < body.index('id="id_name"')
    assert 'name="archived"' not in body and 'data-derive-from="id_repo_url"' in body
    assert "make run" in body  # help for local paths when the server accepts them
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = False
    assert "make run" not in owner_client.get(reverse("projects:add")).content.decode()


def test_fields_are_checked_as_typed_with_the_form_validators(
    owner_client, owner, settings, tmp_path
):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    make_project(owner, "Taken")
    url = reverse("projects:validate_field")
    bad = owner_client.post(url, {"_field": "repo_url", "repo_url": "ftp://x/y"}).content.decode()
    assert 'class="error"' in bad
    good = owner_client.post(
        url, {"_field": "repo_url", "repo_url": str(tmp_path)}
    ).content.decode()
    assert 'class="error"' not in good and "Looks good." in good
    clash = owner_client.post(url, {"_field": "name", "name": "Taken"}).content.decode()
    assert "You already have a project with this name." in clash
    assert owner_client.post(url, {"_field": "access_token"}).status_code == 400
    assert Project.objects.filter(owner=owner).count() == 1  # nothing saved


def test_the_languages_bar_shows_every_share_even_of_styling_tools(owner_client, owner):
    from skills.models import Skill, SkillCategory

    project = make_project(owner, "Styled")
    Skill.objects.bulk_create(
        [
            Skill(
                project=project,
                name="JavaScript",
                category=SkillCategory.LANGUAGE,
                confidence=0.9,
                bytes=700,
                byte_share=0.7,
            ),
            Skill(
                project=project,
                name="Less",
                category=SkillCategory.TOOL,
                confidence=0.8,
                bytes=200,
                byte_share=0.2,
            ),
            Skill(
                project=project,
                name="Sass",
                category=SkillCategory.TOOL,
                confidence=0.8,
                bytes=100,
                byte_share=0.1,
            ),
        ]
    )
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    legend = body[body.index('class="lang-legend"') :]
    assert "Less 20 %" in legend and "Sass 10 %" in legend and "JavaScript 70 %" in legend
