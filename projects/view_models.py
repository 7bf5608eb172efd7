"""Page view models for the projects app: the values the dashboard and project pages render.

Built by ``projects.selectors`` from what it reads; templates display them and
compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import Project, TaskStatus


@dataclass(frozen=True, slots=True)
class PhaseBar:
    title: str
    done: int
    total: int

    @property
    def percentage(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0


@dataclass(frozen=True, slots=True)
class ProjectCard:
    project: Project
    skills: tuple[str, ...]
    phases: tuple[PhaseBar, ...]
    refresh: object | None = None  # the live refresh state, attached by the page


# Above this many tasks the page opens with phases collapsed and each phase
# loads its tasks when opened, so the first response stays small.
LARGE_PLAN_TASKS = 300

TASK_STATUS_ICONS: dict[str, str] = {
    TaskStatus.DONE: "✓",
    TaskStatus.DOING: "◐",
    TaskStatus.BLOCKED: "✕",
    TaskStatus.TODO: "○",
}
_TASK_STATUS_LABELS: dict[str, str] = dict(TaskStatus.choices)


@dataclass(frozen=True, slots=True)
class TaskRow:
    title: str
    status: str
    depth: int
    file_path: str
    line: int
    url: str  # https link to the line, or "" for unknown hosts

    @property
    def status_label(self) -> str:
        return _TASK_STATUS_LABELS.get(self.status, self.status)

    @property
    def icon(self) -> str:
        return TASK_STATUS_ICONS.get(self.status, "?")


@dataclass(slots=True)
class PhaseView:
    index: int
    title: str
    key: int  # the stored phase index, used to load the phase's tasks
    total: int
    done: int
    doing: int
    blocked: int
    tasks: list[TaskRow] | None = None  # None: not loaded (large plan)

    @property
    def todo(self) -> int:
        return self.total - self.done - self.doing - self.blocked

    @property
    def percentage(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    @property
    def is_finished(self) -> bool:
        """Every task done: the page shows such a phase collapsed unless the reader opened it."""
        return bool(self.total) and self.done == self.total


@dataclass(frozen=True, slots=True)
class ProjectPlan:
    phases: list[PhaseView]
    total: int
    status_filter: str

    @property
    def is_large(self) -> bool:
        return self.total > LARGE_PLAN_TASKS
