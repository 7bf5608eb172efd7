"""Writes of the notifications app: channels, deliveries, and what a finished refresh sends."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.core.events import (
    ALL_EVENTS,
    TEST,
    WEEKLY_DIGEST,
    failure_events,
    transition_events,
)
from notifications.core.kinds import EMAIL_KIND
from notifications.core.payload import EventMessage, ProjectFigures
from notifications.core.target_url import InvalidTargetUrlError, validate_target_url
from notifications.models import Channel, Delivery, DeliveryStatus, ProjectNotifyState
from notifications.secrets import channel_target, seal
from notifications.transport import message_to_json
from notifications.unsubscribe import address_matches, verify_token_read, verify_url
from projects.models import Project

logger = logging.getLogger(__name__)

VERIFY = "channel.verify"


class ChannelInputError(ValueError):
    """The channel's fields cannot be used; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# -- channels -----------------------------------------------------------------------


def _clean_target(kind: str, target: str) -> tuple[str, str]:
    """``(target, hint)`` after validation; raises ``ChannelInputError``."""
    target = target.strip()
    if kind == EMAIL_KIND:
        try:
            validate_email(target)
        except ValidationError:
            raise ChannelInputError("target", "Enter a valid email address.") from None
        return target, target
    try:
        checked = validate_target_url(target, allow_local=settings.REPOTRACKR_ALLOW_LOCAL_NOTIFY)
    except InvalidTargetUrlError as exc:
        raise ChannelInputError("target", f"This URL cannot be used: {exc}.") from None
    return checked.url, checked.display


def _clean_events(kind: str, events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(ALL_EVENTS))
    if unknown:
        raise ChannelInputError("events", f"Unknown events: {', '.join(unknown)}.")
    if WEEKLY_DIGEST in events and kind != EMAIL_KIND:
        raise ChannelInputError("events", "Only email channels receive the weekly digest.")
    return [e for e in ALL_EVENTS if e in events]


@transaction.atomic
def channel_create(
    *, owner, kind: str, target: str, events: list[str], enabled: bool = True, name: str = ""
) -> tuple[Channel, str]:
    """Create a channel; return it and its signing secret ("" for email), shown once.

    An email channel is unverified: a verification email goes out after commit.
    """
    target, hint = _clean_target(kind, target)
    secret = "" if kind == EMAIL_KIND else secrets.token_urlsafe(32)
    channel = Channel(
        owner=owner,
        kind=kind,
        name=name,
        target_encrypted=seal(target),
        target_hint=hint,
        secret_encrypted=seal(secret),
        events=_clean_events(kind, events),
        enabled=enabled,
    )
    channel.full_clean()
    channel.save()
    if channel.is_email:
        transaction.on_commit(lambda: channel_verification_send(channel=channel))
    return channel, secret


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    target: str | None = None,
    events: list[str] | None = None,
    enabled: bool | None = None,
    name: str | None = None,
) -> Channel:
    """Change the given fields; a new email address must be verified again."""
    changed = []
    if target is not None and target.strip() != channel_target(channel):
        clean, hint = _clean_target(channel.kind, target)
        channel.target_encrypted, channel.target_hint = seal(clean), hint
        changed += ["target_encrypted", "target_hint"]
        if channel.is_email:
            channel.verified_at = None
            changed.append("verified_at")
            transaction.on_commit(lambda: channel_verification_send(channel=channel))
    if events is not None:
        channel.events = _clean_events(channel.kind, events)
        changed.append("events")
    if enabled is not None:
        channel.enabled = enabled
        changed.append("enabled")
    if name is not None:
        channel.name = name
        changed.append("name")
    if changed:
        channel.save(update_fields=[*changed, "updated_at"])
    return channel


def channel_delete(*, channel: Channel) -> None:
    channel.delete()


def channel_verification_send(*, channel: Channel) -> None:
    """Email the verification link to the channel's address (sent at once, not queued)."""
    from notifications.transport import send_email

    address = channel_target(channel)
    body = (
        "Someone (hopefully you) asked RepoTrackr to send notifications to this address.\n\n"
        f"Confirm it by opening this link within three days:\n{verify_url(channel, address)}\n\n"
        "If this was not you, ignore this email: nothing will be sent.\n"
    )
    try:
        send_email(
            channel,
            subject="[RepoTrackr] Confirm your email address",
            body=body,
            delivery_id=f"verify-{channel.pk}",
        )
    except Exception:  # noqa: BLE001 - the owner can ask again from the channel page
        logger.warning("Verification email for channel %s failed", channel.pk, exc_info=True)


def channel_verify(*, token: str, now: datetime) -> Channel | None:
    """Mark the channel of a valid verification link verified; ``None`` if the link is bad."""
    read = verify_token_read(token)
    if read is None:
        return None
    channel = Channel.objects.filter(pk=read[0]).first()
    if channel is None or not address_matches(channel_target(channel), read[1]):
        return None
    if channel.verified_at is None:
        channel.verified_at = now
        channel.save(update_fields=["verified_at", "updated_at"])
    return channel


def channel_unsubscribe(*, channel: Channel) -> None:
    channel.enabled = False
    channel.save(update_fields=["enabled", "updated_at"])


def channel_send_test(*, channel: Channel, now: datetime) -> Delivery:
    """Queue a test notification with made-up figures; each test is its own episode."""
    message = EventMessage(
        event=TEST,
        occurred_at=now,
        project_id="00000000-0000-0000-0000-000000000000",
        project_name="Example project",
        project_url=settings.REPOTRACKR_SITE_URL + "/",
        current=ProjectFigures("green", 75.0),
        previous=ProjectFigures("yellow", 60.0),
    )
    delivery = Delivery.objects.create(
        channel=channel, event=TEST, episode=secrets.token_hex(8), message=message_to_json(message)
    )
    transaction.on_commit(lambda: deliveries_enqueue(ids=[str(delivery.pk)]))
    return delivery


def project_mute_set(*, project: Project, muted: bool) -> None:
    """Opt a project out of (or back into) notifications."""
    ProjectNotifyState.objects.update_or_create(project=project, defaults={"muted": muted})


# -- deliveries --------------------------------------------------------------------


def deliveries_enqueue(*, ids: list[str]) -> None:
    """Put delivery jobs on the default queue; the job id is the delivery id."""
    from jobs.queues import get_queue

    queue = get_queue(settings.QUEUE_DEFAULT)
    with queue.connection.pipeline() as pipe:
        for delivery_id in ids:
            queue.enqueue(
                "notifications.tasks.deliver",
                args=(delivery_id,),
                job_id=f"notify-{delivery_id}",
                result_ttl=600,
                failure_ttl=settings.RQ_FAILURE_TTL,
                description=f"notification {delivery_id}",
                pipeline=pipe,
            )
        pipe.execute()


def _project_url(project: Project) -> str:
    return settings.REPOTRACKR_SITE_URL + reverse("projects:detail", args=[project.pk])


def _forecast_json(project: Project) -> dict:
    if project.forecast_date is None:
        return {}

    def day(value):
        return value.isoformat() if value else None

    return {
        "velocity_per_week": project.velocity_per_week,
        "projected_completion": day(project.forecast_date),
        "earliest": day(project.forecast_earliest),
        "latest": day(project.forecast_latest),
    }


def events_fan_out(
    *,
    project: Project,
    events: tuple[str, ...],
    episode: str,
    previous: ProjectFigures,
    current: ProjectFigures,
    now: datetime,
    error: str = "",
) -> list[str]:
    """Create one delivery per (event, subscribed channel) of the owner and queue them.

    A delivery that already exists for the same episode is not created or
    queued again. Returns the ids of the deliveries created.
    """
    channels = [
        c for c in Channel.objects.filter(owner_id=project.owner_id, enabled=True) if c.is_verified
    ]
    created = []
    for event in events:
        message = message_to_json(
            EventMessage(
                event=event,
                occurred_at=now,
                project_id=str(project.pk),
                project_name=project.name,
                project_url=_project_url(project),
                current=current,
                previous=previous,
                error=error,
                forecast=_forecast_json(project),
            )
        )
        for channel in channels:
            if not channel.wants(event):
                continue
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(
                        channel=channel,
                        project=project,
                        event=event,
                        episode=episode,
                        message=message,
                    )
            except IntegrityError:
                continue  # this episode was already announced to this channel
            created.append(str(delivery.pk))
    if created:
        transaction.on_commit(lambda: deliveries_enqueue(ids=created))
    return created


def refresh_outcome_announce(
    sender, *, project_id, job_id: str, succeeded: bool, before: dict, result: dict, **kwargs
) -> list[str]:
    """Receiver of ``jobs.signals.refresh_finished``: store the forecast, send the events.

    1. on a success, store velocity and forecast;
    2. count the failure streak (``project.refresh_failing``/``project.recovered``);
    3. on a success, the status transition's events, unless the same commit was
       re-read (an engine upgrade or settings change moves no work: silent);
    4. fan out to the owner's channels unless the project is opted out.
    """
    from projects.forecast_store import project_forecast_update

    now = timezone.now()
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return []
    reread = succeeded and not result.get("unchanged")
    if succeeded:  # also when unchanged: the four-week window moves with time
        project_forecast_update(project=project, now=now)
    with transaction.atomic():
        state, _ = ProjectNotifyState.objects.select_for_update().get_or_create(project=project)
        outcome = failure_events(
            streak=state.failure_streak,
            failed=not succeeded,
            threshold=settings.NOTIFY_FAILING_AFTER,
        )
        if outcome.streak != state.failure_streak:
            state.failure_streak = outcome.streak
            state.save(update_fields=["failure_streak"])
    previous = ProjectFigures(before["status"], before["percentage"])
    current = ProjectFigures(project.status, project.percentage)
    same_commit = reread and result.get("commit_sha") == before.get("last_commit_sha")
    status_events = (
        () if not succeeded or same_commit else transition_events(previous.status, current.status)
    )
    if state.muted:
        return []
    created = []
    if outcome.events:
        error = "" if succeeded else _job_error(job_id)
        created += events_fan_out(
            project=project,
            events=outcome.events,
            episode=job_id,
            previous=previous,
            current=current,
            now=now,
            error=error,
        )
    if status_events:
        created += events_fan_out(
            project=project,
            events=status_events,
            episode=_episode(project, job_id, result),
            previous=previous,
            current=current,
            now=now,
        )
    return created


def _episode(project: Project, job_id: str, result: dict) -> str:
    """The snapshot that caused a status event, or the job when no snapshot was added."""
    if result.get("unchanged"):
        return job_id
    snapshot = project.snapshots.order_by("-created_at").values_list("pk", flat=True).first()
    return str(snapshot) if snapshot else job_id


def _job_error(job_id: str) -> str:
    from jobs.models import JobRecord

    return JobRecord.objects.filter(pk=job_id).values_list("error", flat=True).first() or ""


def delivery_claim(*, delivery_id: str) -> Delivery | None:
    """Mark a pending (or stuck sending) delivery as sending; ``None`` when it is settled."""
    rows = Delivery.objects.filter(
        pk=delivery_id, status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    )
    from django.db.models import F

    if not rows.update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    ):
        return None
    return Delivery.objects.select_related("channel").get(pk=delivery_id)


def delivery_settle(
    *,
    delivery: Delivery,
    status: str,
    response_code: int | None = None,
    latency_ms: int | None = None,
    error: str = "",
    now: datetime,
) -> None:
    delivery.status = status
    delivery.response_code = response_code
    delivery.latency_ms = latency_ms
    delivery.error = error[:500]
    delivery.delivered_at = now if status == DeliveryStatus.DELIVERED else None
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "latency_ms",
            "error",
            "delivered_at",
            "updated_at",
        ]
    )


def deliveries_redeliver_stuck(*, now: datetime) -> int:
    """Queue again deliveries left pending or sending (a killed worker), same delivery id."""
    cutoff = now - timedelta(seconds=settings.NOTIFY_REDELIVER_AFTER)
    stuck = Delivery.objects.filter(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING), updated_at__lt=cutoff
    )
    # A delivery whose job keeps dying is given up once its retries are spent.
    stuck.filter(attempts__gt=len(settings.NOTIFY_RETRY_INTERVALS)).update(
        status=DeliveryStatus.FAILED, error="gave up: the delivery job kept dying", updated_at=now
    )
    ids = [
        str(pk)
        for pk in Delivery.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING), updated_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    ]
    if ids:
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, updated_at=now)
        deliveries_enqueue(ids=ids)
    return len(ids)


def deliveries_prune(*, now: datetime) -> int:
    """Delete log entries older than the retention (settled ones only)."""
    cutoff = now - timedelta(days=settings.NOTIFY_DELIVERY_RETENTION_DAYS)
    settled = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)
    count, _ = Delivery.objects.filter(created_at__lt=cutoff, status__in=settled).delete()
    return count
