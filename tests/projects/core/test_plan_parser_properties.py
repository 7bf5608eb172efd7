"""Property tests: generated task lists count as GitHub's cmark-gfm counts them,
and nothing inside a code block is ever a task."""

from __future__ import annotations

import cmarkgfm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from projects.core.plan_model import DONE, TODO, StatusMarkers
from projects.core.plan_parser import parse_plan

# GitHub's three checkboxes only, so that the comparison with cmark-gfm is exact.
GFM_ONLY = StatusMarkers(checkboxes={" ": TODO, "x": DONE, "X": DONE}, emoji={})

BULLETS = ["-", "*", "+", "1.", "2)", "10."]
BOXES = ["[ ]", "[x]", "[X]", "[ x]", "[xx]", "[~]", "[!]", "", "\\[ ]"]
AFTER_BOX = [" ", "  ", "\t"]
WORDS = st.text(alphabet="abc XYZ*_`[]#>!", min_size=0, max_size=12)


@st.composite
def task_lists(draw):
    lines: list[str] = []
    widths: list[int] = []  # content offset of each open nesting level
    for _ in range(draw(st.integers(1, 12))):
        depth = draw(st.integers(0, len(widths)))
        del widths[depth:]
        indent = sum(widths)
        bullet = draw(st.sampled_from(BULLETS))
        box = draw(st.sampled_from(BOXES))
        text = draw(WORDS)
        if not box:
            # Well-formed input only: text opening with brackets would be a
            # malformed box, which RepoTrackr counts on purpose and GitHub does not.
            text = text.lstrip("[")
        line = (
            " " * indent
            + bullet
            + " "
            + box
            + (draw(st.sampled_from(AFTER_BOX)) if box else "")
            + text
        )
        lines.append(line.rstrip("\n"))
        widths.append(len(bullet) + 1)
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append("")  # loose lists
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 4)) == 0:
        text = "".join("> " + line + "\n" for line in text.splitlines())
    return text


def _github_count(text: str) -> int:
    return cmarkgfm.github_flavored_markdown_to_html(text).count('type="checkbox"')


@settings(max_examples=500, deadline=None)
@given(task_lists())
# Cases where pyromark alone reads differently (both found by this test):
@example("10. [ ]\n\n    - [ ] \n- [ ] \n")  # bare box, blank line, indented child
@example("- [ ] >\n  2) [ ] \n  - \n- [ ] \n")  # setext heading inside a task item
@example("- [ ]\n  2) [ ] \n- [ ] \n")  # a bare box's paragraph absorbs "2)" on GitHub
def test_generated_task_list_counts_as_github_counts(text):
    plan = parse_plan(text, source_path="plan.md", markers=GFM_ONLY)
    assert len(plan.tasks) == _github_count(text)


TASKY_LINES = st.lists(
    st.sampled_from(
        [
            "- [ ] fake",
            "- [x] fake",
            "* [~] fake",
            "1. [!] fake",
            "- ✅ fake",
            "| Task | Status |",
            "|---|---|",
            "| a | Done |",
            "",
            "# heading",
            "> - [ ] quoted",
            "    - [ ] deep",
            "text",
        ]
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=200, deadline=None)
@given(TASKY_LINES, st.sampled_from(["```", "~~~", "````", "indented"]), st.booleans())
def test_nothing_inside_a_code_block_is_a_task(body, fence, real_tasks_around):
    before = "# Plan\n\n- [x] real before\n\n" if real_tasks_around else "# Plan\n\n"
    after = "\n- [ ] real after\n" if real_tasks_around else ""
    if fence == "indented":
        block = "".join("    " + line + "\n" for line in body)
        # An indented block must not start or be read as a list continuation.
        block = "Some paragraph.\n\n" + block if not real_tasks_around else "Para.\n\n" + block
    else:
        block = fence + "markdown\n" + "".join(line + "\n" for line in body) + fence + "\n"
    text = before + block + after
    plan = parse_plan(text, source_path="plan.md")
    assert [t.title for t in plan.tasks] == (
        ["real before", "real after"] if real_tasks_around else []
    )
