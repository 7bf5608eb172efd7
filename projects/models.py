"""Tracked repositories, their tasks and their progress over time."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from projects.core import status_vocabulary as words


class ProjectStatus(models.TextChoices):
    """The one status vocabulary (DESIGN.md, Contracts); labels come from the core's table."""

    COMPLETE = words.COMPLETE, words.status_label(words.COMPLETE)
    GREEN = words.GREEN, words.status_label(words.GREEN)
    YELLOW = words.YELLOW, words.status_label(words.YELLOW)
    RED = words.RED, words.status_label(words.RED)
    STALE = words.STALE, words.status_label(words.STALE)
    NO_PLAN = words.NO_PLAN, words.status_label(words.NO_PLAN)
    UNKNOWN = words.UNKNOWN, words.status_label(words.UNKNOWN)
    ARCHIVED = words.ARCHIVED, words.status_label(words.ARCHIVED)


class TaskStatus(models.TextChoices):
    TODO = "todo", "To do"
    DOING = "doing", "Doing"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"


# The project's fields that a successful refresh writes (the plan store's ``update_fields``;
# read-only in the admin).
REFRESHED_FIELDS = (
    "status",
    "status_message",
    "total_tasks",
    "done_tasks",
    "doing_tasks",
    "blocked_tasks",
    "todo_tasks",
    "percentage",
    "plan_files",
    "plan_searched",
    "last_commit_sha",
    "last_commit_at",
    "last_refreshed_at",
    "status_settings",
)


class Project(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=200)
    repo_url = models.CharField("repository URL", max_length=500)
    branch = models.CharField(max_length=255, blank=True, help_text="Blank: the remote's default.")
    plan_path = models.CharField(max_length=500, blank=True, help_text="Blank: discover.")
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.UNKNOWN
    )
    status_message = models.CharField(max_length=300, blank=True)
    total_tasks = models.PositiveIntegerField(default=0)
    done_tasks = models.PositiveIntegerField(default=0)
    doing_tasks = models.PositiveIntegerField(default=0)
    blocked_tasks = models.PositiveIntegerField(default=0)
    todo_tasks = models.PositiveIntegerField(default=0)
    percentage = models.FloatField(default=0.0)
    plan_files = models.JSONField(default=list, blank=True)
    # Where discovery looked when the last successful refresh found no plan.
    plan_searched = models.JSONField(default=list, blank=True)
    last_commit_sha = models.CharField(max_length=64, blank=True)
    last_commit_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # Remote head + parsing settings + engine version at the last success;
    # an identical fingerprint lets a refresh finish without cloning.
    refresh_fingerprint = models.CharField(max_length=128, blank=True)
    # The status thresholds in force at the last full refresh (site settings
    # overridden by the repository's repotrackr.yml), so that recomputing the
    # status without reading the repository uses the same ones.
    status_settings = models.JSONField(default=dict, blank=True)
    refresh_interval_hours = models.PositiveIntegerField(default=6)
    archived = models.BooleanField(default=False)
    access_token_encrypted = models.TextField(blank=True, editable=False)
    # Stored when a refresh ends (projects/forecast_store.py) so pages need no query.
    velocity_per_week = models.FloatField(null=True, blank=True)
    forecast_date = models.DateField(null=True, blank=True)
    forecast_earliest = models.DateField(null=True, blank=True)
    forecast_latest = models.DateField(null=True, blank=True)
    forecast_note = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "name"]),
            # Staff lists (dashboard, API) over every owner's projects, by name.
            models.Index(fields=["name", "id"], name="project_name_id_idx"),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["last_refreshed_at"]),
            models.Index(fields=["percentage"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="project_name_unique_per_owner"),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0) & Q(percentage__lte=100),
                name="project_percentage_0_100",
            ),
            models.CheckConstraint(
                condition=Q(refresh_interval_hours__gte=1), name="project_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_access_token(self) -> bool:
        return bool(self.access_token_encrypted)


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.TextField()
    status = models.CharField(max_length=8, choices=TaskStatus.choices)
    section_path = models.JSONField(default=list, blank=True)
    phase = models.CharField(max_length=300, blank=True)
    # Position of the task's phase in the plan: titles may repeat, this does not.
    phase_index = models.PositiveSmallIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    file_path = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["project", "order"]
        indexes = [
            models.Index(fields=["project", "order"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["project", "phase"]),
            models.Index(fields=["project", "phase_index"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80]


class ProgressSnapshot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="snapshots")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    commit_sha = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    doing = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    todo = models.PositiveIntegerField(default=0)
    percentage = models.FloatField(default=0.0)
    status = models.CharField(max_length=16, choices=ProjectStatus.choices)
    phases = models.JSONField(default=list, blank=True)
    # How the plan was read, kept with the figures so that an unchanged
    # refresh (which adds no snapshot) still shows them: the file(s) read,
    # the counting warnings, and every plan discovery found.
    plan_label = models.CharField(max_length=500, blank=True)
    plan_warnings = models.JSONField(default=list, blank=True)
    plan_candidates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["project", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gte=0) & Q(percentage__lte=100),
                name="snapshot_percentage_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.percentage}% at {self.created_at:%Y-%m-%d %H:%M}"
