"""The one refresh service: who is charged for what, and the outcomes callers translate."""

import pytest

from jobs.models import JobRecord
from jobs.ratelimit import RateLimiter
from jobs.refresh_requests import Outcome, RequestTrigger, project_refresh_request
from tests.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _budget(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "refresh": {"max_attempts": 2, "window_seconds": 300},
    }
    settings.RATE_LIMIT_EXEMPT_STAFF = False


def _ask(project, user, trigger, **options):
    return project_refresh_request(project=project, requested_by=user, trigger=trigger, **options)


def _finish_all():
    JobRecord.objects.update(status="completed")


@pytest.mark.parametrize("trigger", [RequestTrigger.MANUAL, RequestTrigger.API])
def test_manual_and_api_requests_are_charged_to_the_user(owner, make_project, trigger):
    project = make_project("P")
    assert _ask(project, owner, trigger).kind == Outcome.QUEUED
    assert RateLimiter("refresh").remaining(owner) == 1


def test_a_scheduled_request_is_charged_to_nobody(owner, make_project):
    project = make_project("P")
    for _ in range(4):
        assert _ask(project, None, RequestTrigger.SCHEDULED).kind == Outcome.QUEUED
        _finish_all()
    assert RateLimiter("refresh").remaining(owner) == 2


def test_a_webhook_request_is_not_charged_to_the_owner(owner, make_project):
    project = make_project("P")
    for _ in range(3):
        assert _ask(project, None, RequestTrigger.WEBHOOK).kind == Outcome.QUEUED
        _finish_all()
    assert RateLimiter("refresh").remaining(owner) == 2


def test_an_admin_action_is_charged_to_the_staff_member(staff, make_project):
    projects = [make_project(f"P{i}") for i in range(3)]
    kinds = [_ask(p, staff, RequestTrigger.ADMIN).kind for p in projects]
    assert kinds == [Outcome.QUEUED, Outcome.QUEUED, Outcome.RATE_LIMITED]


def test_an_admin_action_by_a_holder_of_the_exemption_is_free(staff, make_project):
    grant(staff, "jobs.exempt_from_rate_limits")
    projects = [make_project(f"P{i}") for i in range(3)]
    kinds = [_ask(p, staff, RequestTrigger.ADMIN).kind for p in projects]
    assert kinds == [Outcome.QUEUED] * 3
    assert RateLimiter("refresh").remaining(staff) == 2


def test_a_new_projects_first_refresh_is_free_once(owner, make_project):
    project = make_project("P")
    first = _ask(project, owner, RequestTrigger.MANUAL, force=True, first_refresh=True)
    assert first.kind == Outcome.QUEUED
    assert RateLimiter("refresh").remaining(owner) == 2
    _finish_all()
    # A project that has had a job is no longer new: claiming "first" costs like any other.
    _ask(project, owner, RequestTrigger.MANUAL, force=True, first_refresh=True)
    assert RateLimiter("refresh").remaining(owner) == 1


def test_answering_with_the_active_job_is_free(owner, make_project):
    project = make_project("P")
    first = _ask(project, owner, RequestTrigger.MANUAL)
    for _ in range(5):
        again = _ask(project, owner, RequestTrigger.MANUAL)
        assert again.kind == Outcome.JOINED and again.job.pk == first.job.pk
    assert RateLimiter("refresh").remaining(owner) == 1


def test_another_users_project_is_not_allowed(other_user, make_project):
    project = make_project("P")
    assert _ask(project, other_user, RequestTrigger.MANUAL).kind == Outcome.NOT_ALLOWED
    assert not JobRecord.objects.exists()


def test_staff_without_the_change_permission_are_not_allowed(bare_staff, make_project):
    project = make_project("P")
    assert _ask(project, bare_staff, RequestTrigger.ADMIN).kind == Outcome.NOT_ALLOWED


@pytest.mark.django_db(transaction=True)
def test_a_queue_outage_is_an_outcome_not_an_exception(owner, make_project, queue_redis_down):
    project = make_project("P")  # the enqueue runs (and fails) when the claim commits
    outcome = _ask(project, None, RequestTrigger.SCHEDULED)
    assert outcome.kind == Outcome.QUEUE_UNAVAILABLE and not outcome.accepted
    assert JobRecord.objects.get().status == "failed"
