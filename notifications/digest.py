"""The weekly digest: one email per subscribed channel per ISO week."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.core.events import WEEKLY_DIGEST
from notifications.core.payload import status_label
from notifications.models import Channel, Delivery
from notifications.unsubscribe import unsubscribe_url
from projects.models import Project


def week_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def _week_start_percentage(project: Project, since: datetime) -> float | None:
    snap = project.snapshots.filter(created_at__lte=since).order_by("-created_at").first()
    return snap.percentage if snap else None


def digest_text(*, owner, now: datetime, channel: Channel) -> tuple[str, str]:
    """Subject and body: each project's change over the week, its velocity and forecast."""
    since = now - timedelta(days=7)
    lines = [f"Your projects, week of {since:%Y-%m-%d} to {now:%Y-%m-%d}:", ""]
    projects = Project.objects.filter(owner=owner, archived=False).order_by("name")
    for project in projects:
        start = _week_start_percentage(project, since)
        change = "new this week" if start is None else f"{project.percentage - start:+.0f} points"
        lines.append(
            f"- {project.name}: {status_label(project.status)}, "
            f"{project.percentage:.0f} % ({change})"
        )
        lines.append(f"  {_forecast_line(project)}")
        lines.append(
            f"  {settings.REPOTRACKR_SITE_URL}{reverse('projects:detail', args=[project.pk])}"
        )
    if len(lines) == 2:
        lines.append("You have no active projects.")
    lines += ["", "--", f"Stop these emails: {unsubscribe_url(channel)}", ""]
    return f"[RepoTrackr] Weekly digest, {week_key(now)}", "\n".join(lines)


def _forecast_line(project: Project) -> str:
    velocity = project.velocity_per_week
    pace = f"{velocity:.1f} tasks/week" if velocity is not None else "no velocity yet"
    if project.forecast_date:
        span = ""
        if project.forecast_earliest and project.forecast_latest:
            span = f" (between {project.forecast_earliest} and {project.forecast_latest})"
        return f"{pace}; done around {project.forecast_date}{span}"
    return f"{pace}; no forecast"


def digest_due(now: datetime) -> bool:
    return (
        now.weekday() == settings.NOTIFY_DIGEST_WEEKDAY and now.hour >= settings.NOTIFY_DIGEST_HOUR
    )


def digests_send_due(*, now: datetime, force: bool = False) -> int:
    """Queue this week's digest for every verified email channel that wants it, once."""
    from notifications.services import deliveries_enqueue

    if not force and not digest_due(now):
        return 0
    created = []
    channels = Channel.objects.filter(kind="email", enabled=True, verified_at__isnull=False)
    for channel in channels.select_related("owner"):
        if not channel.wants(WEEKLY_DIGEST):
            continue
        subject, body = digest_text(owner=channel.owner, now=now, channel=channel)
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    channel=channel,
                    event=WEEKLY_DIGEST,
                    episode=week_key(now),
                    message={"subject": subject, "body": body},
                )
        except IntegrityError:
            continue
        created.append(str(delivery.pk))
    if created:
        transaction.on_commit(lambda: deliveries_enqueue(ids=created))
    return len(created)
