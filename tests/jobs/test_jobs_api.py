"""GET /jobs, /jobs/{id}/status, retry, cancel, clear failed, queue status, pause, metrics."""

import re
import uuid

import pytest
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from accounts.services import api_token_create
from jobs import tracker
from jobs.models import JobRecord, JobStatus, RefreshHistory
from jobs.queues import get_queue, paused_queues
from jobs.services import refresh_request
from projects.services import project_create
from repotrackr.redis_connection import get_redis

pytestmark = pytest.mark.django_db

HIGH = "repotrackr_high"


@pytest.fixture(autouse=True)
def _roomy_budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 100, "window_seconds": 300},
        "create_project": {"max_attempts": 100, "window_seconds": 3600},
    }


@pytest.fixture
def project(owner, tmp_path):
    return project_create(owner=owner, name="Alpha", repo_url=str(tmp_path / "nowhere"))


@pytest.fixture
def their_project(other_user, tmp_path):
    return project_create(owner=other_user, name="Theirs", repo_url=str(tmp_path / "theirs"))


@pytest.fixture
def queued_job(project, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return refresh_request(project=project, user=owner, trigger="manual").job


@pytest.fixture
def failed_job(queued_job):
    tracker.job_start(queued_job.id)
    tracker.job_update_status(
        queued_job.id,
        status=JobStatus.FAILED,
        error="plan not found",
        error_detail="Traceback: secret internals",
    )
    queued_job.refresh_from_db()
    return queued_job


@pytest.fixture
def completed_job(queued_job):
    tracker.job_start(queued_job.id)
    tracker.job_update_status(
        queued_job.id, status=JobStatus.COMPLETED, result={"status": "success"}
    )
    queued_job.refresh_from_db()
    return queued_job


@pytest.fixture
def staff_token_client(api_client, staff):
    _, key = api_token_create(user=staff, name="prometheus")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api_client


# -- status ---------------------------------------------------------------------------


def test_job_status_has_the_seed_shape_plus_stage_and_attempts(owner_api, queued_job):
    body = owner_api.get(f"/api/v1/jobs/{queued_job.id}/status").json()
    assert {
        "job_id",
        "status",
        "progress",
        "result",
        "error",
        "created_at",
        "started_at",
        "completed_at",
        "stage",
        "attempts",
    } <= set(body)
    assert body["job_id"] == str(queued_job.id)
    assert (body["status"], body["progress"], body["result"], body["error"]) == (
        "queued",
        0.0,
        None,
        None,
    )
    assert body["started_at"] is None


def test_a_failed_jobs_traceback_is_shown_to_staff_only(owner_api, staff_api, failed_job):
    mine = owner_api.get(f"/api/v1/jobs/{failed_job.id}/status").json()
    assert mine["error"] == "plan not found"
    assert mine["error_detail"] is None
    theirs = staff_api.get(f"/api/v1/jobs/{failed_job.id}/status").json()
    assert theirs["error_detail"] == "Traceback: secret internals"


def test_another_users_job_is_a_404_everywhere(other_api, queued_job):
    for method, path in [
        ("get", f"/api/v1/jobs/{queued_job.id}/status"),
        ("post", f"/api/v1/jobs/{queued_job.id}/retry"),
        ("delete", f"/api/v1/jobs/{queued_job.id}"),
    ]:
        response = getattr(other_api, method)(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.QUEUED


def test_an_unknown_job_id_is_a_404(owner_api):
    assert owner_api.get(f"/api/v1/jobs/{uuid.uuid4()}/status").status_code == 404
    assert owner_api.delete(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert owner_api.post(f"/api/v1/jobs/{uuid.uuid4()}/retry").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{id}/status"),
        ("post", "/api/v1/jobs/{id}/retry"),
        ("delete", "/api/v1/jobs/{id}"),
        ("delete", "/api/v1/jobs/failed"),
        ("get", "/api/v1/jobs/queue-status"),
        ("get", "/api/v1/jobs/metrics"),
        ("post", "/api/v1/jobs/queues/repotrackr/pause"),
        ("post", "/api/v1/jobs/queues/repotrackr/resume"),
        ("get", "/metrics"),
    ],
)
def test_logged_out_requests_are_refused(api_client, queued_job, method, path):
    response = getattr(api_client, method)(path.format(id=queued_job.id))
    assert response.status_code == 401
    assert JobRecord.objects.get().status == JobStatus.QUEUED
    assert get_queue(HIGH).count == 1


# -- list -------------------------------------------------------------------------------


def test_the_job_list_shows_a_users_own_jobs_and_staff_see_all(
    owner_api,
    other_api,
    staff_api,
    queued_job,
    their_project,
    other_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = refresh_request(project=their_project, user=other_user, trigger="api").job
    mine = [j["job_id"] for j in owner_api.get("/api/v1/jobs").json()["results"]]
    assert mine == [str(queued_job.id)]
    assert [j["job_id"] for j in other_api.get("/api/v1/jobs").json()["results"]] == [
        str(theirs.id)
    ]
    assert staff_api.get("/api/v1/jobs").json()["count"] == 2


def test_the_job_list_filters_by_status_type_and_project(
    owner_api, owner, failed_job, project, tmp_path, django_capture_on_commit_callbacks
):
    second = project_create(owner=owner, name="Beta", repo_url=str(tmp_path / "b"))
    with django_capture_on_commit_callbacks(execute=True):
        skills = refresh_request(
            project=second, user=owner, trigger=None, job_type="extract_skills", priority="normal"
        ).job

    def ids(query):
        return [j["job_id"] for j in owner_api.get(f"/api/v1/jobs?{query}").json()["results"]]

    assert ids("status=failed") == [str(failed_job.id)]
    assert ids("type=extract_skills") == [str(skills.id)]
    assert ids(f"project={project.id}") == [str(failed_job.id)]
    assert ids("status=queued&type=refresh") == []


def test_a_bad_filter_is_a_400_naming_it(owner_api):
    response = owner_api.get("/api/v1/jobs?status=sleeping")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["details"]


def test_the_job_list_runs_a_constant_number_of_queries(
    owner_api, owner, tmp_path, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for i in range(8):
        p = project_create(owner=owner, name=f"P{i}", repo_url=str(tmp_path / f"r{i}"))
        with django_capture_on_commit_callbacks(execute=True):
            refresh_request(project=p, user=owner, trigger="manual")
    with django_assert_max_num_queries(4):
        response = owner_api.get("/api/v1/jobs")
    assert response.json()["count"] == 8


# -- retry --------------------------------------------------------------------------------


def test_retrying_a_failed_job_creates_a_linked_job_and_answers_its_id(
    owner_api, failed_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"/api/v1/jobs/{failed_job.id}/retry")
    assert response.status_code == 202
    body = response.json()
    assert body["job_id"] != str(failed_job.id)
    assert body["retry_of"] == str(failed_job.id)
    assert body["status"] == "queued"
    assert body["job_id"] in get_queue(HIGH).get_job_ids()
    assert response["X-RateLimit-Remaining"] == "99"


@pytest.mark.parametrize("fixture", ["queued_job", "completed_job"])
def test_retrying_a_job_that_did_not_fail_is_a_409(owner_api, request, fixture):
    job = request.getfixturevalue(fixture)
    response = owner_api.post(f"/api/v1/jobs/{job.id}/retry")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert JobRecord.objects.count() == 1


def test_retrying_while_the_project_has_an_active_job_is_a_409(
    owner_api, owner, failed_job, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refresh_request(project=project, user=owner, trigger="manual")
    response = owner_api.post(f"/api/v1/jobs/{failed_job.id}/retry")
    assert response.status_code == 409
    assert JobRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_retrying_with_the_queue_down_is_a_503_and_leaves_nothing_queued(
    owner_api, failed_job, queue_redis_down
):
    response = owner_api.post(f"/api/v1/jobs/{failed_job.id}/retry")
    assert response.status_code == 503
    assert not JobRecord.objects.filter(status=JobStatus.QUEUED).exists()


# -- cancel -------------------------------------------------------------------------------


def test_canceling_a_queued_job_cancels_it_in_the_record_and_in_rq(owner_api, queued_job):
    response = owner_api.delete(f"/api/v1/jobs/{queued_job.id}")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.CANCELED
    assert get_queue(HIGH).count == 0
    assert Job.fetch(str(queued_job.id), connection=get_redis()).get_status() == "canceled"


@pytest.mark.parametrize("fixture", ["completed_job", "failed_job"])
def test_canceling_a_finished_job_is_a_409(owner_api, request, fixture):
    job = request.getfixturevalue(fixture)
    response = owner_api.delete(f"/api/v1/jobs/{job.id}")
    assert response.status_code == 409
    assert "already finished" in response.json()["error"]["message"]
    assert JobRecord.objects.get(pk=job.id).status == job.status


def test_a_canceled_job_is_never_run_by_a_worker(owner_api, queued_job):
    owner_api.delete(f"/api/v1/jobs/{queued_job.id}")
    SimpleWorker([get_queue(HIGH)], connection=get_redis()).work(burst=True)
    job = JobRecord.objects.get(pk=queued_job.id)
    assert job.status == JobStatus.CANCELED
    assert job.started_at is None


# -- failed jobs (staff) --------------------------------------------------------------------


def test_staff_clear_failed_jobs(staff_api, failed_job):
    response = staff_api.delete("/api/v1/jobs/failed")
    assert response.status_code == 200
    assert response.json() == {"cleared": 1}
    assert not JobRecord.objects.filter(status=JobStatus.FAILED).exists()


def test_owners_cannot_clear_failed_jobs(owner_api, failed_job):
    assert owner_api.delete("/api/v1/jobs/failed").status_code == 403
    assert JobRecord.objects.filter(status=JobStatus.FAILED).count() == 1


def test_clearing_failed_jobs_with_redis_down_is_a_503(staff_api, failed_job, redis_down):
    response = staff_api.delete("/api/v1/jobs/failed")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


# -- queue status, pause (staff) -------------------------------------------------------------


@pytest.fixture
def running_worker():
    conn = get_redis()
    worker = Worker([Queue(HIGH, connection=conn)], connection=conn, name="w-test")
    worker.register_birth()
    yield worker
    worker.register_death()


def test_queue_status_counts_every_queue_and_lists_workers(staff_api, queued_job, running_worker):
    body = staff_api.get("/api/v1/jobs/queue-status").json()
    queues = {q["name"]: q for q in body["queues"]}
    assert list(queues) == ["repotrackr_high", "repotrackr", "repotrackr_low"]
    assert queues[HIGH]["queued"] == 1
    assert {"started", "failed", "scheduled", "deferred", "latency_seconds", "paused"} <= set(
        queues[HIGH]
    )
    assert queues[HIGH]["latency_seconds"] >= 0
    assert body["worker_count"] == 1
    worker = body["workers"][0]
    assert worker["name"] == "w-test"
    assert worker["queues"] == [HIGH]
    assert worker["current_job"] is None


def test_queue_status_names_the_job_a_worker_is_running(staff_api, queued_job, running_worker):
    tracker.job_start(queued_job.id)
    tracker.job_set_stage(queued_job.id, "cloning", 0.3)
    running_worker.set_current_job_id(str(queued_job.id))
    current = staff_api.get("/api/v1/jobs/queue-status").json()["workers"][0]["current_job"]
    assert current == {
        "job_id": str(queued_job.id),
        "job_type": "refresh",
        "project": "Alpha",
        "stage": "cloning",
        "progress": 0.3,
    }


def test_queue_status_is_for_staff(owner_api):
    assert owner_api.get("/api/v1/jobs/queue-status").status_code == 403


def test_queue_status_with_redis_down_is_a_503(staff_api, redis_down):
    response = staff_api.get("/api/v1/jobs/queue-status")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_staff_pause_and_resume_a_queue_and_enqueuing_still_works(
    staff_api, owner, project, django_capture_on_commit_callbacks
):
    response = staff_api.post("/api/v1/jobs/queues/repotrackr_high/pause")
    assert response.json() == {"queue": HIGH, "paused": True}
    assert paused_queues() == {HIGH}
    with django_capture_on_commit_callbacks(execute=True):
        job = refresh_request(project=project, user=owner, trigger="manual").job
    assert get_queue(HIGH).get_job_ids() == [str(job.id)]
    status = staff_api.get("/api/v1/jobs/queue-status").json()
    assert [q["paused"] for q in status["queues"]] == [True, False, False]
    assert staff_api.post("/api/v1/jobs/queues/repotrackr_high/resume").json()["paused"] is False
    assert paused_queues() == set()


def test_pausing_an_unknown_queue_is_a_404(staff_api):
    assert staff_api.post("/api/v1/jobs/queues/nope/pause").status_code == 404


def test_owners_cannot_pause_queues(owner_api):
    assert owner_api.post("/api/v1/jobs/queues/repotrackr/pause").status_code == 403
    assert paused_queues() == set()


# -- metrics ---------------------------------------------------------------------------------


def test_job_metrics_report_queues_outcomes_durations_and_errors(staff_api, failed_job):
    body = staff_api.get("/api/v1/jobs/metrics").json()
    assert body["redis_connected"] is True
    assert [q["name"] for q in body["queues"]] == [
        "repotrackr_high",
        "repotrackr",
        "repotrackr_low",
    ]
    assert body["last_hour"]["failed"] == 1
    assert body["last_hour"]["success_rate"] == 0.0
    assert len(body["last_hour"]["per_minute"]) == 60
    assert body["top_errors"] == [{"message": "plan not found", "count": 1}]
    assert set(body["job_types"]) == {"refresh", "extract_skills"}


def test_job_metrics_are_for_staff(owner_api):
    assert owner_api.get("/api/v1/jobs/metrics").status_code == 403


def test_job_metrics_still_answer_with_redis_down(staff_api, failed_job, redis_down):
    response = staff_api.get("/api/v1/jobs/metrics")
    assert response.status_code == 200
    assert response.json()["redis_connected"] is False
    assert response.json()["last_hour"]["failed"] == 1


def test_prometheus_metrics_answer_a_staff_token_in_text_format(staff_token_client, failed_job):
    response = staff_token_client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert "repotrackr_redis_up 1" in text
    assert 'repotrackr_jobs_finished_last_hour{status="failed"} 1' in text
    assert re.search(
        r'^repotrackr_queue_jobs\{queue="repotrackr_high",state="queued"\} 1$', text, re.M
    )
    assert 'repotrackr_job_errors_last_day{message="plan not found"} 1' in text


def test_prometheus_metrics_answer_a_staff_session(client, staff):
    client.force_login(staff)
    assert client.get("/metrics").status_code == 200


def test_prometheus_metrics_refuse_a_non_staff_token_and_anonymous_callers(api_client, owner):
    assert api_client.get("/metrics").status_code == 401
    _, key = api_token_create(user=owner, name="x")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get("/metrics").status_code == 403


def test_canceling_a_running_job_stops_it_and_records_canceled(owner_api, queued_job):
    tracker.job_start(queued_job.id)
    response = owner_api.delete(f"/api/v1/jobs/{queued_job.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "canceled"
    assert body["completed_at"] is not None
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.CANCELED


def test_staff_may_cancel_another_users_job(staff_api, queued_job):
    assert staff_api.delete(f"/api/v1/jobs/{queued_job.id}").status_code == 200
    assert JobRecord.objects.get(pk=queued_job.id).status == JobStatus.CANCELED
    # A canceled job is finished but did not fail: retrying it is refused.
    assert staff_api.post(f"/api/v1/jobs/{queued_job.id}/retry").status_code == 409


def test_a_retry_through_an_api_token_is_recorded_with_the_api_trigger(
    api_client, owner, failed_job, django_capture_on_commit_callbacks
):
    from accounts.services import api_token_create

    _, key = api_token_create(user=owner, name="script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/jobs/{failed_job.id}/retry")
    assert response.status_code == 202
    assert RefreshHistory.objects.get(job_id=response.json()["job_id"]).trigger == "api"
