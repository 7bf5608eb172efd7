"""The jobs admin: record list, actions, read-only history, the queue console."""

import pytest
from rq import Queue, Worker

from jobs import tracker
from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.queues import get_queue, paused_queues
from jobs.services import refresh_request
from projects.services import project_create
from repotrackr.redis_connection import get_redis

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/jobs/jobrecord/"
CONSOLE = "/admin/jobs/jobrecord/console/"


@pytest.fixture
def admin_client(client, make_user):
    user = make_user("root", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def project(owner, tmp_path):
    return project_create(owner=owner, name="Alpha", repo_url=str(tmp_path))


@pytest.fixture
def queued_job(project, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return refresh_request(project=project, user=owner, trigger="manual").job


@pytest.fixture
def failed_job(queued_job):
    tracker.job_start(queued_job.id)
    tracker.job_update_status(queued_job.id, status=JobStatus.FAILED, error="plan not found")
    return JobRecord.objects.get(pk=queued_job.id)


def test_the_job_list_links_to_the_console_and_the_rq_dashboard(admin_client, queued_job):
    page = admin_client.get(CHANGELIST).content.decode()
    assert CONSOLE in page
    assert "/admin/rq/" in page
    assert "Alpha" in page


def test_the_job_list_filters_by_status_type_and_queue_and_searches_by_project(
    admin_client, failed_job, owner, tmp_path, django_capture_on_commit_callbacks
):
    other = project_create(owner=owner, name="Beta", repo_url=str(tmp_path))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_request(project=other, user=owner, trigger="manual")
    failed = admin_client.get(CHANGELIST + "?status__exact=failed")
    assert failed.context["cl"].result_count == 1
    typed = admin_client.get(CHANGELIST + "?job_type__exact=refresh&queue__exact=repotrackr_high")
    assert typed.context["cl"].result_count == 2
    found = admin_client.get(CHANGELIST + "?q=Beta")
    assert [j.project.name for j in found.context["cl"].result_list] == ["Beta"]


def test_the_job_list_runs_a_constant_number_of_queries(
    admin_client, owner, tmp_path, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for i in range(10):
        p = project_create(owner=owner, name=f"P{i}", repo_url=str(tmp_path))
        with django_capture_on_commit_callbacks(execute=True):
            refresh_request(project=p, user=owner, trigger="manual")
    with django_assert_max_num_queries(12):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_the_retry_action_starts_a_linked_job(
    admin_client, failed_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "retry_jobs", "_selected_action": [str(failed_job.id)]},
            follow=True,
        )
    assert "1 job(s) retried." in response.content.decode()
    retry = JobRecord.objects.get(retry_of=failed_job)
    assert retry.status == JobStatus.QUEUED
    assert str(retry.id) in get_queue("repotrackr_high").get_job_ids()


def test_the_retry_action_explains_why_a_job_that_did_not_fail_is_skipped(admin_client, queued_job):
    response = admin_client.post(
        CHANGELIST, {"action": "retry_jobs", "_selected_action": [str(queued_job.id)]}, follow=True
    )
    assert "only failed jobs can be retried" in response.content.decode()
    assert JobRecord.objects.count() == 1


def test_the_cancel_action_cancels_a_queued_job(admin_client, queued_job):
    admin_client.post(
        CHANGELIST, {"action": "cancel_jobs", "_selected_action": [str(queued_job.id)]}
    )
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.CANCELED
    assert get_queue("repotrackr_high").count == 0


def test_job_records_cannot_be_added_or_edited_in_the_admin(admin_client, queued_job):
    assert admin_client.get(CHANGELIST + "add/").status_code == 403
    admin_client.post(f"{CHANGELIST}{queued_job.id}/change/", {"status": "completed"})
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.QUEUED


def test_refresh_history_is_read_only(admin_client, queued_job):
    entry = RefreshHistory.objects.get()
    url = f"/admin/jobs/refreshhistory/{entry.id}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(url, {"status": "failed"}).status_code == 403
    assert admin_client.get("/admin/jobs/refreshhistory/add/").status_code == 403
    assert RefreshHistory.objects.get().status == JobStatus.QUEUED


def test_the_console_shows_queues_latency_workers_and_their_current_job(admin_client, queued_job):
    conn = get_redis()
    worker = Worker([Queue("repotrackr_high", connection=conn)], connection=conn, name="w-console")
    worker.register_birth()
    try:
        tracker.job_start(queued_job.id)
        tracker.job_set_stage(queued_job.id, "cloning", 0.4)
        worker.set_current_job_id(str(queued_job.id))
        page = admin_client.get(CONSOLE).content.decode()
    finally:
        worker.register_death()
    assert "Queue console" in page
    assert "repotrackr_low" in page
    assert "Oldest waiting" in page
    assert "w-console" in page
    assert "of Alpha" in page and "cloning" in page
    assert 'data-body-url="/admin/jobs/jobrecord/console/body/"' in page


def test_the_console_body_alone_is_what_the_page_fetches(admin_client, failed_job):
    response = admin_client.get(CONSOLE + "body/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "plan not found" in body


def test_the_console_pauses_and_resumes_a_queue(admin_client):
    response = admin_client.post(CONSOLE + "queues/repotrackr_low/pause/", follow=True)
    assert paused_queues() == {"repotrackr_low"}
    assert "Queue repotrackr_low paused." in response.content.decode()
    assert "Resume repotrackr_low" in response.content.decode()
    admin_client.post(CONSOLE + "queues/repotrackr_low/resume/")
    assert paused_queues() == set()


def test_the_console_only_pauses_on_post(admin_client):
    assert admin_client.get(CONSOLE + "queues/repotrackr_low/pause/").status_code == 405
    assert paused_queues() == set()


def test_the_console_still_renders_with_redis_down(admin_client, failed_job, redis_down):
    page = admin_client.get(CONSOLE).content.decode()
    assert "Redis cannot be reached" in page
    assert "plan not found" in page


def test_the_console_is_closed_to_non_staff_and_anonymous_visitors(client, owner):
    assert client.get(CONSOLE).status_code == 302
    client.force_login(owner)
    assert client.get(CONSOLE).status_code == 302
    assert client.post(CONSOLE + "queues/repotrackr_low/pause/").status_code == 302
    assert paused_queues() == set()


def test_an_active_job_record_cannot_be_deleted_in_the_admin(admin_client, queued_job):
    response = admin_client.post(f"{CHANGELIST}{queued_job.id}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert JobRecord.objects.filter(pk=queued_job.pk).exists()


def test_the_console_charts_the_last_hour_and_lists_top_errors(admin_client, project):
    from django.utils import timezone

    now = timezone.now()
    for status, error in ((JobStatus.COMPLETED, ""), (JobStatus.FAILED, "Repository <not> found")):
        JobRecord.objects.create(
            job_type="refresh",
            queue="repotrackr",
            project=project,
            status=status,
            completed_at=now,
            error=error,
        )
    body = admin_client.get(CONSOLE).content.decode()
    assert "Last hour: 1 completed, 1 failed" in body
    assert 'class="bar-ok"' in body and 'class="bar-failed"' in body
    assert "Repository &lt;not&gt; found" in body


def test_the_console_without_a_worker_says_so(admin_client):
    body = admin_client.get(CONSOLE).content.decode()
    assert "repotrackr_high" in body and "No worker is running" in body
