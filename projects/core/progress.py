"""Progress and status of a parsed plan, and its report for people and scripts.

Phases (DESIGN.md, Contracts): for a plan read from several files (a
folder plan), each file with tasks is a phase, titled by its first heading
or else its file name. For a single file, the phases are the headings at
the shallowest level that holds two or more headings with tasks under
them; tasks outside those headings form a phase named after their closest
heading (or "Other tasks" when none is above them). When no level holds two
such headings, the whole plan is one phase, titled by the shallowest heading
with tasks (or the file name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from projects.core.plan_model import BLOCKED, DOING, DONE, TODO, Plan

if TYPE_CHECKING:
    from projects.core.plan_discovery import LoadedPlan

COMPLETE = "complete"
GREEN = "green"
YELLOW = "yellow"
RED = "red"
UNKNOWN = "unknown"
ARCHIVED = "archived"
OTHER_TASKS = "Other tasks"


@dataclass(frozen=True, slots=True)
class PhaseProgress:
    title: str
    total: int
    done: int
    doing: int
    blocked: int
    todo: int
    percentage: float


@dataclass(frozen=True, slots=True)
class Progress:
    """Overall counts, per-phase counts, and which phase each task belongs to."""

    total: int
    done: int
    doing: int
    blocked: int
    todo: int
    percentage: float
    phases: tuple[PhaseProgress, ...]
    task_phases: tuple[int, ...]

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def percent(done: int, total: int) -> float:
    """``done / total`` in percent, one decimal, rounded half up; 0.0 for no tasks.

    Never shows 100.0 unless everything is done (199 of 200 is 99.5, but
    1999 of 2000 would round to 100.0 and reads as 99.9).
    """
    if total <= 0:
        return 0.0
    tenths = (done * 2000 + total) // (2 * total)
    if done < total and tenths >= 1000:
        tenths = 999
    return tenths / 10


def _counts(statuses: list[str]) -> tuple[int, int, int, int, int]:
    done = statuses.count(DONE)
    doing = statuses.count(DOING)
    blocked = statuses.count(BLOCKED)
    return len(statuses), done, doing, blocked, statuses.count(TODO)


def _file_title(plan: Plan, path: str) -> str:
    first = next((h.text for h in plan.headings if h.file_path == path and h.text), None)
    return first or PurePosixPath(path).stem


def _heading_chains(plan: Plan) -> list[tuple[int, ...]]:
    """For each task, the indexes of the headings above it, outermost first."""
    file_rank = {path: i for i, path in enumerate(plan.files)}
    headings = plan.headings
    chains: list[tuple[int, ...]] = []
    stack: list[int] = []
    h = 0
    current: tuple[int, ...] = ()
    for task in plan.tasks:
        key = (file_rank.get(task.file_path, 0), task.line)
        changed = False
        while (
            h < len(headings) and (file_rank.get(headings[h].file_path, 0), headings[h].line) < key
        ):
            if stack and headings[stack[-1]].file_path != headings[h].file_path:
                stack.clear()
            while stack and headings[stack[-1]].level >= headings[h].level:
                stack.pop()
            stack.append(h)
            h += 1
            changed = True
        if stack and headings[stack[-1]].file_path != task.file_path:
            stack.clear()
            changed = True
        if changed:
            current = tuple(stack)
        chains.append(current)
    return chains


def _phase_keys(plan: Plan) -> tuple[list[str], list[int]]:
    """Phase titles in order of appearance, and the phase index of each task."""
    titles: list[str] = []
    index: dict[object, int] = {}
    assignment: list[int] = []

    def phase_of(key: object, title: str) -> int:
        if key not in index:
            index[key] = len(titles)
            titles.append(title)
        return index[key]

    if len(plan.files) > 1:
        for task in plan.tasks:
            assignment.append(phase_of(task.file_path, _file_title(plan, task.file_path)))
        return titles, assignment

    headings = plan.headings
    chains = _heading_chains(plan)
    with_tasks: set[int] = {h for chain in chains for h in chain}
    level = next(
        (lv for lv in range(1, 7) if sum(1 for h in with_tasks if headings[h].level == lv) >= 2),
        None,
    )
    if level is None:
        shallowest = min(with_tasks, key=lambda h: (headings[h].level, h), default=None)
        title = (
            headings[shallowest].text
            if shallowest is not None
            else _file_title(plan, plan.files[0] if plan.files else "plan")
        )
        return [title] * bool(plan.tasks), [0] * len(plan.tasks)
    for chain in chains:
        phase = next((h for h in chain if headings[h].level == level), None)
        if phase is not None:
            assignment.append(phase_of(phase, headings[phase].text))
        elif chain:
            assignment.append(phase_of(("other", chain[-1]), headings[chain[-1]].text))
        else:
            assignment.append(phase_of("other", OTHER_TASKS))
    return titles, assignment


def compute_progress(plan: Plan) -> Progress:
    """Count tasks per status overall and per phase (see the module docstring)."""
    titles, assignment = _phase_keys(plan)
    per_phase: list[list[str]] = [[] for _ in titles]
    for task, phase in zip(plan.tasks, assignment, strict=True):
        per_phase[phase].append(task.status)
    phases = []
    for title, statuses in zip(titles, per_phase, strict=True):
        total, done, doing, blocked, todo = _counts(statuses)
        phases.append(PhaseProgress(title, total, done, doing, blocked, todo, percent(done, total)))
    total, done, doing, blocked, todo = _counts([t.status for t in plan.tasks])
    return Progress(
        total, done, doing, blocked, todo, percent(done, total), tuple(phases), tuple(assignment)
    )


def project_status(
    progress: Progress | None,
    *,
    last_commit_at: datetime | None,
    now: datetime,
    stale_after_days: int = 14,
    green_at: float = 70,
    yellow_at: float = 30,
    archived: bool = False,
) -> str:
    """The project's status word, as DESIGN.md's Contracts define it.

    ``archived`` wins; no progress yet or a plan without tasks is
    ``unknown`` (an empty plan is not 0 % red); everything done is
    ``complete`` and never stale; no commit for more than
    ``stale_after_days`` is ``red``; otherwise ``green`` needs
    ``green_at`` % and nothing blocked, ``yellow`` needs ``yellow_at`` %
    and at most one blocked task, and the rest is ``red``.
    """
    if archived:
        return ARCHIVED
    if progress is None or progress.total == 0:
        return UNKNOWN
    if progress.done == progress.total:
        return COMPLETE
    if last_commit_at is not None and now - last_commit_at > timedelta(days=stale_after_days):
        return RED
    if progress.percentage >= green_at and progress.blocked == 0:
        return GREEN
    if progress.percentage >= yellow_at and progress.blocked <= 1:
        return YELLOW
    return RED


def status_message(loaded: LoadedPlan, progress: Progress) -> str:
    """One line for users; the empty plan says where nothing was found."""
    if progress.total == 0:
        return f"no tasks found in {loaded.label}"
    return f"{progress.done} of {progress.total} tasks done ({progress.percentage:.1f} %)"


def plan_report(loaded: LoadedPlan, progress: Progress, status: str) -> dict:
    """The JSON-ready report of ``manage.py plan --json`` (plain values only)."""
    plan = loaded.plan
    titles = [p.title for p in progress.phases]
    return {
        "plan_files": list(loaded.files),
        "total": progress.total,
        "done": progress.done,
        "doing": progress.doing,
        "blocked": progress.blocked,
        "todo": progress.todo,
        "percentage": progress.percentage,
        "status": status,
        "message": status_message(loaded, progress),
        "plan": loaded.label,
        "warnings": list(loaded.warnings),
        "candidates": [c.as_json() for c in loaded.candidates],
        "phases": [
            {
                "title": p.title,
                "total": p.total,
                "done": p.done,
                "doing": p.doing,
                "blocked": p.blocked,
                "todo": p.todo,
                "percentage": p.percentage,
            }
            for p in progress.phases
        ],
        "tasks": [
            {
                "title": t.title,
                "status": t.status,
                "phase": titles[phase],
                "section_path": list(t.section_path),
                "depth": t.depth,
                "parent": t.parent,
                "file": t.file_path,
                "line": t.line,
            }
            for t, phase in zip(plan.tasks, progress.task_phases, strict=True)
        ],
    }


_BOX = {DONE: "[x]", DOING: "[~]", BLOCKED: "[!]", TODO: "[ ]"}


def _bar(percentage: float, width: int = 20) -> str:
    filled = int(percentage / 100 * width)
    return "#" * filled + "." * (width - filled)


def format_plan_text(report: dict, *, show_tasks: bool = True) -> str:
    """Human-readable rendering of :func:`plan_report`'s dict for the terminal."""
    lines = [
        f"Plan: {', '.join(report['plan_files'])}",
        f"Status: {report['status']} - {report['message']}",
        f"Tasks: {report['total']} total, {report['done']} done, {report['doing']} doing, "
        f"{report['blocked']} blocked, {report['todo']} todo",
    ]
    lines += [f"Warning: {w}" for w in report["warnings"]]
    others = [c for c in report.get("candidates", ()) if not c["chosen"]]
    if others:
        lines.append(
            "Other candidates: "
            + "; ".join(f"{c['label']} ({c['done']}/{c['tasks']} tasks)" for c in others)
        )
    if report["phases"]:
        lines.append("")
        width = min(max(len(p["title"]) for p in report["phases"]), 48)
        for p in report["phases"]:
            title = p["title"] if len(p["title"]) <= width else p["title"][: width - 1] + "…"
            lines.append(
                f"{title:<{width}}  {_bar(p['percentage'])} {p['percentage']:5.1f} %  "
                f"{p['done']}/{p['total']}"
            )
    if show_tasks and report["tasks"]:
        lines.append("")
        phase = None
        for t in report["tasks"]:
            if t["phase"] != phase:
                phase = t["phase"]
                lines.append(f"{phase}")
            indent = "  " * (t["depth"] + 1)
            lines.append(
                f"{indent}{_BOX.get(t['status'], '[?]')} {t['title']}  ({t['file']}:{t['line']})"
            )
    return "\n".join(lines) + "\n"
