"""Background jobs as our database sees them, and the history of refreshes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.PROCESSING)


class JobType(models.TextChoices):
    REFRESH = "refresh", "Refresh"
    EXTRACT_SKILLS = "extract_skills", "Extract skills"


class JobPriority(models.TextChoices):
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


class RefreshTrigger(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULED = "scheduled", "Scheduled"
    WEBHOOK = "webhook", "Webhook"
    API = "api", "API"


class JobRecord(models.Model):
    """One RQ job; the primary key is the RQ job id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job_type = models.CharField(max_length=20, choices=JobType.choices)
    queue = models.CharField(max_length=64)
    priority = models.CharField(
        max_length=8, choices=JobPriority.choices, default=JobPriority.NORMAL
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=40, blank=True)
    force = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_detail = models.TextField(blank=True, help_text="Traceback; shown to staff only.")
    error_retryable = models.BooleanField(
        default=False, help_text="Failed: whether running it again could succeed (jobs.errors)."
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    cpu_seconds = models.FloatField(null=True, blank=True)
    peak_memory_bytes = models.BigIntegerField(null=True, blank=True)
    head_sha = models.CharField(
        max_length=64, blank=True, help_text="The remote head this attempt resolved."
    )
    follow_up = models.BooleanField(
        default=False, help_text="A push came in after the head was read: refresh again."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The newest jobs of everyone: the staff jobs list and its API.
            models.Index(fields=["-created_at"], name="job_created_desc_idx"),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["job_type", "status"]),
            models.Index(fields=["completed_at"]),
        ]
        constraints = [
            # "One pipeline job at a time per project" as a database fact.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["queued", "processing"]),
                name="one_active_job_per_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(condition=Q(job_type__in=JobType.values), name="job_type_valid"),
            models.CheckConstraint(
                condition=Q(priority__in=JobPriority.values), name="job_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="job_progress_0_1"
            ),
        ]
        # Operator powers are permissions, never ``is_staff`` alone.
        permissions = [
            ("manage_queues", "Can pause queues, clear failed jobs and use the RQ dashboard"),
            ("retry_any_job", "Can retry or cancel other users' jobs"),
            ("exempt_from_rate_limits", "Is exempt from the per-user rate limits"),
        ]

    def __str__(self) -> str:
        return f"{self.get_job_type_display()} {self.id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.completed_at:
            return (self.completed_at - self.started_at).total_seconds()
        return None


class RefreshHistory(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="refresh_history"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refreshes",
    )
    job = models.ForeignKey(
        JobRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="refreshes"
    )
    trigger = models.CharField(max_length=12, choices=RefreshTrigger.choices)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "refresh history"
        indexes = [models.Index(fields=["project", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="refresh_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=RefreshTrigger.values), name="refresh_trigger_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.trigger} {self.created_at:%Y-%m-%d %H:%M}"
