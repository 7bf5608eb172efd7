"""parse_plan: what is a task, and what each task records."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from projects.core.plan_model import (
    BLOCKED,
    DEFAULT_MARKERS,
    DOING,
    DONE,
    TODO,
    StatusMarkers,
    Task,
    tasks_from_columns,
)
from projects.core.plan_parser import parse_plan, table_cell_status


def _tasks(text: str, **kwargs):
    return parse_plan(text, source_path="docs/plan.md", **kwargs).tasks


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("- [ ] a", TODO),
        ("- [x] a", DONE),
        ("- [X] a", DONE),
        ("* [~] a", DOING),
        ("+ [/] a", DOING),
        ("1. [/] a", DOING),
        ("1) [!] a", BLOCKED),
        ("- ✅ a", DONE),
        ("- ✔️ a", DONE),
        ("- ✔ a", DONE),
        ("- ☑️ a", DONE),
        ("- 🔄 a", DOING),
        ("- 🚧 a", DOING),
        ("- ❌ a", TODO),
        ("- 🔴 a", TODO),
        ("- 🟢 a", DONE),
        ("- 🟡 a", DOING),
        ("- :white_check_mark: a", DONE),
        ("- :construction: a", DOING),
        ("- :x: a", TODO),
        ("- 🚫 a", BLOCKED),
        ("- ⛔ a", BLOCKED),
        ("- ⏳ a", DOING),
        ("- ⬜ a", TODO),
        ("- 🔲 a", TODO),
    ],
)
def test_item_marker_gives_its_status(line, status):
    (task,) = _tasks(line + "\n")
    assert (task.title, task.status) == ("a", status)


@pytest.mark.parametrize(
    "text",
    [
        "- plain bullet\n",
        "## Done ✅\n",
        "- [ x] a\n",
        "- [xx] a\n",
        "- [ ]\n",
        "- [~]text\n",
        "> - [ ] quoted\n",
        "> - ✅ quoted emoji\n",
        "```\n- [ ] fenced\n```\n",
        "    - [ ] indented code\n",
        "<!--\n- [ ] comment\n-->\n",
        "<div>\n- [ ] html block\n</div>\n",
        "- Done ✅ at the end\n",
        "- **[ ]** emphasised box\n",
    ],
)
def test_non_task_text_yields_no_task(text):
    assert _tasks(text) == ()


def test_title_is_inline_markdown_reduced_to_plain_text():
    (task,) = _tasks(
        "- [ ] Use **bold**, `code()`, [a link](http://x) and ![alt](i.png)\n  over two lines\n"
    )
    assert task.title == "Use bold, code(), a link and alt over two lines"


def test_title_of_a_loose_item_is_its_first_paragraph_only():
    (task,) = _tasks("- [x] First paragraph\n\n  Second paragraph\n")
    assert task.title == "First paragraph"


def test_lines_are_one_based_in_the_original_file():
    text = (
        "# Plan\n\nIntro\n\n- [ ] a\n- [x] b\n\n## Board\n"
        "| Task | Status |\n|---|---|\n| c | Done |\n"
    )
    assert [(t.title, t.line) for t in _tasks(text)] == [("a", 5), ("b", 6), ("c", 11)]


def test_lines_count_bytes_of_multibyte_text_correctly():
    text = "# Überblick 🚀\n\nÄÖÜ ✅ ✅ ✅\n\n- ✅ ünïcödé\n- 🔄 next\n"
    assert [t.line for t in _tasks(text)] == [5, 6]


def test_nested_tasks_record_depth_and_parent():
    text = "- [ ] a\n  - plain\n    - [x] b\n      - [ ] c\n- [ ] d\n"
    tasks = _tasks(text)
    assert [(t.title, t.depth, t.parent) for t in tasks] == [
        ("a", 0, None),
        ("b", 1, 0),
        ("c", 2, 1),
        ("d", 0, None),
    ]


def test_section_path_holds_the_headings_above_each_task():
    text = "# Plan\n## Phase 1\n### Setup\n- [ ] a\n## Phase 2\n- [ ] b\n"
    assert [t.section_path for t in _tasks(text)] == [
        ("Plan", "Phase 1", "Setup"),
        ("Plan", "Phase 2"),
    ]


def test_identical_titles_stay_separate_tasks():
    tasks = _tasks("## A\n- [ ] Write tests\n## B\n- [ ] Write tests\n- [ ] Write tests\n")
    assert [t.order for t in tasks] == [0, 1, 2]
    assert {t.title for t in tasks} == {"Write tests"}


def test_every_task_records_the_source_path():
    assert {t.file_path for t in _tasks("- [ ] a\n- ✅ b\n")} == {"docs/plan.md"}


def test_headings_are_recorded_with_level_and_line():
    plan = parse_plan("# Plan\n\n## Phase *one*\n", source_path="p.md")
    assert [(h.level, h.text, h.line) for h in plan.headings] == [
        (1, "Plan", 1),
        (2, "Phase one", 3),
    ]


def test_custom_markers_replace_and_extend_the_defaults():
    markers = DEFAULT_MARKERS.with_overrides(
        checkboxes={"?": BLOCKED, "~": TODO}, emoji={"🟢": DONE}
    )
    tasks = _tasks("- [?] a\n- [~] b\n- [!] d\n", markers=markers)
    assert [t.status for t in tasks] == [BLOCKED, TODO, BLOCKED]
    tasks = _tasks("- 💤 a\n- 🟢 c\n", markers=markers.with_overrides(emoji={"💤": BLOCKED}))
    assert [t.status for t in tasks] == [BLOCKED, DONE]


def test_markers_reject_an_unknown_status():
    with pytest.raises(ValueError, match="status"):
        StatusMarkers(checkboxes={"?": "maybe"})


def test_status_table_rows_become_tasks_with_the_title_column():
    text = (
        "| Owner | Feature | Status |\n|---|---|---|\n| ana | Login | ✅ |\n| bo | Export | WIP |\n"
    )
    assert [(t.title, t.status) for t in _tasks(text)] == [("Login", DONE), ("Export", DOING)]


def test_table_without_a_title_header_uses_the_first_text_column():
    text = "| # | What | State |\n|---|---|---|\n| 1 | Backups | Todo |\n"
    assert [(t.title, t.status) for t in _tasks(text)] == [("Backups", TODO)]


def test_unrecognised_table_status_counts_as_todo_with_a_warning():
    plan = parse_plan("| Task | Status |\n|---|---|\n| a | maybe later |\n", source_path="p.md")
    assert [t.status for t in plan.tasks] == [TODO]
    assert "maybe later" in plan.warnings[0] and "p.md:1" in plan.warnings[0]


def test_checkboxes_in_block_quotes_are_reported_as_not_counted():
    plan = parse_plan("> - [ ] a\n> - [x] b\n", source_path="p.md")
    assert plan.tasks == () and "2 checkbox item(s)" in plan.warnings[0]


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Done", DONE),
        ("complete", DONE),
        ("Completed", DONE),
        ("✅", DONE),
        ("Yes", DONE),
        ("[x]", DONE),
        ("In progress", DOING),
        ("doing", DOING),
        ("WIP", DOING),
        ("🔄", DOING),
        ("🚧 building", DOING),
        ("Blocked", BLOCKED),
        ("❌", TODO),
        ("Cancelled", "cancelled"),
        ("Implemented", DONE),
        ("Merged", DONE),
        ("🚫", BLOCKED),
        ("Todo", TODO),
        ("To do", TODO),
        ("Planned", TODO),
        ("Not started", TODO),
        ("Pending", TODO),
        ("⏳", DOING),
        ("", TODO),
        ("**Done**", DONE),
        ("100%", DONE),
        ("55 %", DOING),
        ("0%", TODO),
        ("perhaps", None),
    ],
)
def test_table_cell_status_maps_words_emoji_and_percentages(cell, status):
    assert table_cell_status(cell) == status


def test_a_five_thousand_line_plan_parses_with_exact_lines():
    text = "".join(f"- [{'x' if i % 2 else ' '}] task {i}\n" for i in range(5000))
    tasks = _tasks(text)
    assert len(tasks) == 5000
    assert tasks[4321].line == 4322 and tasks[4321].title == "task 4321"


def test_indented_child_of_a_bare_box_item_is_still_a_task():
    # pulldown-cmark closes the "10. [ ]" item at the blank line; GitHub does not.
    tasks = _tasks("10. [ ]\n\n    - [ ] child\n- [x] next\n")
    assert [(t.title, t.line, t.depth) for t in tasks] == [("child", 3, 0), ("next", 4, 0)]


def test_task_item_holding_a_setext_heading_is_a_task():
    tasks = _tasks("- [x] Heading title\n  ---\n- [ ] next\n")
    assert [(t.title, t.status) for t in tasks] == [("Heading title", DONE), ("next", TODO)]


def test_tasks_built_from_columns_equal_tasks_built_one_by_one():
    rows = [("a", TODO, ("P",), 0, None, "p.md", 3, 0), ("b", DONE, ("P",), 1, 0, "p.md", 4, 1)]
    built = tasks_from_columns(*zip(*rows, strict=True))
    assert built == tuple(Task(*row) for row in rows)
    with pytest.raises(FrozenInstanceError):
        built[0].title = "changed"


def test_line_after_a_bare_box_continues_its_paragraph_as_on_github():
    assert [t.title for t in _tasks("- [ ]\n  2) [ ] not a list\n- [ ] real\n")] == ["real"]
