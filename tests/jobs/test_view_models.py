"""How job records become what the refresh indicator and the console chart show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.models import JobRecord, JobStatus
from jobs.view_models import IDLE, refresh_state_from_job, throughput_bars

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _job(**fields) -> JobRecord:
    return JobRecord(job_type="refresh", queue="repotrackr_high", **fields)


def test_no_job_means_never_refreshed():
    assert refresh_state_from_job(None) is IDLE and IDLE.label == "Not refreshed yet"


@pytest.mark.parametrize(
    ("fields", "label", "active"),
    [
        ({"status": JobStatus.QUEUED}, "Queued", True),
        ({"status": JobStatus.QUEUED, "next_attempt_at": T0}, "Waiting to retry", True),
        ({"status": JobStatus.PROCESSING, "stage": "cloning", "progress": 0.15}, "Cloning", True),
        ({"status": JobStatus.FAILED, "error": "Repository not found"}, "Failed", False),
        ({"status": JobStatus.CANCELED}, "Canceled", False),
    ],
)
def test_each_job_status_has_a_label_in_words(fields, label, active):
    state = refresh_state_from_job(_job(**fields))
    assert (state.label, state.active) == (label, active)


def test_a_completed_refresh_carries_the_new_percentage():
    state = refresh_state_from_job(
        _job(
            status=JobStatus.COMPLETED,
            progress=1.0,
            result={"progress_percentage": 62.5, "unchanged": False},
        )
    )
    assert (state.label, state.percentage, state.progress, state.unchanged) == (
        "Done",
        62.5,
        100.0,
        False,
    )


def test_a_result_without_a_number_shows_no_percentage():
    state = refresh_state_from_job(
        _job(status=JobStatus.COMPLETED, result={"progress_percentage": "lots"})
    )
    assert state.percentage is None


def test_throughput_bars_stack_failures_on_completions_scaled_to_the_busiest_minute():
    rows = [
        {"minute": T0, "completed": 2, "failed": 0},
        {"minute": T0, "completed": 3, "failed": 1},
    ]
    first, second = throughput_bars(rows, height=100, bar_width=10)
    assert (first.x, first.completed_height, first.completed_y) == (0.0, 50.0, 50.0)
    assert (second.x, second.completed_y, second.failed_y) == (10.0, 25.0, 0.0)


def test_an_idle_hour_draws_no_bars():
    bars = throughput_bars([{"minute": T0, "completed": 0, "failed": 0}])
    assert (bars[0].completed_height, bars[0].failed_height) == (0.0, 0.0)


@pytest.mark.django_db
def test_the_page_indicator_shows_an_active_skills_extraction_like_the_api(owner, tmp_path):
    from jobs.models import JobType
    from jobs.selectors import latest_refresh_for_project, refresh_state_for_project
    from jobs.services import refresh_request
    from projects.services import project_create

    project = project_create(owner=owner, name="Skills only", repo_url=str(tmp_path))
    JobRecord.objects.create(
        project=project, job_type=JobType.REFRESH, queue="repotrackr", status=JobStatus.COMPLETED
    )
    extraction = refresh_request(
        project=project, user=owner, trigger=None, job_type="extract_skills", priority="normal"
    ).job
    assert latest_refresh_for_project(project=project) == extraction
    state = refresh_state_for_project(project=project)
    assert state.active is True
    assert state.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_dashboard_cards_show_a_failed_latest_refresh_but_not_an_older_failure(owner, tmp_path):
    from jobs.models import JobType
    from jobs.selectors import card_refresh_states_for
    from projects.services import project_create

    broken = project_create(owner=owner, name="Broken", repo_url=str(tmp_path))
    mended = project_create(owner=owner, name="Mended", repo_url=str(tmp_path))
    quiet = project_create(owner=owner, name="Quiet", repo_url=str(tmp_path))

    def job(project, status, error=""):
        return JobRecord.objects.create(
            project=project,
            job_type=JobType.REFRESH,
            queue="repotrackr",
            status=status,
            error=error,
        )

    from datetime import timedelta

    from django.utils import timezone

    job(broken, JobStatus.FAILED, "no plan found")
    job(mended, JobStatus.FAILED, "no plan found")
    later = job(mended, JobStatus.COMPLETED)
    JobRecord.objects.filter(pk=later.pk).update(created_at=timezone.now() + timedelta(seconds=5))
    job(quiet, JobStatus.COMPLETED)
    states = card_refresh_states_for([broken, mended, quiet])
    assert set(states) == {broken.pk}
    assert states[broken.pk].error == "no plan found"
