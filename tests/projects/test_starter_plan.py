"""The starter plan we offer is a plan RepoTrackr reads cleanly, once copied into a repository."""

from __future__ import annotations

from projects.core.plan_discovery import load_plan
from projects.core.progress import compute_progress
from projects.core.source import MemorySource
from projects.starter_plan import STARTER_PLAN_PATH, starter_plan_text


def test_the_starter_plan_is_shipped_and_read_as_the_page_shows_it():
    assert starter_plan_text() == STARTER_PLAN_PATH.read_text(encoding="utf-8")
    assert STARTER_PLAN_PATH.parent.name == "docs"


def test_the_starter_plan_copied_to_docs_plan_md_is_found_and_has_phases_and_tasks():
    loaded = load_plan(MemorySource({"docs/plan.md": starter_plan_text(), "README.md": "# x\n"}))
    progress = compute_progress(loaded.plan)
    assert loaded.files == ("docs/plan.md",) and loaded.warnings == ()
    assert [p.title for p in progress.phases] == [
        "Phase 1: Foundation",
        "Phase 2: First release",
        "Phase 3: Feedback",
    ]
    # Only what is true once it is committed is ticked: adding the plan itself.
    assert (progress.done, progress.total) == (1, 12)
    assert progress.doing == progress.blocked == 0


def test_the_starter_plan_never_calls_itself_a_template():
    # Discovery skips files that say they are templates; a copied starter plan must count.
    assert "template" not in starter_plan_text().lower()
