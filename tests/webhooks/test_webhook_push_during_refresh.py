"""A push while the project's refresh runs: joined only when the job read that very head.

The pushes arrive from inside a real burst worker's refresh (at the stage
the test names), over the real endpoint, against a real git remote.
"""

from __future__ import annotations

import pytest

from jobs import pipeline, tracker
from jobs.models import JobRecord, RefreshHistory
from jobs.ratelimit import WEBHOOK_DELIVERY, RateLimiter
from webhooks.models import WebhookDelivery

PLAN_AFTER_PUSH = """# Plan

## Phase 1: Foundation

- [x] Set up the repository
- [x] Write the parser
  - [x] Handle nested tasks

## Phase 2: Launch

- [x] Deploy
- [x] Write the docs
"""


@pytest.fixture
def during_stage(monkeypatch):
    """Run ``action(job_id)`` once, when the running job reports ``stage``."""
    real = tracker.job_set_stage

    def install(stage: str, action) -> None:
        done = []

        def set_stage(job_id, name, progress):
            real(job_id, name, progress)
            if name == stage and not done:
                done.append(job_id)
                action(job_id)

        monkeypatch.setattr(tracker, "job_set_stage", set_stage)

    return install


@pytest.fixture
def refreshed(make_repo, hooked, deliver, push_payload, drain, django_capture_on_commit_callbacks):
    """A project refreshed once through a push: ``(repo, project, secret, first_head)``."""
    repo = make_repo()
    project, secret = hooked(repo.url)
    first = repo._git("rev-parse", "HEAD")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(project, "github", push_payload("github", after=first), secret)
    drain()
    project.refresh_from_db()
    assert project.last_commit_sha == first
    return repo, project, secret, first


def _push_and_drain(project, secret, head, deliver, push_payload, drain, capture, **kwargs):
    with capture(execute=True):
        response = deliver(project, "github", push_payload("github", after=head), secret, **kwargs)
    with capture(execute=True):
        drain()
    drain()  # the follow-up, if one was queued when the first job settled
    return response


@pytest.mark.django_db
def test_a_push_of_the_head_the_running_job_resolved_joins_it(
    refreshed, deliver, push_payload, drain, during_stage, django_capture_on_commit_callbacks
):
    repo, project, secret, first = refreshed
    second = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
    answers = []
    during_stage(
        pipeline.CLONING,
        lambda job_id: answers.append(
            deliver(project, "github", push_payload("github", after=second), secret)
        ),
    )
    started = _push_and_drain(
        project, secret, second, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    (joined,) = answers
    assert joined.status_code == 202
    assert joined.json()["verdict"] == "deduplicated"
    assert joined.json()["job_id"] == started.json()["job_id"]
    job = JobRecord.objects.get(pk=started.json()["job_id"])
    assert (job.head_sha, job.follow_up, job.status) == (second, False, "completed")
    assert JobRecord.objects.filter(project=project).count() == 2  # the first refresh, this one
    project.refresh_from_db()
    assert project.last_commit_sha == second


@pytest.mark.django_db
def test_a_push_of_a_new_head_while_running_is_read_by_a_refresh_that_follows(
    refreshed, deliver, push_payload, drain, during_stage, django_capture_on_commit_callbacks
):
    repo, project, secret, first = refreshed
    middle = repo.write("notes.txt", "not the plan\n").commit("Unrelated change")
    answers = []

    def push_while_parsing(job_id):
        # The job cloned ``middle``; this commit lands after it looked.
        head = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
        answers.append(
            (head, deliver(project, "github", push_payload("github", after=head), secret))
        )

    during_stage(pipeline.PARSING, push_while_parsing)
    started = _push_and_drain(
        project, secret, middle, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    ((pushed, followed),) = answers
    assert followed.status_code == 202
    assert followed.json()["verdict"] == "queued"
    assert followed.json()["job_id"] == started.json()["job_id"]
    assert "follows" in followed.json()["reason"]
    running = JobRecord.objects.get(pk=started.json()["job_id"])
    assert (running.head_sha, running.follow_up) == (middle, True)
    assert running.result["commit_sha"] == middle
    follow_up = JobRecord.objects.filter(project=project).order_by("-created_at").first()
    assert follow_up.pk != running.pk
    assert follow_up.status == "completed" and follow_up.requested_by is None
    assert follow_up.result["commit_sha"] == pushed and follow_up.result["unchanged"] is False
    assert RefreshHistory.objects.get(job=follow_up).trigger == "webhook"
    project.refresh_from_db()
    assert project.last_commit_sha == pushed
    assert (project.total_tasks, project.done_tasks) == (5, 5)
    # Three deliveries, three counted: the follow-up is not charged again.
    budget = RateLimiter(WEBHOOK_DELIVERY)
    assert budget.remaining(project) == budget.check(project).limit - 3


@pytest.mark.django_db
def test_a_push_before_the_running_job_resolved_its_head_is_followed(
    refreshed, deliver, push_payload, drain, during_stage, django_capture_on_commit_callbacks
):
    repo, project, secret, first = refreshed
    second = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
    answers = []
    during_stage(
        pipeline.RESOLVING,
        lambda job_id: answers.append(
            deliver(project, "github", push_payload("github", after=second), secret)
        ),
    )
    _push_and_drain(
        project, secret, second, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    assert answers[0].json()["verdict"] == "queued"
    jobs = list(JobRecord.objects.filter(project=project).order_by("created_at"))
    assert len(jobs) == 3
    # The head it resolved already held the push: the follow-up finds nothing new.
    assert jobs[1].result["commit_sha"] == second and jobs[1].result["unchanged"] is False
    assert jobs[2].status == "completed" and jobs[2].result["unchanged"] is True


@pytest.mark.django_db
def test_a_force_push_back_to_an_earlier_head_is_read(
    refreshed, deliver, push_payload, drain, django_capture_on_commit_callbacks
):
    repo, project, secret, first = refreshed
    second = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
    _push_and_drain(
        project, secret, second, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )
    project.refresh_from_db()
    assert project.last_commit_sha == second

    repo._git("push", "-q", "--force", str(repo.bare), f"{first}:main")
    response = _push_and_drain(
        project, secret, first, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    assert response.status_code == 202 and response.json()["verdict"] == "queued"
    job = JobRecord.objects.get(pk=response.json()["job_id"])
    assert job.result["commit_sha"] == first and job.result["unchanged"] is False
    project.refresh_from_db()
    assert project.last_commit_sha == first
    assert (project.total_tasks, project.done_tasks) != (5, 5)


@pytest.mark.django_db
def test_a_redelivery_while_running_is_a_duplicate_and_follows_once(
    refreshed, deliver, push_payload, drain, during_stage, django_capture_on_commit_callbacks
):
    repo, project, secret, first = refreshed
    middle = repo.write("notes.txt", "not the plan\n").commit("Unrelated change")
    answers = []

    def push_twice(job_id):
        head = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
        for _ in range(2):
            payload = push_payload("github", after=head)
            answers.append(deliver(project, "github", payload, secret, delivery_id="push-42"))

    during_stage(pipeline.PARSING, push_twice)
    _push_and_drain(
        project, secret, middle, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    assert [a.json()["verdict"] for a in answers] == ["queued", "duplicate"]
    assert JobRecord.objects.filter(project=project).count() == 3  # first, running, follow-up
    assert WebhookDelivery.objects.filter(delivery_id="push-42", verdict="duplicate").count() == 1
    again = deliver(project, "github", push_payload("github"), secret, delivery_id="push-42")
    assert again.status_code == 200 and again.json()["verdict"] == "duplicate"


@pytest.mark.django_db
def test_a_job_put_back_for_a_retry_forgets_its_head_and_mark(refreshed):
    from django.utils import timezone

    from jobs.refresh_requests import RequestTrigger, project_refresh_request

    _, project, _, first = refreshed
    job = project_refresh_request(
        project=project, requested_by=None, trigger=RequestTrigger.WEBHOOK
    ).job
    tracker.job_start(job.pk)
    assert tracker.job_set_head(job.pk, first) and tracker.job_mark_follow_up(job.pk)
    tracker.job_wait_for_retry(job.pk, next_attempt_at=timezone.now(), error="remote hung up")
    job.refresh_from_db()
    assert (job.status, job.head_sha, job.follow_up) == ("queued", "", False)
    assert not tracker.job_mark_follow_up(job.pk)  # only a running job is followed


@pytest.mark.django_db
def test_a_push_during_a_skills_extraction_is_read_by_a_refresh_that_follows(
    refreshed, deliver, push_payload, drain, django_capture_on_commit_callbacks
):
    from jobs.refresh_requests import RequestTrigger, project_refresh_request

    repo, project, secret, first = refreshed
    with django_capture_on_commit_callbacks(execute=True):
        skills = project_refresh_request(
            project=project,
            requested_by=project.owner,
            trigger=RequestTrigger.API,
            skills_only=True,
        ).job
    head = repo.write("docs/plan.md", PLAN_AFTER_PUSH).commit("Tick the rest")
    response = _push_and_drain(
        project, secret, head, deliver, push_payload, drain, django_capture_on_commit_callbacks
    )

    assert response.json()["verdict"] == "queued"
    assert response.json()["job_id"] == str(skills.pk)
    assert "skills extraction" in response.json()["reason"]
    skills.refresh_from_db()
    assert (skills.status, skills.follow_up) == ("completed", True)
    project.refresh_from_db()
    assert project.last_commit_sha == head
    assert (project.total_tasks, project.done_tasks) == (5, 5)


@pytest.mark.django_db
def test_a_skills_job_put_back_for_a_retry_keeps_its_mark(refreshed):
    from django.utils import timezone

    from jobs.refresh_requests import RequestTrigger, project_refresh_request

    _, project, _, _ = refreshed
    job = project_refresh_request(
        project=project, requested_by=project.owner, trigger=RequestTrigger.API, skills_only=True
    ).job
    assert tracker.job_mark_follow_up(job.pk)  # queued, and still reads no plan
    tracker.job_start(job.pk)
    tracker.job_wait_for_retry(job.pk, next_attempt_at=timezone.now(), error="remote hung up")
    job.refresh_from_db()
    assert (job.status, job.follow_up) == ("queued", True)
