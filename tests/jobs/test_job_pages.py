"""Job pages through the client: first refresh on create, the Refresh button and its live
status, rate-limit messages, the jobs list with staff actions, and the queue console."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs.models import JobRecord, JobStatus, RefreshHistory
from projects.models import Project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture(autouse=True)
def _budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 5, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """A client POST with the after-commit enqueue actually run."""

    def run(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return run


def _add(post, client, repo_url, name="Tracked"):
    return post(
        client,
        reverse("projects:add"),
        {"name": name, "repo_url": repo_url, "refresh_interval_hours": 6},
    )


# --- creation starts the first refresh ----------------------------------------------------


def test_adding_a_project_starts_its_first_refresh(owner_client, owner, repo, post):
    response = _add(post, owner_client, repo.url)
    project = Project.objects.get(name="Tracked")
    job = JobRecord.objects.get(project=project)
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert job.status == JobStatus.QUEUED and job.priority == "high"
    assert RefreshHistory.objects.get(job=job).trigger == "manual"


@pytest.mark.django_db(transaction=True)
def test_project_is_saved_with_a_message_when_the_queue_is_down(
    owner_client, repo, queue_redis_down
):
    # Real commits, so the enqueue runs (and fails) inside the view, as in production.
    response = owner_client.post(
        reverse("projects:add"),
        {"name": "Tracked", "repo_url": repo.url, "refresh_interval_hours": 6},
    )
    page = owner_client.get(response.url)
    assert Project.objects.filter(name="Tracked").exists()
    assert "first refresh could not be started" in page.content.decode()


def test_adding_too_many_projects_is_refused_with_the_wait(owner_client, repo, post, settings):
    settings.RATE_LIMITS["create_project"] = {"max_attempts": 1, "window_seconds": 3600}
    _add(post, owner_client, repo.url, name="First")
    response = _add(post, owner_client, repo.url, name="Second")
    assert response.status_code == 200
    assert (
        "Too many new projects" in response.content.decode()
        and "Try again in" in response.content.decode()
    )
    assert not Project.objects.filter(name="Second").exists()


# --- the Refresh button ------------------------------------------------------------------------


def test_refresh_button_without_javascript_queues_and_returns_to_the_page(
    owner_client, project, post
):
    response = post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert JobRecord.objects.filter(project=project, status=JobStatus.QUEUED).count() == 1


def test_refresh_button_with_htmx_answers_the_polling_status(owner_client, project, post):
    response = post(owner_client, reverse("jobs:project_refresh", args=[project.pk]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in body and " disabled" in body
    assert "Queued" in body and "Refresh queued." in body


def test_finished_refresh_shows_done_with_the_new_percentage_and_stops_polling(
    owner_client, project, post, drain
):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    drain()
    project.refresh_from_db()
    response = owner_client.get(
        reverse("jobs:project_refresh_status", args=[project.pk]), {"was_active": "1"}, **HTMX
    )
    body = response.content.decode()
    assert "Done" in body and f"Now {project.percentage:g} % done".replace(".0 %", " %") in body
    # The marker tells the page (static/js/refresh_status.js) to reload its live parts.
    assert "hx-trigger" not in body and "data-refresh-finished" in body


def test_failed_refresh_shows_its_message(owner_client, make_project, tmp_path, post, drain):
    project = make_project(str(tmp_path / "missing-repo"))
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    drain()
    body = owner_client.get(
        reverse("jobs:project_refresh_status", args=[project.pk])
    ).content.decode()
    job = JobRecord.objects.get(project=project)
    assert job.status == JobStatus.FAILED
    assert "Failed" in body and job.error.split("(")[0].strip()[:30] in body


def test_refresh_over_the_limit_says_when_the_next_is_allowed(
    owner_client, make_project, repo, post, settings, drain
):
    settings.RATE_LIMITS["refresh"] = {"max_attempts": 1, "window_seconds": 300}
    first, second = make_project(repo.url), make_project(repo.url)
    post(owner_client, reverse("jobs:project_refresh", args=[first.pk]))
    response = post(owner_client, reverse("jobs:project_refresh", args=[second.pk]), **HTMX)
    body = response.content.decode()
    assert "Too many refresh requests" in body and "Try again in" in body
    assert not JobRecord.objects.filter(project=second).exists()


def test_someone_elses_project_cannot_be_refreshed_or_watched(client, other_user, project, post):
    client.force_login(other_user)
    assert post(client, reverse("jobs:project_refresh", args=[project.pk])).status_code == 404
    assert client.get(reverse("jobs:project_refresh_status", args=[project.pk])).status_code == 404
    assert not JobRecord.objects.exists()


def test_project_page_disables_refresh_while_one_runs(owner_client, project, post):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    body = owner_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Refreshing…</button>" in body and 'hx-trigger="every 2s"' in body


def test_dashboard_card_shows_a_running_refresh(owner_client, project, post):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    body = owner_client.get(reverse("projects:dashboard")).content.decode()
    assert "compact=1" in body and "Queued" in body


# --- jobs page and staff actions ---------------------------------------------------------------


def test_jobs_page_lists_only_the_users_jobs(
    owner_client, project, post, other_user, make_user, repo
):
    from projects.services import project_create

    theirs = project_create(owner=other_user, name="Theirs", repo_url=repo.url)
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    JobRecord.objects.create(
        job_type="refresh", queue="repotrackr", project=theirs, status=JobStatus.FAILED
    )
    response = owner_client.get(reverse("jobs:list"))
    assert [j.project_id for j in response.context["page"].object_list] == [project.pk]
    assert b"Retry</button>" not in response.content


def test_staff_see_every_job_and_a_link_to_retry_or_cancel_in_the_admin(
    client, staff, project, post, owner_client
):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    client.force_login(staff)
    response = client.get(reverse("jobs:list"))
    assert len(response.context["page"].object_list) == 1
    assert reverse("admin:jobs_jobrecord_changelist").encode() in response.content


def test_the_jobs_page_sends_operators_to_the_admin_console(client, staff, bare_staff):
    client.force_login(staff)
    body = client.get(reverse("jobs:list")).content.decode()
    assert reverse("admin:jobs_queue_console") in body
    client.force_login(bare_staff)
    body = client.get(reverse("jobs:list")).content.decode()
    assert reverse("admin:jobs_queue_console") not in body


@pytest.mark.parametrize(
    "path", ["/jobs/console/", "/jobs/00000000-0000-0000-0000-000000000000/retry/"]
)
def test_the_front_console_and_staff_job_actions_are_gone(client, staff, path):
    client.force_login(staff)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


@pytest.mark.parametrize("count", [5, 120])
def test_jobs_page_query_count_does_not_grow_with_jobs(
    client, staff, make_project, repo, count, django_assert_max_num_queries
):
    project = make_project(repo.url)
    JobRecord.objects.bulk_create(
        [
            JobRecord(
                job_type="refresh",
                queue="repotrackr",
                project=project,
                requested_by=staff,
                status=JobStatus.FAILED,
                error="boom",
            )
            for _ in range(count)
        ]
    )
    client.force_login(staff)
    with django_assert_max_num_queries(6):  # one more: the staff member's permissions
        response = client.get(reverse("jobs:list"))
    assert len(response.context["page"].object_list) == min(count, 50)


def test_a_failed_job_records_whether_retrying_can_fix_it(
    make_project, tmp_path, post, owner_client, drain, settings
):
    settings.JOB_RETRY_INTERVALS = []  # fail at once, keeping whether a retry could help
    missing = make_project(str(tmp_path / "missing-repo"))
    unreachable = make_project("https://repotrackr-test-host.invalid/a/b.git")
    for project in (missing, unreachable):
        post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    drain()
    failed = {j.project_id: j for j in JobRecord.objects.filter(status=JobStatus.FAILED)}
    assert failed[missing.pk].error_retryable is False and failed[missing.pk].result is None
    assert failed[unreachable.pk].error_retryable is True


def test_the_jobs_table_polls_itself_while_a_job_is_active_and_answers_with_the_include(
    owner_client, project, post, drain
):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    page = owner_client.get(reverse("jobs:list")).content.decode()
    assert 'id="jobs-live"' in page and 'hx-trigger="every 3s"' in page
    drain()
    live = owner_client.get(reverse("jobs:list"), HTTP_HX_TARGET="jobs-live", **HTMX)
    body = live.content.decode()
    assert body.lstrip().startswith('<div id="jobs-live"') and "<html" not in body
    assert "hx-trigger" not in body and "Completed" in body


def test_project_page_and_dashboard_answer_their_live_include(owner_client, project, post, drain):
    post(owner_client, reverse("jobs:project_refresh", args=[project.pk]))
    drain()
    detail = owner_client.get(
        reverse("projects:detail", args=[project.pk]), HTTP_HX_TARGET="project-live", **HTMX
    ).content.decode()
    assert detail.lstrip().startswith('<div id="project-live"') and "<html" not in detail
    assert "Phase 1: Foundation" in detail and "refresh-finished from:body" in detail
    dash = owner_client.get(
        reverse("projects:dashboard"), HTTP_HX_TARGET="dashboard-projects", **HTMX
    ).content.decode()
    assert dash.lstrip().startswith('<div id="dashboard-projects"') and project.name in dash


def test_a_rate_limited_refresh_button_is_disabled_with_its_countdown(
    owner_client, make_project, repo, post, settings
):
    settings.RATE_LIMITS["refresh"] = {"max_attempts": 1, "window_seconds": 300}
    first, second = make_project(repo.url), make_project(repo.url)
    post(owner_client, reverse("jobs:project_refresh", args=[first.pk]))
    body = post(
        owner_client, reverse("jobs:project_refresh", args=[second.pk]), **HTMX
    ).content.decode()
    seconds = int(re.search(r'data-retry-after="(\d+)"', body).group(1))
    assert 0 < seconds <= 300
    assert re.search(r"disabled data-retry-after", body)
    shown = f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"
    assert f"Refresh in <span data-countdown>{shown}</span>" in body
