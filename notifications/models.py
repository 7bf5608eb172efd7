"""Notification channels, their delivery log, per-project opt-outs and failure streaks."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.core.events import ALL_EVENTS, PROJECT_EVENTS
from notifications.core.kinds import KINDS, LABELS


class ChannelKind(models.TextChoices):
    EMAIL = "email", LABELS["email"]
    WEBHOOK = "webhook", LABELS["webhook"]
    SLACK = "slack", LABELS["slack"]
    DISCORD = "discord", LABELS["discord"]
    TEAMS = "teams", LABELS["teams"]


assert set(ChannelKind.values) == set(KINDS)


def default_events() -> list[str]:
    return list(PROJECT_EVENTS)


class Channel(models.Model):
    """Where one user's notifications go. The target (an address or a URL) is a secret.

    Webhook URLs of Slack, Discord and Teams grant posting rights, so every
    target is stored encrypted; ``target_hint`` is what pages show. HTTP kinds
    carry a signing secret, also encrypted. An email channel sends nothing
    until its address is verified.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    name = models.CharField(max_length=100, blank=True)
    target_encrypted = models.TextField(editable=False)
    target_hint = models.CharField(max_length=300, editable=False)
    secret_encrypted = models.TextField(blank=True, editable=False)
    events = models.JSONField(default=default_events)
    enabled = models.BooleanField(default=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["owner", "enabled"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KINDS), name="channel_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_hint}"

    @property
    def is_email(self) -> bool:
        return self.kind == ChannelKind.EMAIL

    @property
    def is_verified(self) -> bool:
        return not self.is_email or self.verified_at is not None

    def wants(self, event: str) -> bool:
        return event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its job (or for a retry)
    SENDING = "sending", "Sending"  # a worker has started the request
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # channel disabled or unverified by the time it ran


class Delivery(models.Model):
    """One event sent (or to be sent) to one channel. Its id is the ``X-RepoTrackr-Delivery``.

    ``(channel, project, event, episode)`` is unique: the episode is the
    snapshot (or, for failures, the job) that caused the event, so a repeat
    of the same hook call adds nothing, while a new failing spell does.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=40)
    episode = models.CharField(max_length=64)
    message = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "project", "event", "episode"], name="delivery_once_per_episode"
            ),
            # NULLs are distinct in a unique index: digests (no project) need their own.
            models.UniqueConstraint(
                fields=["channel", "event", "episode"],
                condition=Q(project__isnull=True),
                name="delivery_once_per_episode_no_project",
            ),
            models.CheckConstraint(
                condition=Q(event__in=(*ALL_EVENTS, "channel.test", "channel.verify")),
                name="delivery_event_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.channel_id} ({self.status})"


class ProjectNotifyState(models.Model):
    """Per project: opted out or not, and how many refreshes have failed in a row."""

    project = models.OneToOneField(
        "projects.Project", primary_key=True, on_delete=models.CASCADE, related_name="notify_state"
    )
    muted = models.BooleanField(default=False)
    failure_streak = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"notify state of {self.project_id}"
