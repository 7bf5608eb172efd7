"""Reads of the notifications app."""

from __future__ import annotations

from django.http import Http404

from notifications.models import Channel, Delivery, ProjectNotifyState


def channel_list_for_user(*, user):
    return Channel.objects.filter(owner=user).order_by("created_at")


def channel_get_for_user(*, user, channel_id) -> Channel:
    """The user's channel, or 404 (also for other people's channels, staff included)."""
    channel = Channel.objects.filter(pk=channel_id, owner=user).first()
    if channel is None:
        raise Http404("No such channel.")
    return channel


def delivery_list_for_channel(*, channel: Channel):
    return (
        Delivery.objects.filter(channel=channel).select_related("project").order_by("-created_at")
    )


def project_is_muted(*, project) -> bool:
    return ProjectNotifyState.objects.filter(project=project, muted=True).exists()
