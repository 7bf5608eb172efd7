"""Which files and folders of a repository could be its plan, and in what order.

Pure functions over the repository's path listing (docs/plan-format.md,
"Candidates"): names, places, exclusions, templates, planning-folder
indexes, README plan sections, and the precedence that ranks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from projects.core.plan_model import Heading, Plan

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Name rank: lower wins (the task count only breaks ties).
NAME_RANKS = {
    "plan": 0,
    "roadmap": 1,
    "todo": 2,
    "to-do": 2,
    "to_do": 2,
    "tasks": 4,
    "milestones": 5,
    "status": 6,
}
FOLDER_RANK = 3
TITLED_RANK = 7  # a root file whose first heading names a roadmap or plan
README_RANK = 8
# Folders read as one plan, a file per phase, at most two folders down
# (`planning/`, `docs/planning/`, `Plans/subplans/`), in any case.
PLANNING_FOLDER_NAMES = frozenset({"planning", "plans", "phases", "subplans"})
MAX_FOLDER_DEPTH = 2
TOP_PLACES = frozenset({"", "docs", "documentation", ".planning"})
MAX_DEPTH = 3
MAX_CANDIDATES = 20
_EXCLUDED_DIRS = frozenset(
    {"vendor", "third_party", "node_modules", "test", "tests", "fixtures", "testdata", "__tests__"}
)
_TEMPLATE_NAME = re.compile(r"template", re.IGNORECASE)
_TEMPLATE_TEXT = re.compile(r"\btemplates?\b", re.IGNORECASE)
_INDEX_NAMES = frozenset({"readme", "index", "overview", "_index"})
_README = re.compile(r"^readme(\.(md|markdown|mdown|txt))?$", re.IGNORECASE)
_SECTION = re.compile(
    r"^(?:[\w-]+\s+){0,2}(roadmap|plan|todos?|to[ -]?do|tasks|status|progress|milestones|"
    r"future plans|features)(?:\s+[\w&-]+){0,2}$",
    re.IGNORECASE,
)
_CHECKBOX_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s")
_ANCHOR_LINK = re.compile(r"\]\(#")


@dataclass(frozen=True, slots=True)
class CandidatePath:
    """A file or folder discovery may read; ``rank`` orders them before parsing."""

    path: str
    kind: str  # "file" or "folder"
    name_rank: int
    place_rank: int


def is_excluded(path: str) -> bool:
    """Vendored code, dependencies, issue templates, hidden folders and test fixtures."""
    parts = path.split("/")
    lowered = [p.lower() for p in parts[:-1]]
    if lowered[:2] == [".github", "issue_template"]:
        return True
    for part in lowered:
        if part in _EXCLUDED_DIRS or (
            part.startswith(".") and part not in (".github", ".planning")
        ):
            return True
    return False


def is_template_name(path: str) -> bool:
    return bool(_TEMPLATE_NAME.search(PurePosixPath(path).name))


def says_it_is_a_template(text: str) -> bool:
    """A file whose first heading or first three lines call it a template."""
    lines = [line for line in text.splitlines()[:40] if line.strip()][:3]
    return any(_TEMPLATE_TEXT.search(line) for line in lines)


def _place_rank(folder: str) -> int:
    if folder.lower() in TOP_PLACES:
        return 0
    if folder == ".github":
        return 1
    return 1 + folder.count("/") + 1


def candidate_paths(paths: list[str]) -> list[CandidatePath]:
    """Plan files and planning folders in the listing, best first, at most 20."""
    found: list[CandidatePath] = []
    folders: set[str] = set()
    for path in paths:
        pure = PurePosixPath(path)
        folder = str(pure.parent) if pure.parent != PurePosixPath(".") else ""
        if (
            pure.parent.name.lower() in PLANNING_FOLDER_NAMES
            and folder.count("/") < MAX_FOLDER_DEPTH
            and path.lower().endswith(MARKDOWN_SUFFIXES)
            and not is_excluded(path)
        ):
            folders.add(folder)
        if not path.lower().endswith(MARKDOWN_SUFFIXES) or is_excluded(path):
            continue
        rank = NAME_RANKS.get(pure.stem.lower())
        if rank is None or is_template_name(path) or path.count("/") > MAX_DEPTH:
            continue
        found.append(CandidatePath(path, "file", rank, _place_rank(folder)))
    for folder in sorted(folders):
        found.append(CandidatePath(folder, "folder", FOLDER_RANK, 0))
    found.sort(key=lambda c: (c.name_rank, c.place_rank, c.path))
    return found[:MAX_CANDIDATES]


def planning_folder_split(files: dict[str, str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a planning folder's files (path → text) into phase files and left-out ones.

    Returns the phase files in name order and ``(path, reason)`` for each
    index that restates the phases and each template.
    """
    phases: list[str] = []
    left_out: list[tuple[str, str]] = []
    names = {PurePosixPath(p).name for p in files}
    for path in sorted(files):
        text = files[path]
        name = PurePosixPath(path).name
        if is_template_name(path) or says_it_is_a_template(text):
            left_out.append((path, "template"))
            continue
        siblings = sum(1 for other in names if other != name and other in text)
        if PurePosixPath(path).stem.lower() in _INDEX_NAMES or siblings >= 2:
            left_out.append((path, "index of the phases"))
            continue
        phases.append(path)
    return phases, left_out


_TITLE_WORDS = re.compile(r"\b(roadmap|plan|todo|to-do|milestones)\b", re.IGNORECASE)


def titled_plan(path: str, text: str) -> bool:
    """A root Markdown file whose first heading names a roadmap or plan ("Project Roadmap")."""
    for line in text.splitlines()[:30]:
        if line.startswith("#"):
            return bool(_TITLE_WORDS.search(line)) and not _TEMPLATE_TEXT.search(line)
    return False


def root_markdown(paths: list[str]) -> list[str]:
    """Root Markdown files other than plan-named ones and READMEs, at most twenty."""
    found = [
        p
        for p in paths
        if "/" not in p
        and p.lower().endswith(MARKDOWN_SUFFIXES)
        and PurePosixPath(p).stem.lower() not in NAME_RANKS
        and not _README.match(p)
    ]
    return sorted(found)[:MAX_CANDIDATES]


def root_readmes(paths: list[str]) -> list[str]:
    readmes = [p for p in paths if "/" not in p and _README.match(p)]
    return sorted(readmes, key=lambda p: (not p.lower().endswith(".md"), p))


def _plain(text: str) -> str:
    kept = "".join(c if c.isalnum() or c in " &-" else " " for c in text)
    return " ".join(kept.split())


def section_matches(heading: str) -> str | None:
    """The plan word of a README heading ("roadmap"), or None."""
    match = _SECTION.match(_plain(heading))
    return match.group(1).lower() if match else None


@dataclass(frozen=True, slots=True)
class ReadmeChoice:
    """What to take from a README: one section (``heading``) or the whole file (None)."""

    heading: int | None
    skipped: tuple[str, ...]


def choose_readme_section(plan: Plan, text: str) -> ReadmeChoice | None:
    """The README section to read as the plan, following the README rules.

    Sections are tried in order; a table of contents or any section without
    tasks is skipped (and named in ``skipped``); Features counts only with
    checkboxes. When headings match but none has tasks and the README has
    some, the whole README is the plan. ``None``: nothing to take.
    """
    lines = text.splitlines()
    skipped: list[str] = []
    matched = False
    for index, heading in enumerate(plan.headings):
        word = section_matches(heading.text)
        if word is None:
            continue
        matched = matched or word != "features"
        end = section_end(plan.headings, index)
        tasks = [t for t in plan.tasks if heading.line < t.line < end]
        if word == "features":
            tasks = [t for t in tasks if _CHECKBOX_LINE.match(lines[t.line - 1])]
        if tasks:
            return ReadmeChoice(index, tuple(skipped))
        body = lines[heading.line : int(min(end, len(lines) + 1)) - 1]
        toc = sum(1 for line in body if _ANCHOR_LINK.search(line))
        reason = "a table of contents" if toc >= 2 else "no tasks"
        skipped.append(f"section {heading.text!r} (line {heading.line}): {reason}")
    if matched and plan.tasks:
        return ReadmeChoice(None, tuple(skipped))
    return None


def section_end(headings: tuple[Heading, ...], index: int) -> float:
    heading = headings[index]
    return next(
        (h.line for h in headings[index + 1 :] if h.level <= heading.level),
        float("inf"),
    )
