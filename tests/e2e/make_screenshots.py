"""``make screenshots``: the README's pictures of the dashboard and a project page.

Not collected by ``make test`` (the name does not start with ``test_``); run
on purpose, it rewrites docs/screenshots/ (dashboard and project page; desktop and
phone; light and dark) from a fixed, realistic data set.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs.models import JobRecord, JobStatus, RefreshHistory, RefreshTrigger
from projects.models import ProgressSnapshot, Project, ProjectStatus, Task, TaskStatus
from skills.models import Skill, SkillCategory
from tests.ui_data import add_snapshot_of_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHA = "9f3c2a1b7d4e5f60718293a4b5c6d7e8f9012345"

PROJECTS = [
    # name, repo, status, done, doing, blocked, todo, stale, refreshed hours ago, skills
    (
        "RepoTrackr",
        "https://github.com/acme/repotrackr.git",
        ProjectStatus.GREEN,
        58,
        6,
        0,
        14,
        False,
        2,
        ["Python", "Django", "PostgreSQL", "Redis", "GitHub Actions"],
    ),
    (
        "Garden planner",
        "https://gitlab.com/me/garden-planner.git",
        ProjectStatus.YELLOW,
        21,
        4,
        1,
        24,
        False,
        5,
        ["TypeScript", "React", "Vite", "SQLite"],
    ),
    (
        "Home lab",
        "https://github.com/me/homelab.git",
        ProjectStatus.STALE,
        6,
        1,
        3,
        30,
        True,
        30,
        ["Ansible", "Docker", "Terraform"],
    ),
    (
        "Blog engine",
        "https://bitbucket.org/me/blog.git",
        ProjectStatus.COMPLETE,
        40,
        0,
        0,
        0,
        False,
        12,
        ["Go", "PostgreSQL", "Docker"],
    ),
    (
        "Recipe API",
        "https://github.com/me/recipes.git",
        ProjectStatus.GREEN,
        33,
        3,
        0,
        9,
        False,
        1,
        ["Python", "FastAPI", "PostgreSQL", "Docker"],
    ),
    (
        "Synth plugin",
        "https://github.com/me/synth.git",
        ProjectStatus.UNKNOWN,
        0,
        0,
        0,
        0,
        False,
        None,
        [],
    ),
]
CATEGORIES = {
    "Python": SkillCategory.LANGUAGE,
    "TypeScript": SkillCategory.LANGUAGE,
    "Go": SkillCategory.LANGUAGE,
    "Django": SkillCategory.FRAMEWORK,
    "React": SkillCategory.FRAMEWORK,
    "FastAPI": SkillCategory.FRAMEWORK,
    "PostgreSQL": SkillCategory.DATABASE,
    "SQLite": SkillCategory.DATABASE,
    "Redis": SkillCategory.DATABASE,
    "GitHub Actions": SkillCategory.CI_CD,
    "Vite": SkillCategory.BUILD,
    "Docker": SkillCategory.INFRASTRUCTURE,
    "Ansible": SkillCategory.TOOL,
    "Terraform": SkillCategory.INFRASTRUCTURE,
}
PLAN = [
    (
        "Foundation",
        [
            "Django project and settings from the environment",
            "Models: Project, Task, ProgressSnapshot",
            "Accounts: sign-up, login, API tokens",
            "Health checks for web and queue",
        ],
    ),
    (
        "Plan parsing",
        [
            "Discover the plan file",
            "Parse checkbox tasks with pyromark",
            "Phases from headings",
            "Progress per phase and overall",
            "Compare counts with cmark-gfm",
        ],
    ),
    (
        "Web UI",
        [
            "Dashboard with cards and rows",
            "Project page with phases",
            "Live refresh status",
            "Light and dark themes",
            "Browser tests with Playwright",
        ],
    ),
    ("Skills", ["Manifest parsers", "Language statistics", "Skills catalogue"]),
    ("Background jobs", ["Queues and workers", "Rate limits", "Refresh history", "Queue console"]),
]
PLAN_STATUS = {
    "Foundation": [TaskStatus.DONE] * 4,
    "Plan parsing": [TaskStatus.DONE] * 4 + [TaskStatus.DOING],
    "Web UI": [
        TaskStatus.DONE,
        TaskStatus.DONE,
        TaskStatus.DOING,
        TaskStatus.DONE,
        TaskStatus.TODO,
    ],
    "Skills": [TaskStatus.DONE, TaskStatus.DOING, TaskStatus.TODO],
    "Background jobs": [TaskStatus.DOING, TaskStatus.TODO, TaskStatus.BLOCKED, TaskStatus.TODO],
}


def _populate(owner) -> Project:
    now = timezone.now()
    first = None
    for name, repo, status, done, doing, blocked, todo, stale, hours, skills in PROJECTS:
        total = done + doing + blocked + todo
        project = Project.objects.create(
            owner=owner,
            name=name,
            repo_url=repo,
            status=status,
            total_tasks=total,
            done_tasks=done,
            doing_tasks=doing,
            blocked_tasks=blocked,
            todo_tasks=todo,
            percentage=round(100 * done / total, 1) if total else 0.0,
            last_commit_sha=SHA,
            last_commit_at=now - timedelta(days=20 if stale else 1),
            last_refreshed_at=None if hours is None else now - timedelta(hours=hours),
        )
        Skill.objects.bulk_create(
            [
                Skill(
                    project=project,
                    name=s,
                    category=CATEGORIES[s],
                    confidence=1.0 - i * 0.05,
                    evidence=[{"file": "pyproject.toml", "line": 3 + i}],
                )
                for i, s in enumerate(skills)
            ]
        )
        _phase_tasks(project, total, done)
        first = first or project
    _detail(first, now)
    running = Project.objects.get(owner=owner, name="Garden planner")
    JobRecord.objects.create(
        job_type="refresh",
        queue="repotrackr_high",
        priority="high",
        project=running,
        requested_by=owner,
        status=JobStatus.PROCESSING,
        stage="parsing",
        progress=0.45,
        started_at=now,
    )
    return first


def _phase_tasks(project: Project, total: int, done: int) -> None:
    if not total:
        return
    per = max(total // 4, 1)
    tasks = Task.objects.bulk_create(
        [
            Task(
                project=project,
                title=f"Task {i}",
                phase=f"Phase {i // per + 1}",
                phase_index=i // per,
                file_path="PLAN.md",
                line=i + 1,
                order=i,
                status=TaskStatus.DONE if i < done else TaskStatus.TODO,
            )
            for i in range(total)
        ]
    )
    add_snapshot_of_tasks(project, tasks)


def _detail(project: Project, now) -> None:
    Task.objects.filter(project=project).delete()
    order, line, tasks = 0, 3, []
    for phase_index, (phase, titles) in enumerate(PLAN):
        line += 2
        for title, status in zip(titles, PLAN_STATUS[phase], strict=True):
            order += 1
            line += 1
            tasks.append(
                Task(
                    project=project,
                    title=title,
                    status=status,
                    phase=phase,
                    phase_index=phase_index,
                    file_path="docs/plan.md",
                    line=line,
                    order=order,
                    depth=1 if title.startswith("Compare") else 0,
                )
            )
    Task.objects.bulk_create(tasks)
    counts = {s: sum(t.status == s for t in tasks) for s in TaskStatus.values}
    ProgressSnapshot.objects.filter(project=project).delete()
    Project.objects.filter(pk=project.pk).update(
        total_tasks=len(tasks),
        done_tasks=counts["done"],
        doing_tasks=counts["doing"],
        blocked_tasks=counts["blocked"],
        todo_tasks=counts["todo"],
        percentage=round(100 * counts["done"] / len(tasks), 1),
    )
    Skill.objects.filter(project=project, name="Python").update(bytes=81000, byte_share=0.81)
    Skill.objects.bulk_create(
        [
            Skill(
                project=project,
                name="HTML",
                category=SkillCategory.LANGUAGE,
                bytes=11000,
                byte_share=0.11,
                evidence=["templates/base.html"],
            ),
            Skill(
                project=project,
                name="CSS",
                category=SkillCategory.LANGUAGE,
                bytes=5000,
                byte_share=0.05,
                evidence=["static/css/base.css"],
            ),
            Skill(
                project=project,
                name="Shell",
                category=SkillCategory.LANGUAGE,
                bytes=3000,
                byte_share=0.03,
                evidence=[".ci/run"],
            ),
            Skill(
                project=project,
                name="pytest",
                category=SkillCategory.TESTING,
                confidence=0.95,
                evidence=[{"file": "requirements-dev.txt", "line": 2}],
            ),
        ]
    )
    add_snapshot_of_tasks(project, tasks)
    for i, pct in enumerate([8.0, 15.5, 24.0, 31.0, 38.0, 44.5, 50.0, 54.0]):
        when = now - timedelta(days=(8 - i) * 3)
        snap = ProgressSnapshot.objects.create(
            project=project, percentage=pct, status=ProjectStatus.GREEN
        )
        ProgressSnapshot.objects.filter(pk=snap.pk).update(created_at=when)
        entry = RefreshHistory.objects.create(
            project=project,
            user=project.owner,
            trigger=RefreshTrigger.SCHEDULED if i % 3 else RefreshTrigger.MANUAL,
            status=JobStatus.COMPLETED,
            completed_at=when,
            duration_seconds=1.2 + i * 0.3,
            result={"status": "success", "progress_percentage": pct, "unchanged": False},
        )
        RefreshHistory.objects.filter(pk=entry.pk).update(created_at=when)


SHOTS = [
    # file stem suffix, viewport, colour scheme
    ("", {"width": 1280, "height": 900}, "light"),
    ("-dark", {"width": 1280, "height": 900}, "dark"),
    ("-phone", {"width": 390, "height": 844}, "light"),
    ("-phone-dark", {"width": 390, "height": 844}, "dark"),
]


def test_make_readme_screenshots(logged_in_page, live_server):
    page = logged_in_page
    project = _populate(page.user)
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix, viewport, scheme in SHOTS:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme)
        for name, path in (("dashboard", "/"), ("project", f"/projects/{project.pk}/")):
            page.goto(f"{live_server.url}{path}")
            target = OUT / f"{name}{suffix}.png"
            page.screenshot(path=target, full_page=True)
            assert target.stat().st_size > 10_000
            # What the README shows must fit its screen.
            assert page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            ), target.name
