"""Build realistic project data straight through the models, for page tests and benchmarks.

The refresh pipeline normally writes tasks, skills and snapshots; page tests
need that data without running it.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jobs.models import JobStatus, RefreshHistory, RefreshTrigger
from projects.models import ProgressSnapshot, Project, ProjectStatus, Task, TaskStatus
from skills.models import Skill, SkillCategory

_CYCLE = (TaskStatus.DONE, TaskStatus.DONE, TaskStatus.DOING, TaskStatus.TODO, TaskStatus.BLOCKED)


def make_project(
    owner, name: str, *, repo_url: str = "https://github.com/acme/widgets.git", **fields
) -> Project:
    """A saved project; extra ``fields`` (status, percentage, ...) are written as the pipeline would."""
    project = Project(owner=owner, name=name, repo_url=repo_url, refresh_interval_hours=6)
    project.save()
    if fields:
        Project.objects.filter(pk=project.pk).update(**fields)
        project.refresh_from_db()
    return project


def add_plan(
    project: Project, *, phases: int = 3, tasks_per_phase: int = 5, titles=None
) -> list[Task]:
    """Tasks in ``phases`` phases, statuses cycling, every third one nested; counts stored on the project."""
    tasks = []
    order = 0
    for p in range(1, phases + 1):
        for t in range(1, tasks_per_phase + 1):
            order += 1
            title = titles[order - 1] if titles and order <= len(titles) else f"Task {p}.{t}"
            tasks.append(
                Task(
                    project=project,
                    title=title,
                    status=_CYCLE[order % len(_CYCLE)],
                    section_path=[f"Phase {p}"],
                    phase=f"Phase {p}: step {p}",
                    phase_index=p - 1,
                    depth=1 if t % 3 == 0 else 0,
                    file_path="docs/plan.md",
                    line=order * 2 + p,
                    order=order,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=2000)
    add_snapshot_of_tasks(project, tasks)
    counts = {s: sum(1 for t in tasks if t.status == s) for s in TaskStatus.values}
    total = len(tasks)
    pct = round(100 * counts["done"] / total, 1) if total else 0.0
    Project.objects.filter(pk=project.pk).update(
        total_tasks=total,
        done_tasks=counts["done"],
        doing_tasks=counts["doing"],
        blocked_tasks=counts["blocked"],
        todo_tasks=counts["todo"],
        percentage=pct,
        status=ProjectStatus.YELLOW if pct >= 30 else ProjectStatus.RED,
        last_commit_sha="0123456789abcdef0123456789abcdef01234567",
        last_commit_at=timezone.now() - timedelta(days=1),
        last_refreshed_at=timezone.now() - timedelta(hours=3),
    )
    project.refresh_from_db()
    return tasks


def add_snapshot_of_tasks(project: Project, tasks: list[Task]) -> ProgressSnapshot:
    """A snapshot with per-phase counts of ``tasks``, shaped as the refresh pipeline writes it."""
    phases: dict[str, dict] = {}
    for task in tasks:
        row = phases.setdefault(
            task.phase,
            {"title": task.phase, "total": 0, "done": 0, "doing": 0, "blocked": 0, "todo": 0},
        )
        row["total"] += 1
        row[task.status] += 1
    for row in phases.values():
        row["percentage"] = round(100 * row["done"] / row["total"], 1)
    done = sum(t.status == TaskStatus.DONE for t in tasks)
    return ProgressSnapshot.objects.create(
        project=project,
        total=len(tasks),
        done=done,
        status=project.status,
        percentage=round(100 * done / len(tasks), 1) if tasks else 0.0,
        phases=list(phases.values()),
    )


def add_skills(project: Project) -> None:
    """A typical small web project's skills, with evidence and language shares."""
    Skill.objects.bulk_create(
        [
            Skill(
                project=project,
                name="Python",
                category=SkillCategory.LANGUAGE,
                confidence=1.0,
                evidence=[{"file": "app/main.py", "line": 1}],
                bytes=70000,
                byte_share=0.7,
            ),
            Skill(
                project=project,
                name="JavaScript",
                category=SkillCategory.LANGUAGE,
                confidence=1.0,
                evidence=["static/app.js"],
                bytes=20000,
                byte_share=0.2,
            ),
            Skill(
                project=project,
                name="CSS",
                category=SkillCategory.LANGUAGE,
                confidence=1.0,
                evidence=["static/site.css"],
                bytes=10000,
                byte_share=0.1,
            ),
            Skill(
                project=project,
                name="Django",
                category=SkillCategory.FRAMEWORK,
                confidence=0.95,
                version="5.2",
                evidence=[{"file": "requirements.txt", "line": 1}],
            ),
            Skill(
                project=project,
                name="PostgreSQL",
                category=SkillCategory.DATABASE,
                confidence=0.8,
                evidence=[{"file": "docker-compose.yml", "line": 4}],
            ),
            Skill(
                project=project,
                name="GitHub Actions",
                category=SkillCategory.CI_CD,
                confidence=0.9,
                evidence=[{"file": ".github/workflows/ci.yml", "line": 1}],
            ),
        ]
    )


def add_history(project: Project, *, user, percentages=(10.0, 25.0, 40.0, 52.5)) -> None:
    """Snapshots a day apart and a completed refresh for each."""
    now = timezone.now()
    for i, pct in enumerate(percentages):
        when = now - timedelta(days=len(percentages) - i)
        snap = ProgressSnapshot.objects.create(
            project=project, percentage=pct, status=project.status, total=20
        )
        ProgressSnapshot.objects.filter(pk=snap.pk).update(created_at=when)
        entry = RefreshHistory.objects.create(
            project=project,
            user=user,
            trigger=RefreshTrigger.MANUAL,
            status=JobStatus.COMPLETED,
            completed_at=when,
            duration_seconds=1.5 + i,
            result={"status": "success", "progress_percentage": pct, "unchanged": False},
        )
        RefreshHistory.objects.filter(pk=entry.pk).update(created_at=when)
