"""Push webhooks: one signed endpoint per project, and the log of its deliveries."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class WebhookProvider(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GITEA = "gitea", "Gitea/Forgejo"
    UNKNOWN = "unknown", "Unknown"


class DeliveryVerdict(models.TextChoices):
    RECEIVED = "received", "Received"  # claimed, outcome being decided
    QUEUED = "queued", "Refresh queued"
    DEDUPLICATED = "deduplicated", "Joined the active job"
    IGNORED = "ignored", "Ignored"
    PING = "ping", "Ping"
    DUPLICATE = "duplicate", "Replayed delivery"
    UNAUTHORIZED = "unauthorized", "Bad signature"
    INVALID = "invalid", "Malformed payload"
    RATE_LIMITED = "rate_limited", "Rate limited"
    UNAVAILABLE = "unavailable", "Queue unavailable"


# Deliveries with these verdicts were acted on (or are being): their id may
# not be acted on again. The others (refused, or failed before acting) leave
# the id free, so the forge's redelivery of the same id is still honoured.
CLAIMING_VERDICTS = (
    DeliveryVerdict.RECEIVED,
    DeliveryVerdict.QUEUED,
    DeliveryVerdict.DEDUPLICATED,
    DeliveryVerdict.IGNORED,
    DeliveryVerdict.PING,
)


class WebhookEndpoint(models.Model):
    """A project's webhook secret, encrypted at rest (it must be recoverable to check HMACs)."""

    project = models.OneToOneField(
        "projects.Project",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoint",
    )
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"webhook of {self.project_id}"


class WebhookDelivery(models.Model):
    """One delivery received for a project: what came, what we answered, what it started."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    provider = models.CharField(max_length=10, choices=WebhookProvider.choices)
    event = models.CharField(max_length=64, blank=True)
    delivery_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    verdict = models.CharField(max_length=16, choices=DeliveryVerdict.choices)
    http_status = models.PositiveSmallIntegerField()
    job = models.ForeignKey(
        "jobs.JobRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_deliveries",
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "provider", "delivery_id"],
                condition=Q(verdict__in=CLAIMING_VERDICTS) & ~Q(delivery_id=""),
                name="webhook_delivery_acted_on_once",
            )
        ]
        indexes = [
            models.Index(fields=["project", "-received_at"]),
            models.Index(fields=["received_at"]),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.delivery_id or '-'} → {self.verdict}"
