"""A repository past the file cap: the plan is still found, the skills scan says why not.

The rule (README, Security): the listing stops at ``REPOTRACKR_MAX_TREE_ENTRIES``
files and folders. Plan discovery goes on with the part listed (breadth
first: the root and shallow folders, where plans live) and warns; what needs
every file, the skills scan, fails with "the repository has more than N
files". A refresh therefore completes with its plan and keeps the skills it
had; the extract-skills job fails clearly.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jobs.models import JobRecord, JobStatus

CAP = 300


@pytest.fixture
def huge_repo(make_repo):
    repo = make_repo()
    for package in range(12):
        for module in range(40):
            repo.write(f"src/pkg{package:02}/mod{module:02}.py", f"VALUE = {module}\n")
    repo.commit("many files")
    return repo


@pytest.fixture
def capped(settings, tmp_path):
    settings.REPOTRACKR_MAX_TREE_ENTRIES = CAP
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    return settings


@pytest.mark.django_db
def test_a_refresh_past_the_cap_completes_with_its_plan_and_warnings(
    huge_repo, capped, owner, django_capture_on_commit_callbacks, drain
):
    from jobs.services import refresh_request
    from projects.services import project_create

    project = project_create(owner=owner, name="Huge", repo_url=huge_repo.url)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = refresh_request(project=project, user=owner, trigger="manual")
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.COMPLETED, record.error_detail
    assert record.result["tasks_count"] == 5
    warnings = record.result["warnings"]
    assert f"the repository has more than {CAP} files; only the first" in warnings[0]
    assert warnings[1] == f"skills not updated: the repository has more than {CAP} files"
    project.refresh_from_db()
    assert project.total_tasks == 5


@pytest.mark.django_db
def test_the_skills_job_past_the_cap_fails_clearly_and_once(
    huge_repo, capped, owner, django_capture_on_commit_callbacks, drain
):
    from jobs.refresh_requests import project_refresh_request
    from projects.services import project_create

    project = project_create(owner=owner, name="Huge", repo_url=huge_repo.url)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = project_refresh_request(
            project=project, requested_by=owner, trigger="api", skills_only=True
        )
    drain()
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1
    assert record.error == f"the repository has more than {CAP} files"


@pytest.mark.django_db
def test_the_plan_command_on_a_huge_folder_warns_and_finds_the_plan(huge_repo, capped, capsys):
    call_command("plan", str(huge_repo.work), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["plan_files"] == ["docs/plan.md"] and report["total"] == 5
    assert any(f"more than {CAP} files" in w for w in report["warnings"])


@pytest.mark.django_db
def test_the_skills_command_on_a_huge_folder_says_why_it_stops(huge_repo, capped):
    with pytest.raises(CommandError, match=f"the repository has more than {CAP} files"):
        call_command("skills", str(huge_repo.work))


@pytest.mark.django_db
def test_raising_the_cap_makes_the_next_refresh_read_the_repository_again(
    huge_repo, capped, owner, django_capture_on_commit_callbacks, drain
):
    from jobs.services import refresh_request
    from projects.services import project_create

    project = project_create(owner=owner, name="Huge", repo_url=huge_repo.url)
    for cap in (CAP, 10_000):
        capped.REPOTRACKR_MAX_TREE_ENTRIES = cap
        with django_capture_on_commit_callbacks(execute=True):
            outcome = refresh_request(project=project, user=owner, trigger="manual")
        drain()
        record = JobRecord.objects.get(pk=outcome.job.pk)
        assert record.status == JobStatus.COMPLETED, record.error_detail
    assert record.result["unchanged"] is False
    assert "warnings" not in record.result
    assert record.result["skills_count"] > 0
