"""What a refresh stores stays true to the repository's thresholds and to edits made meanwhile.

Jobs run through the pipeline directly (``run_refresh``), so an edit can be
made between two of its stages through the ``report`` callback, as a user
request would make it while the worker parses.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from jobs import pipeline, tracker
from jobs.models import JobRecord, JobStatus
from projects.models import Project, Task
from projects.services import project_update

OLD_COMMIT = "2020-01-01T12:00:00+00:00"
# Two months after OLD_COMMIT: stale by the site default (14 days), not by a year.
TWO_MONTHS_ON = datetime(2020, 3, 1, tzinfo=UTC)
PATIENT_CONFIG = "stale_after_days: 365\n"


@pytest.fixture
def run_job(request_refresh):
    """Run one refresh of ``project`` in this process; ``on_stage`` sees each stage."""

    def run(project, *, now=None, on_stage=None, force=False) -> dict:
        outcome = request_refresh(project, force=force)
        assert outcome.created
        record = tracker.job_start(outcome.job.pk)

        def report(stage: str, progress: float) -> None:
            if on_stage is not None:
                on_stage(stage)

        return pipeline.run_refresh(record, report=report, now=now or timezone.now())

    return run


def _edit(project_id, **data) -> None:
    """An edit as the web or API layer makes it: its own copy of the row."""
    project_update(project=Project.objects.get(pk=project_id), data=data)


@pytest.fixture
def patient_project(make_repo, make_project):
    repo = make_repo(date=OLD_COMMIT)
    repo.write("repotrackr.yml", PATIENT_CONFIG).commit("config", date=OLD_COMMIT)
    return make_project(repo.url)


@pytest.mark.django_db
def test_an_unchanged_refresh_keeps_the_repositorys_stale_threshold(patient_project, run_job):
    run_job(patient_project, now=TWO_MONTHS_ON)
    patient_project.refresh_from_db()
    assert patient_project.status == "yellow"

    result = run_job(patient_project, now=TWO_MONTHS_ON)

    assert result["unchanged"] is True
    patient_project.refresh_from_db()
    assert patient_project.status == "yellow"
    assert "no commit" not in patient_project.status_message


@pytest.mark.django_db
def test_a_full_refresh_stores_the_effective_thresholds(patient_project, run_job, settings):
    run_job(patient_project, now=TWO_MONTHS_ON)
    patient_project.refresh_from_db()
    assert patient_project.status_settings == {
        "stale_after_days": 365,
        "green_at": settings.REPOTRACKR_GREEN_AT,
        "yellow_at": settings.REPOTRACKR_YELLOW_AT,
    }


@pytest.mark.django_db
def test_unarchiving_a_refreshed_project_recomputes_its_status_with_its_own_thresholds(
    make_repo, make_project, run_job
):
    repo = make_repo()
    repo.write("repotrackr.yml", "thresholds: {green: 35, yellow: 10}\n").commit("config")
    project = make_project(repo.url)
    run_job(project)
    assert Project.objects.get(pk=project.pk).status == "green"  # 40 %, green from 35 %

    _edit(project.pk, archived=True)
    assert Project.objects.get(pk=project.pk).status == "archived"
    _edit(project.pk, archived=False)

    project.refresh_from_db()
    assert (project.archived, project.status) == (False, "green")


@pytest.mark.django_db
def test_unarchiving_a_project_gone_stale_marks_it_stale(make_repo, make_project, run_job):
    project = make_project(make_repo(date=OLD_COMMIT).url)
    # Refreshed the day after its last commit: fresh then.
    run_job(project, now=datetime(2020, 1, 2, tzinfo=UTC))
    _edit(project.pk, archived=True)
    _edit(project.pk, archived=False)
    project.refresh_from_db()
    assert project.status == "stale"
    assert project.status_message.endswith("no commit for more than 14 days")


@pytest.mark.django_db
def test_unarchiving_a_never_refreshed_project_leaves_it_unknown(project):
    _edit(project.pk, archived=True)
    _edit(project.pk, archived=False)
    assert Project.objects.get(pk=project.pk).status == "unknown"


@pytest.mark.django_db
def test_archiving_while_the_job_parses_leaves_the_project_archived(project, run_job):
    def archive_while_parsing(stage: str) -> None:
        if stage == pipeline.PARSING:
            _edit(project.pk, archived=True)

    result = run_job(project, on_stage=archive_while_parsing)

    assert result["tasks_count"] == 5
    project.refresh_from_db()
    assert (project.archived, project.status, project.total_tasks) == (True, "archived", 5)


@pytest.mark.django_db
def test_archiving_during_an_unchanged_refresh_leaves_the_project_archived(
    make_repo, make_project, run_job
):
    project = make_project(make_repo(date=OLD_COMMIT).url)
    # Fresh when first read; stale by the time of the second, unchanged refresh.
    run_job(project, now=datetime(2020, 1, 2, tzinfo=UTC))

    def archive_before_saving(stage: str) -> None:
        if stage == pipeline.SAVING:
            _edit(project.pk, archived=True)

    result = run_job(project, on_stage=archive_before_saving)

    assert result["unchanged"] is True
    project.refresh_from_db()
    assert (project.archived, project.status) == (True, "archived")


@pytest.mark.django_db
def test_a_plan_path_changed_while_the_job_ran_is_read_again_next_time(project, run_job):
    def repoint_while_parsing(stage: str) -> None:
        if stage == pipeline.PARSING:
            _edit(project.pk, plan_path="docs/plan.md")

    run_job(project, on_stage=repoint_while_parsing)

    project.refresh_from_db()
    assert project.plan_path == "docs/plan.md"
    assert project.total_tasks == 5 and Task.objects.filter(project=project).count() == 5
    assert project.refresh_fingerprint == ""
    assert run_job(project)["unchanged"] is False


@pytest.mark.django_db
def test_an_undisturbed_refresh_stores_its_fingerprint(project, run_job):
    run_job(project)
    project.refresh_from_db()
    assert project.refresh_fingerprint
    assert run_job(project)["unchanged"] is True
    assert JobRecord.objects.filter(project=project, status=JobStatus.COMPLETED).count() == 2
