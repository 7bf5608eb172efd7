"""POST /projects/{id}/refresh, refresh-status, refresh-history, extract-skills.

Against the real Redis of the tests; the enqueue happens after commit, so
each request runs inside ``django_capture_on_commit_callbacks(execute=True)``
(or in a transactional test where the real commit matters).
"""

import subprocess
import threading
import uuid

import pytest
import time_machine
from django.db import connections
from rest_framework.test import APIClient
from rq import SimpleWorker

from accounts.services import api_token_create
from jobs import tracker
from jobs.models import JobPriority, JobRecord, JobStatus, JobType, RefreshHistory
from jobs.queues import get_queue
from jobs.ratelimit import RateLimiter
from jobs.services import refresh_request
from projects.services import project_create
from repotrackr.redis_connection import get_redis
from tests.conftest import grant

HIGH, DEFAULT, LOW = "repotrackr_high", "repotrackr", "repotrackr_low"
PLAN = "# Plan\n\n## Phase 1\n\n- [x] one\n- [x] two\n\n## Phase 2\n\n- [ ] three\n- [x] four\n"


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo_path(tmp_path):
    """A real git repository with a plan, used as the project's remote."""
    path = tmp_path / "remote"
    (path / "docs").mkdir(parents=True)
    (path / "docs" / "plan.md").write_text(PLAN)
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", ".")
    _git(path, "commit", "-q", "-m", "plan")
    return str(path)


@pytest.fixture
def make_project(owner, repo_path):
    def make(name="Alpha", user=None):
        return project_create(owner=user or owner, name=name, repo_url=repo_path)

    return make


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture(autouse=True)
def _seed_budgets(settings):
    settings.RATE_LIMITS = {
        "refresh": {"max_attempts": 5, "window_seconds": 300},
        "create_project": {"max_attempts": 10, "window_seconds": 3600},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


@pytest.fixture
def post_refresh(django_capture_on_commit_callbacks):
    def post(client, project, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/api/v1/projects/{project.id}/refresh", body or {}, format="json")

    return post


def _queued_ids(name):
    return get_queue(name).get_job_ids()


# -- the answer ---------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_answers_202_with_the_seed_shape_and_queues_on_the_high_queue(
    owner_api, project, post_refresh
):
    response = post_refresh(owner_api, project)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert set(body) == {"job_id", "status", "message"}
    assert body["status"] == "queued"
    assert body["message"].startswith("Project refresh queued successfully.")
    job = JobRecord.objects.get(pk=body["job_id"])
    assert (job.job_type, job.queue, job.priority) == (JobType.REFRESH, HIGH, JobPriority.HIGH)
    assert _queued_ids(HIGH) == [body["job_id"]]
    assert RefreshHistory.objects.get(job=job).trigger == "manual"
    assert response["X-RateLimit-Limit"] == "5"
    assert response["X-RateLimit-Remaining"] == "4"


@pytest.mark.django_db
def test_a_refresh_with_an_api_token_is_recorded_with_the_api_trigger(
    api_client, owner, project, post_refresh
):
    _, key = api_token_create(user=owner, name="ci")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = post_refresh(api_client, project)
    assert response.status_code == 202
    assert RefreshHistory.objects.get(job_id=response.json()["job_id"]).trigger == "api"


@pytest.mark.django_db
def test_force_is_stored_on_the_new_job(owner_api, project, post_refresh):
    response = post_refresh(owner_api, project, {"force": True})
    assert JobRecord.objects.get(pk=response.json()["job_id"]).force is True


@pytest.mark.django_db
def test_a_malformed_force_is_a_400_and_nothing_is_queued(owner_api, project, post_refresh):
    response = post_refresh(owner_api, project, {"force": "perhaps"})
    assert response.status_code == 400
    assert "force" in response.json()["error"]["details"]
    assert not JobRecord.objects.exists()


@pytest.mark.django_db
def test_a_second_refresh_answers_200_with_the_queued_job_and_costs_nothing(
    owner_api, owner, project, post_refresh
):
    first = post_refresh(owner_api, project).json()
    response = post_refresh(owner_api, project)
    assert response.status_code == 200
    body = response.json()
    assert body["job_id"] == first["job_id"]
    assert body["status"] == "queued"
    assert "already queued" in body["message"]
    assert JobRecord.objects.count() == 1
    assert response["X-RateLimit-Remaining"] == "4"
    assert RateLimiter("refresh").remaining(owner) == 4


@pytest.mark.django_db
def test_a_refresh_while_one_runs_answers_with_the_running_job(owner_api, project, post_refresh):
    job_id = post_refresh(owner_api, project).json()["job_id"]
    tracker.job_start(job_id)
    body = post_refresh(owner_api, project).json()
    assert body["job_id"] == job_id
    assert body["status"] == "processing"
    assert "already running" in body["message"]


@pytest.mark.django_db
def test_answering_with_a_job_already_on_the_high_queue_takes_two_queries_and_writes_nothing(
    owner_api, project, post_refresh, django_assert_num_queries
):
    job_id = post_refresh(owner_api, project).json()["job_id"]
    with django_assert_num_queries(2):  # the project (access), its active job
        response = owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    assert response.status_code == 200
    assert response.json()["job_id"] == job_id
    assert response["X-RateLimit-Remaining"] == "4"


@pytest.mark.django_db
def test_a_manual_refresh_moves_a_scheduled_job_to_the_high_queue_and_applies_force(
    owner_api, owner, project, post_refresh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        low = refresh_request(project=project, user=None, trigger="scheduled", priority="low")
    assert _queued_ids(LOW) == [str(low.job.id)]
    response = post_refresh(owner_api, project, {"force": True})
    assert response.status_code == 200
    body = response.json()
    assert body["job_id"] == str(low.job.id)
    assert "moved to high priority" in body["message"]
    assert "even if the repository is unchanged" in body["message"]
    job = JobRecord.objects.get(pk=low.job.id)
    assert (job.queue, job.priority, job.force) == (HIGH, JobPriority.HIGH, True)
    assert _queued_ids(LOW) == []
    assert _queued_ids(HIGH) == [str(job.id)]
    assert RateLimiter("refresh").remaining(owner) == 5


# -- who may ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("post", "refresh"),
        ("get", "refresh-status"),
        ("get", "refresh-history"),
        ("post", "extract-skills"),
    ],
)
def test_another_users_project_is_a_404_and_nothing_is_queued(other_api, project, method, suffix):
    response = getattr(other_api, method)(f"/api/v1/projects/{project.id}/{suffix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not JobRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("post", "refresh"),
        ("get", "refresh-status"),
        ("get", "refresh-history"),
        ("post", "extract-skills"),
    ],
)
def test_logged_out_requests_are_refused(api_client, project, method, suffix):
    response = getattr(api_client, method)(f"/api/v1/projects/{project.id}/{suffix}")
    assert response.status_code == 401
    assert not JobRecord.objects.exists()


@pytest.mark.django_db
def test_an_unknown_project_is_a_404(owner_api):
    response = owner_api.post(f"/api/v1/projects/{uuid.uuid4()}/refresh")
    assert response.status_code == 404


@pytest.mark.django_db
def test_staff_may_refresh_any_project(staff_api, project, post_refresh):
    response = post_refresh(staff_api, project)
    assert response.status_code == 202
    assert JobRecord.objects.get().requested_by.username == "operator"


@pytest.mark.django_db
def test_a_session_login_refreshes_with_a_csrf_token_and_the_manual_trigger(
    owner, project, django_capture_on_commit_callbacks
):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    refused = client.post(f"/api/v1/projects/{project.id}/refresh")
    assert refused.status_code == 403
    token = "k" * 32  # what a page's CSRF cookie would hold
    client.cookies["csrftoken"] = token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/projects/{project.id}/refresh", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 202
    assert RefreshHistory.objects.get().trigger == "manual"


# -- rate limit ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sixth_refresh_in_five_minutes_is_a_429_with_a_correct_retry_after(
    owner_api, make_project, post_refresh
):
    projects = [make_project(f"P{i}") for i in range(6)]
    with time_machine.travel("2026-03-02 12:00:07+00:00", tick=False) as clock:
        for i, p in enumerate(projects[:5]):
            response = post_refresh(owner_api, p)
            assert response.status_code == 202
            assert response["X-RateLimit-Remaining"] == str(4 - i)
        refused = post_refresh(owner_api, projects[5])
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["code"] == "rate_limited"
        retry_after = int(refused["Retry-After"])
        assert 1 <= retry_after <= 301
        assert error["details"]["retry_after"] == retry_after
        assert refused["X-RateLimit-Limit"] == "5"
        assert refused["X-RateLimit-Remaining"] == "0"
        assert "Try again in" in error["message"]
        assert not JobRecord.objects.filter(project=projects[5]).exists()

        clock.shift(retry_after - 1)
        assert post_refresh(owner_api, projects[5]).status_code == 429
        clock.shift(1)
        assert post_refresh(owner_api, projects[5]).status_code == 202


@pytest.mark.django_db
def test_over_the_limit_a_project_with_an_active_job_is_still_answered_with_it(
    owner_api, make_project, post_refresh
):
    projects = [make_project(f"P{i}") for i in range(5)]
    ids = [post_refresh(owner_api, p).json()["job_id"] for p in projects]
    response = post_refresh(owner_api, projects[0])
    assert response.status_code == 200
    assert response.json()["job_id"] == ids[0]
    assert response["X-RateLimit-Remaining"] == "0"


@pytest.mark.django_db
def test_the_limit_is_per_user(owner_api, other_api, other_user, make_project, post_refresh):
    for i in range(5):
        post_refresh(owner_api, make_project(f"P{i}"))
    theirs = make_project("Theirs", user=other_user)
    assert post_refresh(other_api, theirs).status_code == 202


@pytest.mark.django_db
def test_staff_are_limited_unless_exempted_by_the_setting_and_the_permission(
    staff, staff_api, make_project, post_refresh, settings
):
    projects = [make_project(f"P{i}") for i in range(7)]
    for p in projects[:5]:
        assert post_refresh(staff_api, p).status_code == 202
    assert post_refresh(staff_api, projects[5]).status_code == 429
    settings.RATE_LIMIT_EXEMPT_STAFF = True
    assert post_refresh(staff_api, projects[6]).status_code == 429  # no permission yet
    grant(staff, "jobs.exempt_from_rate_limits")
    response = post_refresh(staff_api, projects[6])
    assert response.status_code == 202
    assert "X-RateLimit-Remaining" not in response


@pytest.mark.django_db
def test_extract_skills_counts_against_the_refresh_budget(owner_api, make_project, post_refresh):
    projects = [make_project(f"P{i}") for i in range(6)]
    for p in projects[:5]:
        post_refresh(owner_api, p)
    response = owner_api.post(f"/api/v1/projects/{projects[5].id}/extract-skills")
    assert response.status_code == 429


# -- Redis down -------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_down_a_refresh_is_a_503_and_nothing_is_recorded(owner_api, project, redis_down):
    response = owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert "nothing was queued" in error["message"]
    assert not JobRecord.objects.exists()
    assert not RefreshHistory.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_queue_down_a_refresh_is_a_503_no_job_stays_queued_and_nothing_is_counted(
    owner_api, owner, project, queue_redis_down
):
    response = owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert not JobRecord.objects.filter(status__in=["queued", "processing"]).exists()
    job = JobRecord.objects.get()
    assert (job.status, job.error) == (JobStatus.FAILED, "queue unavailable")
    assert RefreshHistory.objects.get().status == JobStatus.FAILED
    assert RateLimiter("refresh").remaining(owner) == 5


# -- 50 at once -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_refreshes_of_one_project_enqueue_exactly_one_job(owner, project):
    results = []
    barrier = threading.Barrier(50)

    def hit():
        client = APIClient()
        client.force_authenticate(owner)
        barrier.wait()
        try:
            response = client.post(f"/api/v1/projects/{project.id}/refresh")
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hit) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _ in results)
    assert codes == [200] * 49 + [202], results
    assert len({body["job_id"] for _, body in results}) == 1
    assert JobRecord.objects.count() == 1
    assert get_queue(HIGH).count == 1
    assert RateLimiter("refresh").remaining(owner) == 4


# -- status and history -------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_status_before_any_refresh_says_so(owner_api, project):
    body = owner_api.get(f"/api/v1/projects/{project.id}/refresh-status").json()
    assert body["job_id"] is None
    assert body["status"] is None
    assert "not been refreshed" in body["message"]


@pytest.mark.django_db(transaction=True)
def test_refresh_status_follows_the_job_through_a_real_worker_to_completed(owner_api, project):
    job_id = owner_api.post(f"/api/v1/projects/{project.id}/refresh").json()["job_id"]
    queued = owner_api.get(f"/api/v1/projects/{project.id}/refresh-status").json()
    assert (queued["job_id"], queued["status"], queued["trigger"]) == (job_id, "queued", "manual")

    SimpleWorker([get_queue(HIGH)], connection=get_redis()).work(burst=True)

    body = owner_api.get(f"/api/v1/projects/{project.id}/refresh-status").json()
    assert body["status"] == "completed", body
    assert body["progress"] == 1.0
    assert body["error"] is None
    assert body["result"]["status"] == "success"
    assert body["result"]["tasks_count"] == 4
    assert body["result"]["progress_percentage"] == 75.0
    assert body["started_at"] and body["completed_at"]
    history = owner_api.get(f"/api/v1/projects/{project.id}/refresh-history").json()
    entry = history["results"][0]
    assert entry["status"] == "completed"
    assert entry["duration_seconds"] is not None and entry["duration_seconds"] >= 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_shows_its_error_in_status_and_history(owner_api, owner):
    project = project_create(owner=owner, name="Gone", repo_url="/nonexistent/repository")
    owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    SimpleWorker([get_queue(HIGH)], connection=get_redis()).work(burst=True)
    job = JobRecord.objects.get()
    if job.status == JobStatus.QUEUED:  # classified transient: give up its retries
        tracker.job_update_status(job.id, status=JobStatus.FAILED, error=job.error or "failed")
    body = owner_api.get(f"/api/v1/projects/{project.id}/refresh-status").json()
    assert body["status"] == "failed"
    assert body["error"]
    assert body["result"] is None
    entry = owner_api.get(f"/api/v1/projects/{project.id}/refresh-history").json()["results"][0]
    assert entry["status"] == "failed"
    assert entry["error"] == body["error"]


@pytest.mark.django_db
def test_refresh_history_lists_who_how_and_which_job_newest_first_and_pages(
    owner_api, owner, project, post_refresh
):
    first = post_refresh(owner_api, project).json()["job_id"]
    tracker.job_update_status(first, status=JobStatus.COMPLETED, result={"status": "success"})
    second = post_refresh(owner_api, project).json()["job_id"]
    body = owner_api.get(f"/api/v1/projects/{project.id}/refresh-history?limit=1").json()
    assert body["count"] == 2
    assert body["next"]
    entry = body["results"][0]
    assert entry["job_id"] == second
    assert (entry["user"], entry["trigger"], entry["status"]) == ("owner", "manual", "queued")
    older = owner_api.get(f"/api/v1/projects/{project.id}/refresh-history?limit=1&offset=1").json()
    assert older["results"][0]["job_id"] == first
    assert older["results"][0]["status"] == "completed"
    assert older["results"][0]["result"] == {"status": "success"}


# -- extract skills ----------------------------------------------------------------------


@pytest.mark.django_db
def test_extract_skills_queues_a_skills_job_that_a_refresh_then_answers_with(
    owner_api, project, post_refresh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"/api/v1/projects/{project.id}/extract-skills")
    assert response.status_code == 202
    body = response.json()
    assert body["message"].startswith("Skills extraction queued successfully.")
    assert JobRecord.objects.get(pk=body["job_id"]).job_type == JobType.EXTRACT_SKILLS
    refresh = post_refresh(owner_api, project)
    assert refresh.status_code == 200
    assert refresh.json()["job_id"] == body["job_id"]
    assert "skills extraction of this project is already queued" in refresh.json()["message"]
    status = owner_api.get(f"/api/v1/projects/{project.id}/refresh-status").json()
    assert (status["job_id"], status["job_type"]) == (body["job_id"], "extract_skills")


@pytest.mark.django_db
def test_a_forced_refresh_while_one_runs_answers_with_it_and_does_not_force_it(
    owner_api, project, post_refresh
):
    job_id = post_refresh(owner_api, project).json()["job_id"]
    tracker.job_start(job_id)
    body = post_refresh(owner_api, project, {"force": True}).json()
    assert body["job_id"] == job_id
    assert "even if" not in body["message"]
    assert JobRecord.objects.get(pk=job_id).force is False


@pytest.mark.django_db
def test_the_web_form_path_shares_the_refresh_budget_and_the_active_job_answer(
    owner, owner_api, make_project, post_refresh, django_capture_on_commit_callbacks
):
    from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request

    def from_the_page(project):
        return project_refresh_request(
            project=project, requested_by=owner, trigger=RequestTrigger.MANUAL
        )

    projects = [make_project(f"P{i}") for i in range(6)]
    for p in projects[:4]:
        post_refresh(owner_api, p)
    with django_capture_on_commit_callbacks(execute=True):
        first = from_the_page(projects[4])
    assert first.kind == Outcome.QUEUED and first.decision.remaining == 0
    again = from_the_page(projects[4])
    assert again.kind == Outcome.JOINED and again.job.id == first.job.id
    refused = from_the_page(projects[5])
    assert refused.kind == Outcome.RATE_LIMITED and refused.retry_after >= 1


def test_a_refresh_queued_while_no_worker_runs_says_so(owner_api, project):
    response = owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    assert response.status_code == 202
    assert "No worker is running" in response.json()["message"]


def test_a_refresh_queued_with_a_worker_running_does_not_warn(owner_api, project):
    from rq import Worker

    from jobs.queues import get_queue
    from repotrackr.redis_connection import get_redis

    worker = Worker([get_queue("repotrackr")], connection=get_redis())
    worker.register_birth()
    try:
        response = owner_api.post(f"/api/v1/projects/{project.id}/refresh")
    finally:
        worker.register_death()
    assert "No worker" not in response.json()["message"]
