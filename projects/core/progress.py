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

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from projects.core.plan_model import BLOCKED, DOING, DONE, TODO, Plan
from projects.core.status_vocabulary import (
    ARCHIVED,
    COMPLETE,
    GREEN,
    NO_PLAN,
    RED,
    STALE,
    UNKNOWN,
    YELLOW,
    status_label,
    status_tone,
)

if TYPE_CHECKING:
    from projects.core.plan_config import PlanConfig
    from projects.core.plan_discovery import LoadedPlan

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


# --- Project status (DESIGN.md, Contracts, "Project status") -------------------


@dataclass(frozen=True, slots=True)
class StatusThresholds:
    """The numbers the status rules use: site settings, overridden per repository."""

    stale_after_days: int = 14
    green_at: float = 70.0
    yellow_at: float = 30.0

    def overridden_by(self, config: PlanConfig | None) -> StatusThresholds:
        """These thresholds with the ones a ``repotrackr.yml`` sets put in their place."""
        if config is None:
            return self

        def pick(override, default):
            return default if override is None else override

        return replace(
            self,
            stale_after_days=pick(config.stale_after_days, self.stale_after_days),
            green_at=pick(config.green_at, self.green_at),
            yellow_at=pick(config.yellow_at, self.yellow_at),
        )

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object, *, fallback: StatusThresholds) -> StatusThresholds:
        """Thresholds stored by ``as_json``; a missing or ill-typed value takes ``fallback``'s."""
        stored = data if isinstance(data, dict) else {}

        def pick(name: str):
            value = stored.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return getattr(fallback, name)
            return value

        return cls(
            stale_after_days=int(pick("stale_after_days")),
            green_at=float(pick("green_at")),
            yellow_at=float(pick("yellow_at")),
        )


def is_stale(last_commit_at: datetime | None, *, now: datetime, stale_after_days: int) -> bool:
    """No commit for more than ``stale_after_days`` (exactly that many days is not stale yet).

    An unknown commit time is never stale: nothing says the work stopped.
    """
    return last_commit_at is not None and now - last_commit_at > timedelta(days=stale_after_days)


def project_status(
    progress: Progress | None,
    *,
    thresholds: StatusThresholds,
    last_commit_at: datetime | None,
    now: datetime,
    refreshed: bool = True,
    archived: bool = False,
) -> str:
    """The project's status word; the first rule that applies wins.

    1. ``archived`` when the owner archived it;
    2. ``unknown`` when no refresh has succeeded yet (``refreshed`` false);
    3. ``no_plan`` when the last success found no plan (``progress`` is
       ``None``) or a plan without tasks;
    4. ``complete`` when every task is done (never stale);
    5. ``stale`` when the last commit is older than ``stale_after_days``;
    6. ``green`` from ``green_at`` % with nothing blocked, ``yellow`` from
       ``yellow_at`` % with at most one task blocked, else ``red``.
    """
    if archived:
        return ARCHIVED
    if not refreshed:
        return UNKNOWN
    if progress is None or progress.total == 0:
        return NO_PLAN
    if progress.done == progress.total:
        return COMPLETE
    if is_stale(last_commit_at, now=now, stale_after_days=thresholds.stale_after_days):
        return STALE
    if progress.percentage >= thresholds.green_at and progress.blocked == 0:
        return GREEN
    if progress.percentage >= thresholds.yellow_at and progress.blocked <= 1:
        return YELLOW
    return RED


def status_message(
    status: str, *, progress: Progress | None, plan_label: str, thresholds: StatusThresholds
) -> str:
    """One line saying why the project has its status, for the page, the API and the CLI.

    ``plan_label`` names the plan that was read (``""`` when none was found).
    """
    if progress is None or progress.total == 0:
        return f"no tasks found in {plan_label}" if plan_label else "no plan found"
    message = f"{progress.done} of {progress.total} tasks done ({progress.percentage:.1f} %)"
    if status == STALE:
        message += f"; no commit for more than {thresholds.stale_after_days} days"
    return message


def _report_warnings(loaded: LoadedPlan | None, progress: Progress | None) -> list[str]:
    if loaded is None:
        return []
    warnings = list(loaded.warnings)
    if progress is not None and progress.total == 0:
        # A plan without tasks is no_plan, not 0 % done: say why.
        warnings.append(f"no tasks found in {loaded.label}: the status is no_plan")
    return warnings


def plan_report(
    loaded: LoadedPlan | None,
    progress: Progress | None,
    status: str,
    *,
    message: str,
    last_commit_at: datetime | None = None,
    searched: tuple[str, ...] = (),
) -> dict:
    """The JSON-ready report of ``manage.py plan --json`` (plain values only).

    ``loaded`` and ``progress`` are ``None`` when no plan was found; ``searched``
    then says where discovery looked.
    """
    report: dict = {
        "plan_files": list(loaded.files) if loaded is not None else [],
        "status": status,
        "status_label": status_label(status),
        "message": message,
        "last_commit_at": last_commit_at.isoformat() if last_commit_at is not None else None,
        "warnings": _report_warnings(loaded, progress),
        "searched": list(searched),
    }
    if progress is None or loaded is None:
        zero = {"total": 0, "done": 0, "doing": 0, "blocked": 0, "todo": 0, "percentage": 0.0}
        return {**report, **zero, "plan": "", "candidates": [], "phases": [], "tasks": []}
    titles = [p.title for p in progress.phases]
    return {
        **report,
        "total": progress.total,
        "done": progress.done,
        "doing": progress.doing,
        "blocked": progress.blocked,
        "todo": progress.todo,
        "percentage": progress.percentage,
        "plan": loaded.label,
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
            for t, phase in zip(loaded.plan.tasks, progress.task_phases, strict=True)
        ],
    }


_BOX = {DONE: "[x]", DOING: "[~]", BLOCKED: "[!]", TODO: "[ ]"}


def _bar(percentage: float, width: int = 20) -> str:
    filled = int(percentage / 100 * width)
    return "#" * filled + "." * (width - filled)


def _plain(text: str, tone: str) -> str:
    return text


def format_plan_text(
    report: dict, *, show_tasks: bool = True, paint: Callable[[str, str], str] = _plain
) -> str:
    """Human-readable rendering of :func:`plan_report`'s dict for the terminal.

    ``paint(text, tone)`` colours the status label (the CLI passes a painter
    when its output is a terminal).
    """
    status = paint(report["status_label"], status_tone(report["status"]))
    lines = [
        f"Plan: {', '.join(report['plan_files']) or 'none found'}",
        f"Status: {status} ({report['status']}) - {report['message']}",
    ]
    if report["searched"]:
        lines.append(f"Looked for: {', '.join(report['searched'])}")
    if report["plan_files"]:
        lines.append(
            f"Tasks: {report['total']} total, {report['done']} done, {report['doing']} doing, "
            f"{report['blocked']} blocked, {report['todo']} todo"
        )
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
