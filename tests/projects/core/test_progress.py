"""Progress counts, phases, project status and the report shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from projects.core.plan_config import parse_plan_config
from projects.core.plan_discovery import load_plan
from projects.core.plan_parser import parse_plan
from projects.core.progress import (
    OTHER_TASKS,
    StatusThresholds,
    compute_progress,
    format_plan_text,
    percent,
    plan_report,
    project_status,
    status_message,
)
from projects.core.source import MemorySource

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _progress(text: str):
    return compute_progress(parse_plan(text, source_path="docs/plan.md"))


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 0, 0.0),
        (0, 3, 0.0),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (1, 8, 12.5),
        (3, 3, 100.0),
        (1999, 2000, 99.9),
        (1, 2000, 0.1),
        (1, 400, 0.3),
    ],
)
def test_percentage_has_one_decimal_and_100_only_when_all_done(done, total, expected):
    assert percent(done, total) == expected


def test_counts_cover_every_status():
    progress = _progress("- [x] a\n- [~] b\n- [!] c\n- [ ] d\n- [ ] e\n")
    assert (progress.total, progress.done, progress.doing, progress.blocked, progress.todo) == (
        5,
        1,
        1,
        1,
        2,
    )
    assert progress.percentage == 20.0


def test_phases_are_the_shallowest_level_with_two_headings_holding_tasks():
    progress = _progress(
        "# Plan\n## Phase 1\n### a\n- [x] a1\n### b\n- [ ] b1\n## Phase 2\n- [x] c\n## Notes\nnone\n"
    )
    assert [(p.title, p.total, p.done) for p in progress.phases] == [
        ("Phase 1", 2, 1),
        ("Phase 2", 1, 1),
    ]
    assert progress.task_phases == (0, 0, 1)


def test_deeper_level_is_used_when_upper_levels_hold_one_heading_each():
    progress = _progress("# Plan\n## Year\n### Q1\n- [x] a\n### Q2\n- [ ] b\n")
    assert [p.title for p in progress.phases] == ["Q1", "Q2"]


def test_tasks_outside_every_phase_heading_get_a_phase_of_their_own():
    progress = _progress("- [ ] loose\n# P1\n- [ ] a\n# P2\n- [ ] b\n")
    assert [p.title for p in progress.phases] == [OTHER_TASKS, "P1", "P2"]


def test_tasks_directly_under_the_title_are_named_after_it():
    progress = _progress("# Plan\n- [ ] intro task\n## P1\n- [ ] a\n## P2\n- [ ] b\n")
    assert [p.title for p in progress.phases] == ["Plan", "P1", "P2"]


def test_single_section_plan_is_one_phase_named_by_its_heading():
    assert [p.title for p in _progress("# Launch\n- [ ] a\n- [x] b\n").phases] == ["Launch"]


def test_plan_without_headings_is_one_phase_named_by_its_file():
    assert [p.title for p in _progress("- [ ] a\n").phases] == ["plan"]


def test_folder_plan_has_one_phase_per_file_titled_by_its_first_heading():
    source = MemorySource(
        {
            "planning/01.md": "# Foundation\n## Setup\n- [x] a\n## CI\n- [x] b\n",
            "planning/02.md": "- [ ] c\n",
        }
    )
    progress = compute_progress(load_plan(source).plan)
    assert [(p.title, p.total, p.percentage) for p in progress.phases] == [
        ("Foundation", 2, 100.0),
        ("02", 1, 0.0),
    ]


def test_empty_plan_has_no_phases():
    progress = _progress("# Ideas\n- dark mode\n")
    assert progress.is_empty and progress.phases == () and progress.percentage == 0.0


def _with(done: int, total: int, blocked: int = 0):
    lines = (
        ["- [x] d\n"] * done + ["- [!] b\n"] * blocked + ["- [ ] t\n"] * (total - done - blocked)
    )
    return _progress("".join(lines))


SITE = StatusThresholds(stale_after_days=14, green_at=70, yellow_at=30)


@pytest.mark.parametrize(
    ("done", "total", "blocked", "days_ago", "archived", "expected"),
    [
        (10, 10, 0, 400, False, "complete"),  # complete is never stale
        (7, 10, 0, 1, False, "green"),
        (7, 10, 1, 1, False, "yellow"),  # green needs nothing blocked
        (3, 10, 1, 1, False, "yellow"),
        (3, 10, 2, 1, False, "red"),  # yellow allows one blocked
        (2, 10, 0, 1, False, "red"),
        (9, 10, 0, 15, False, "stale"),  # a status of its own, whatever the percentage
        (1, 10, 3, 15, False, "stale"),  # stale comes before red
        (9, 10, 0, 14, False, "green"),  # exactly at the limit is not stale yet
        (9, 10, 0, 1, True, "archived"),
        (10, 10, 0, 1, True, "archived"),  # archived comes before complete
        (0, 0, 0, 1, False, "no_plan"),  # a plan without tasks is no plan, not 0 % red
        (0, 0, 0, 400, False, "no_plan"),  # no plan comes before stale
    ],
)
def test_project_status_follows_the_contract(done, total, blocked, days_ago, archived, expected):
    status = project_status(
        _with(done, total, blocked),
        thresholds=SITE,
        last_commit_at=NOW - timedelta(days=days_ago),
        now=NOW,
        archived=archived,
    )
    assert status == expected


def test_no_plan_found_is_no_plan():
    assert project_status(None, thresholds=SITE, last_commit_at=None, now=NOW) == "no_plan"


@pytest.mark.parametrize("progress", [None, "complete", "stale"])
def test_status_before_the_first_success_is_unknown_unless_archived(progress):
    figures = {None: None, "complete": _with(3, 3), "stale": _with(1, 3)}[progress]
    old = NOW - timedelta(days=400)
    judged = partial(project_status, figures, thresholds=SITE, last_commit_at=old, now=NOW)
    assert judged(refreshed=False) == "unknown"
    assert judged(refreshed=False, archived=True) == "archived"


def test_an_unknown_commit_time_is_never_stale():
    assert project_status(_with(1, 10), thresholds=SITE, last_commit_at=None, now=NOW) == "red"


def test_thresholds_are_parameters():
    progress = _with(7, 10)
    strict = StatusThresholds(stale_after_days=14, green_at=80, yellow_at=50)
    assert project_status(progress, thresholds=strict, last_commit_at=None, now=NOW) == "yellow"
    patient = StatusThresholds(stale_after_days=30, green_at=70, yellow_at=30)
    twenty_days_ago = NOW - timedelta(days=20)
    assert project_status(progress, thresholds=SITE, last_commit_at=twenty_days_ago, now=NOW) == (
        "stale"
    )
    assert (
        project_status(progress, thresholds=patient, last_commit_at=twenty_days_ago, now=NOW)
        == "green"
    )


def test_a_repository_config_overrides_only_the_thresholds_it_sets():
    config = parse_plan_config("stale_after_days: 60\nthresholds: {green: 90}\n")
    assert SITE.overridden_by(config) == StatusThresholds(60, 90.0, 30.0)
    assert SITE.overridden_by(None) == SITE


def test_stored_thresholds_fall_back_key_by_key():
    stored = {"stale_after_days": 30, "green_at": "high", "yellow_at": True}
    assert StatusThresholds.from_json(stored, fallback=SITE) == StatusThresholds(30, 70.0, 30.0)
    assert StatusThresholds.from_json(None, fallback=SITE) == SITE
    assert StatusThresholds.from_json(SITE.as_json(), fallback=StatusThresholds()) == SITE


@pytest.mark.parametrize(
    ("status", "progress", "label", "expected"),
    [
        ("green", (7, 10), "docs/plan.md", "7 of 10 tasks done (70.0 %)"),
        (
            "stale",
            (7, 10),
            "docs/plan.md",
            "7 of 10 tasks done (70.0 %); no commit for more than 14 days",
        ),
        ("no_plan", (0, 0), "docs/plan.md", "no tasks found in docs/plan.md"),
        ("no_plan", None, "", "no plan found"),
    ],
)
def test_status_message_says_why(status, progress, label, expected):
    figures = _with(*progress) if progress else None
    assert status_message(status, progress=figures, plan_label=label, thresholds=SITE) == expected


def test_report_has_the_command_line_json_shape():
    loaded = load_plan(
        MemorySource({"docs/plan.md": "# P\n## A\n- [x] a\n## B\n- [ ] b\n  - [~] b1\n"})
    )
    progress = compute_progress(loaded.plan)
    report = plan_report(loaded, progress, "yellow", message="1 of 3 tasks done (33.3 %)")
    assert json.loads(json.dumps(report)) == report
    assert (report["status"], report["status_label"]) == ("yellow", "At risk")
    assert {
        "plan_files",
        "total",
        "done",
        "doing",
        "blocked",
        "todo",
        "percentage",
        "status",
        "status_label",
        "message",
        "searched",
        "phases",
        "tasks",
    } <= set(report)
    assert report["phases"][1] == {
        "title": "B",
        "total": 2,
        "done": 0,
        "doing": 1,
        "blocked": 0,
        "todo": 1,
        "percentage": 0.0,
    }
    assert report["tasks"][2] == {
        "title": "b1",
        "status": "doing",
        "phase": "B",
        "section_path": ["P", "B"],
        "depth": 1,
        "parent": 1,
        "file": "docs/plan.md",
        "line": 6,
    }


def test_empty_plan_report_is_no_plan_and_says_where_nothing_was_found():
    loaded = load_plan(MemorySource({"docs/plan.md": "# Plan\nNothing yet.\n"}))
    progress = compute_progress(loaded.plan)
    status = project_status(progress, thresholds=SITE, last_commit_at=None, now=NOW)
    message = status_message(status, progress=progress, plan_label=loaded.label, thresholds=SITE)
    report = plan_report(loaded, progress, status, message=message)
    assert (report["status"], report["status_label"], report["message"]) == (
        "no_plan",
        "No plan",
        "no tasks found in docs/plan.md",
    )
    assert report["warnings"] == ["no tasks found in docs/plan.md: the status is no_plan"]
    text = format_plan_text(report)
    assert "Status: No plan (no_plan) - no tasks found in docs/plan.md" in text
    assert "Warning: no tasks found in docs/plan.md: the status is no_plan" in text


def test_report_without_a_plan_lists_where_discovery_looked():
    searched = ("docs/plan.md", "planning/", "a Plan section in the README")
    report = plan_report(None, None, "no_plan", message="no plan found", searched=searched)
    assert json.loads(json.dumps(report)) == report
    assert (report["total"], report["percentage"], report["plan_files"]) == (0, 0.0, [])
    text = format_plan_text(report)
    assert "Plan: none found" in text
    assert "Looked for: docs/plan.md, planning/, a Plan section in the README" in text
    assert "Tasks:" not in text


def test_text_output_paints_the_status_label_in_its_tone():
    report = plan_report(None, None, "stale", message="m")
    text = format_plan_text(report, paint=lambda text, tone: f"<{tone}>{text}</{tone}>")
    assert "Status: <cyan>Stale</cyan> (stale) - m" in text


def test_text_output_shows_phases_and_tasks_with_locations():
    loaded = load_plan(MemorySource({"plan.md": "## A\n- [x] one\n## B\n- [!] two\n"}))
    progress = compute_progress(loaded.plan)
    text = format_plan_text(plan_report(loaded, progress, "red", message="1 of 2 tasks done"))
    assert "A  ####################" in text and "100.0 %" in text
    assert "[!] two  (plan.md:4)" in text
