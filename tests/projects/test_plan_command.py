import json

import pytest
from django.core.management import CommandError, call_command


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_plan_json_of_a_local_folder_has_the_documented_keys(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "plan.md").write_text(
        "# P\n\n## One\n\n- [x] a\n- [ ] b\n\n## Two\n\n- [!] c\n- [x] d\n"
    )
    report = json.loads(_run(str(tmp_path), "--json"))
    assert {
        "plan_files",
        "total",
        "done",
        "doing",
        "blocked",
        "todo",
        "percentage",
        "status",
        "phases",
        "tasks",
    } <= set(report)
    assert report["plan_files"] == ["docs/plan.md"]
    assert (report["total"], report["done"], report["blocked"]) == (4, 2, 1)
    assert report["percentage"] == 50.0
    assert [p["title"] for p in report["phases"]] == ["One", "Two"]
    assert report["tasks"][2] == {
        "title": "c",
        "status": "blocked",
        "phase": "Two",
        "section_path": ["P", "Two"],
        "depth": 0,
        "parent": None,
        "file": "docs/plan.md",
        "line": 10,
    }


def test_plan_of_a_single_file_reads_that_file(tmp_path):
    plan = tmp_path / "roadmap-2027.md"
    plan.write_text("## A\n\n- [x] one\n\n## B\n\n- [ ] two\n")
    text = _run(str(plan))
    assert "1 of 2 tasks done" in text
    assert "- two" in text or "two" in text


def test_plan_of_a_repository_url_clones_the_named_branch(make_repo):
    repo = make_repo(plan="## A\n\n- [x] one\n\n## B\n\n- [x] two\n")
    report = json.loads(_run(repo.url, "--json"))
    assert report["status"] == "complete"
    assert report["percentage"] == 100.0


def test_plan_with_a_missing_branch_is_a_clear_error(make_repo):
    repo = make_repo()
    with pytest.raises(CommandError, match="no-such-branch"):
        _run(repo.url, "--branch", "no-such-branch")


def test_plan_without_a_plan_is_no_plan_and_says_where_it_looked(tmp_path):
    (tmp_path / "README.md").write_text("# Nothing planned here\n")
    text = _run(str(tmp_path))
    assert "Status: No plan (no_plan) - no plan found" in text
    assert "Looked for: plan, roadmap, todo, to-do, tasks, milestones or status" in text
    report = json.loads(_run(str(tmp_path), "--json"))
    assert (report["status"], report["status_label"], report["total"]) == ("no_plan", "No plan", 0)
    assert report["searched"][2] == "planning/, docs/planning/ and .planning/ folders"


def test_plan_with_a_missing_plan_path_is_a_clear_error(tmp_path):
    (tmp_path / "plan.md").write_text("- [ ] a\n")
    with pytest.raises(CommandError, match="nope.md .from the plan path. does not exist"):
        _run(str(tmp_path), "--plan-path", "nope.md")


def test_plan_path_escaping_the_folder_is_refused(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "secret.md").write_text("- [x] not yours\n")
    with pytest.raises(CommandError, match="\\.\\."):
        _run(str(tmp_path / "repo"), "--plan-path", "../secret.md")


def test_plan_refuses_an_unsafe_url(settings):
    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = False
    with pytest.raises(CommandError, match="loopback"):
        _run("https://127.0.0.1/x.git")


def test_plan_of_a_file_url_goes_through_a_shallow_clone(make_repo, settings, tmp_path):
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    repo = make_repo(plan="## A\n\n- [x] one\n- [ ] two\n")
    report = json.loads(_run(f"file://{repo.url}", "--json"))
    assert report["percentage"] == 50.0
    assert list((tmp_path / "clones").iterdir()) == []
