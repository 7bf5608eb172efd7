"""Attack: a staff account with no permission uses operator powers.

Before the fix ``is_staff`` alone let a user pause queues, clear every
user's failed jobs, use django-rq's dashboard actions, retry or cancel other
users' jobs, edit other users' projects (refreshing them with the owners'
stored tokens) and, with RATE_LIMIT_EXEMPT_STAFF, skip the budgets.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jobs import tracker
from jobs.models import JobRecord, JobStatus
from jobs.queues import paused_queues
from jobs.ratelimit import RateLimiter
from jobs.services import refresh_request
from projects.models import Project
from tests.conftest import grant

pytestmark = pytest.mark.django_db

CONSOLE = "/admin/jobs/jobrecord/console/"


@pytest.fixture
def bare_api(bare_staff):
    client = APIClient()
    client.force_authenticate(bare_staff)
    return client


@pytest.fixture
def their_failed_job(make_project, owner):
    job = refresh_request(project=make_project(), user=owner, trigger="manual").job
    tracker.job_start(job.id)
    tracker.job_update_status(job.id, status=JobStatus.FAILED, error="boom")
    return JobRecord.objects.get(pk=job.pk)


def test_bare_staff_cannot_pause_a_queue_over_the_api(bare_api):
    assert bare_api.post("/api/v1/jobs/queues/repotrackr_low/pause").status_code == 403
    assert paused_queues() == set()


def test_bare_staff_cannot_clear_every_users_failed_jobs(bare_api, their_failed_job):
    assert bare_api.delete("/api/v1/jobs/failed").status_code == 403
    assert JobRecord.objects.filter(pk=their_failed_job.pk).exists()


def test_bare_staff_cannot_retry_or_cancel_other_users_jobs(bare_api, their_failed_job):
    assert bare_api.post(f"/api/v1/jobs/{their_failed_job.pk}/retry").status_code == 403
    assert not JobRecord.objects.filter(retry_of=their_failed_job).exists()
    queued = refresh_request(
        project=their_failed_job.project, user=their_failed_job.requested_by, trigger="manual"
    ).job
    assert bare_api.delete(f"/api/v1/jobs/{queued.pk}").status_code == 403
    assert JobRecord.objects.get(pk=queued.pk).status == JobStatus.QUEUED


def test_bare_staff_cannot_edit_refresh_or_delete_other_users_projects(
    bare_api, client, bare_staff, make_project
):
    project = make_project("Theirs")
    url = f"/api/v1/projects/{project.pk}"
    assert bare_api.patch(url, {"branch": "evil"}, format="json").status_code == 403
    assert bare_api.post(f"{url}/refresh").status_code == 403
    assert bare_api.delete(url).status_code == 403
    client.force_login(bare_staff)
    form = {"name": "Theirs", "repo_url": project.repo_url, "branch": "evil"}
    assert client.post(reverse("projects:edit", args=[project.pk]), form).status_code == 403
    assert client.post(reverse("projects:delete", args=[project.pk])).status_code == 403
    assert client.post(reverse("jobs:project_refresh", args=[project.pk])).status_code == 403
    project.refresh_from_db()
    assert project.branch == "" and not JobRecord.objects.exists()


def test_bare_staff_get_the_admins_refusal_for_the_console_and_rq_dashboard(client, bare_staff):
    client.force_login(bare_staff)
    assert client.get(CONSOLE).status_code == 403
    assert client.post(CONSOLE + "queues/repotrackr_low/pause/").status_code == 403
    assert client.get("/admin/rq/").status_code == 403
    assert client.post("/admin/rq/queues/0/empty/").status_code == 403
    assert paused_queues() == set()


def test_staff_who_may_view_but_not_manage_queues_cannot_pause(client, bare_staff):
    grant(bare_staff, "jobs.view_jobrecord")
    client.force_login(bare_staff)
    assert client.get(CONSOLE).status_code == 200
    assert client.post(CONSOLE + "queues/repotrackr_low/pause/").status_code == 403
    assert paused_queues() == set()


def test_the_admin_refuses_bare_staff_other_users_projects(client, bare_staff, make_project):
    project = make_project("Theirs")
    client.force_login(bare_staff)
    change = reverse("admin:projects_project_change", args=[project.pk])
    assert client.post(change, {"branch": "evil"}).status_code == 403
    assert Project.objects.get(pk=project.pk).branch == ""


def test_operators_with_the_permissions_can(client, staff, their_failed_job):
    grant(staff, "jobs.manage_queues")
    client.force_login(staff)
    assert client.get("/admin/rq/").status_code == 200
    client.post(CONSOLE + "queues/repotrackr_low/pause/")
    assert paused_queues() == {"repotrackr_low"}


def test_the_staff_exemption_keys_on_the_permission(settings, bare_staff, staff):
    settings.RATE_LIMIT_EXEMPT_STAFF = True
    limiter = RateLimiter("refresh")
    for _ in range(3):
        limiter.increment(bare_staff)
    assert not limiter.check(bare_staff).allowed
    grant(staff, "jobs.exempt_from_rate_limits")
    assert limiter.check(staff).exempt


def test_logged_out_visitors_reach_none_of_it(api_client, client, their_failed_job):
    assert api_client.post("/api/v1/jobs/queues/repotrackr_low/pause").status_code == 401
    assert api_client.delete("/api/v1/jobs/failed").status_code == 401
    assert client.get("/admin/rq/").status_code == 302
    assert client.get(CONSOLE).status_code == 302


def test_the_project_page_offers_bare_staff_no_edit_delete_or_refresh(
    client, bare_staff, staff, make_project
):
    project = make_project("Theirs")
    page = reverse("projects:detail", args=[project.pk])
    client.force_login(bare_staff)
    body = client.get(page).content.decode()
    for action in ("projects:edit", "projects:delete", "jobs:project_refresh"):
        assert reverse(action, args=[project.pk]) not in body
    client.force_login(staff)  # holds projects.change_project
    assert reverse("projects:edit", args=[project.pk]) in client.get(page).content.decode()
