"""The refresh job end to end: real repositories, real Redis, a real burst worker."""

from __future__ import annotations

import pytest
from rq.job import Job

from jobs.models import JobRecord, JobStatus, RefreshHistory
from projects.models import ProgressSnapshot, Project, Task
from repotrackr.redis_connection import get_redis
from skills.models import Skill


@pytest.mark.django_db
def test_a_refresh_stores_tasks_snapshot_and_skills_and_completes(project, request_refresh, drain):
    outcome = request_refresh(project)
    assert outcome.created and outcome.job.status == JobStatus.QUEUED

    drain()

    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED
    assert record.progress == 1.0 and record.attempts == 1
    assert record.result == {
        "status": "success",
        "tasks_count": 5,
        "progress_percentage": 40.0,
        "skills_count": record.result["skills_count"],
        "commit_sha": record.result["commit_sha"],
        "unchanged": False,
        "plan_candidates": [
            {
                "label": "docs/plan.md",
                "plan_path": "docs/plan.md",
                "kind": "file",
                "tasks": 5,
                "done": 2,
                "chosen": True,
            }
        ],
    }
    assert len(record.result["commit_sha"]) == 40
    assert record.error == ""
    project.refresh_from_db()
    assert (project.total_tasks, project.done_tasks, project.doing_tasks) == (5, 2, 1)
    assert project.plan_files == ["docs/plan.md"]
    assert project.last_commit_sha == record.result["commit_sha"]
    assert project.last_refreshed_at is not None and project.refresh_fingerprint
    tasks = list(Task.objects.filter(project=project).order_by("order"))
    assert [t.title for t in tasks][:3] == [
        "Set up the repository",
        "Write the parser",
        "Handle nested tasks",
    ]
    assert tasks[2].parent_id == tasks[1].id and tasks[2].depth == 1
    assert tasks[0].phase == "Phase 1: Foundation"
    snapshot = ProgressSnapshot.objects.get(project=project)
    assert [p["title"] for p in snapshot.phases] == ["Phase 1: Foundation", "Phase 2: Launch"]
    names = set(Skill.objects.filter(project=project).values_list("name", flat=True))
    assert {"Django", "Python"} <= names
    python = Skill.objects.get(project=project, name="Python")
    assert python.bytes > 0 and 0 < python.byte_share <= 1
    assert record.result["skills_count"] == len(names)
    history = RefreshHistory.objects.get(job=record)
    assert history.status == JobStatus.COMPLETED and history.trigger == "manual"
    assert history.duration_seconds is not None and history.duration_seconds >= 0
    assert history.result == record.result


@pytest.mark.django_db
def test_stage_and_progress_are_mirrored_in_the_rq_job_meta(project, request_refresh, drain):
    outcome = request_refresh(project)
    drain()
    job = Job.fetch(str(outcome.job.pk), connection=get_redis())
    assert job.meta["stage"] == "saving"
    assert job.meta["progress"] == pytest.approx(0.9)


@pytest.mark.django_db
def test_resource_usage_is_recorded_on_the_job(project, request_refresh, drain):
    outcome = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.cpu_seconds is not None and record.cpu_seconds >= 0
    assert record.peak_memory_bytes > 10_000_000


@pytest.mark.django_db
def test_the_clone_directory_is_removed_after_the_job(project, request_refresh, drain, settings):
    request_refresh(project)
    drain()
    assert list(settings.REPOTRACKR_CLONE_DIR.iterdir()) == []


@pytest.mark.django_db
def test_unchanged_head_skips_the_clone_and_adds_no_snapshot(
    project, request_refresh, drain, settings
):
    request_refresh(project)
    drain()
    # Any clone would now fail: the unchanged refresh must not clone at all.
    settings.REPOTRACKR_MAX_REPO_BYTES = 1
    second = request_refresh(project, trigger="api")
    drain()
    record = JobRecord.objects.get(pk=second.job.pk)
    assert record.status == JobStatus.COMPLETED
    assert record.result["unchanged"] is True
    assert record.result["tasks_count"] == 5
    assert ProgressSnapshot.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_force_bypasses_the_unchanged_short_circuit(project, request_refresh, drain):
    request_refresh(project)
    drain()
    forced = request_refresh(project, force=True)
    drain()
    record = JobRecord.objects.get(pk=forced.job.pk)
    assert record.result["unchanged"] is False
    assert ProgressSnapshot.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_a_new_commit_is_read_again(project, repo, request_refresh, drain):
    request_refresh(project)
    drain()
    repo.write("docs/plan.md", "# Plan\n\n- [x] one\n- [x] two\n").commit("finish")
    second = request_refresh(project)
    drain()
    record = JobRecord.objects.get(pk=second.job.pk)
    assert record.result["unchanged"] is False
    project.refresh_from_db()
    assert project.status == "complete" and project.total_tasks == 2
    assert Task.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_an_old_last_commit_makes_the_project_stale(
    make_repo, make_project, request_refresh, drain
):
    old = make_repo(date="2020-01-01T12:00:00+00:00")
    project = make_project(old.url)
    request_refresh(project)
    drain()
    project.refresh_from_db()
    assert project.status == "stale"
    assert project.status_message == "2 of 5 tasks done (40.0 %); no commit for more than 14 days"


@pytest.mark.django_db
def test_skills_extraction_job_stores_skills_only(
    project, django_capture_on_commit_callbacks, owner, drain
):
    from jobs.services import refresh_request

    with django_capture_on_commit_callbacks(execute=True):
        outcome = refresh_request(
            project=project, user=owner, trigger=None, job_type="extract_skills", priority="normal"
        )
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED and record.job_type == "extract_skills"
    assert Skill.objects.filter(project=project, name="Django").exists()
    assert Task.objects.filter(project=project).count() == 0
    assert not RefreshHistory.objects.filter(job=record).exists()
    assert Project.objects.get(pk=project.pk).total_tasks == 0


def test_the_fingerprint_changes_with_the_head_the_settings_and_the_engine(settings, monkeypatch):
    from jobs import pipeline

    args = dict(head_sha="a" * 40, branch="", plan_path="", repo_url="/r")
    base = pipeline.refresh_fingerprint(**args)
    assert pipeline.refresh_fingerprint(**args) == base
    assert pipeline.refresh_fingerprint(**{**args, "head_sha": "b" * 40}) != base
    assert pipeline.refresh_fingerprint(**{**args, "plan_path": "TODO.md"}) != base
    assert pipeline.refresh_fingerprint(**{**args, "branch": "dev"}) != base
    green = settings.REPOTRACKR_GREEN_AT
    settings.REPOTRACKR_GREEN_AT = green + 5
    assert pipeline.refresh_fingerprint(**args) != base
    settings.REPOTRACKR_GREEN_AT = green
    assert pipeline.refresh_fingerprint(**args) == base
    monkeypatch.setattr(pipeline, "ENGINE_VERSION", pipeline.ENGINE_VERSION + ".next")
    pipeline.engine_version.cache_clear()
    try:
        assert pipeline.refresh_fingerprint(**args) != base
    finally:
        monkeypatch.undo()
        pipeline.engine_version.cache_clear()
