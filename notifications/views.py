"""Pages: the user's channels, one channel with its delivery log, verification and unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jobs.ratelimit import NOTIFY_TEST, check_and_count
from notifications.forms import ChannelEditForm, ChannelForm
from notifications.models import Channel
from notifications.selectors import (
    channel_get_for_user,
    channel_list_for_user,
    delivery_list_for_channel,
)
from notifications.services import (
    ChannelInputError,
    channel_create,
    channel_delete,
    channel_send_test,
    channel_unsubscribe,
    channel_update,
    channel_verification_send,
    channel_verify,
    project_mute_set,
)
from notifications.unsubscribe import unsubscribe_token_read
from projects.selectors import project_get_for_user


@login_required
@require_http_methods(["GET", "POST"])
def channel_list(request):
    form = ChannelForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # An email channel sends a verification email: it costs like a test.
        decision = check_and_count(request.user, NOTIFY_TEST) if data["kind"] == "email" else None
        try:
            if decision is not None and not decision.allowed:
                raise ChannelInputError("target", decision.message)
            _, secret = channel_create(owner=request.user, **data)
        except ChannelInputError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, _created_message(data["kind"]))
            form = ChannelForm()
    context = {"form": form, "channels": channel_list_for_user(user=request.user), "secret": secret}
    return render(request, "notifications/channel_list.html", context)


def _created_message(kind: str) -> str:
    if kind == "email":
        return "Channel added. Open the link we emailed to that address to start receiving."
    return "Channel added."


@login_required
@require_http_methods(["GET", "POST"])
def channel_detail(request, channel_id):
    channel = channel_get_for_user(user=request.user, channel_id=channel_id)
    initial = {"name": channel.name, "events": channel.events, "enabled": channel.enabled}
    form = ChannelEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel_update(
                channel=channel,
                target=data["target"] or None,
                events=data["events"],
                enabled=data["enabled"],
                name=data["name"],
            )
        except ChannelInputError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Channel saved.")
            return redirect("notifications:detail", channel_id=channel.pk)
    deliveries = delivery_list_for_channel(channel=channel)[:50]
    context = {"channel": channel, "form": form, "deliveries": deliveries}
    return render(request, "notifications/channel_detail.html", context)


@login_required
@require_POST
def channel_test(request, channel_id):
    channel = channel_get_for_user(user=request.user, channel_id=channel_id)
    decision = check_and_count(request.user, NOTIFY_TEST)
    if not decision.allowed:
        messages.error(request, decision.message)
    elif not channel.is_verified:
        channel_verification_send(channel=channel)
        messages.info(request, "The address is not verified yet: we sent the link again.")
    else:
        channel_send_test(channel=channel, now=timezone.now())
        messages.success(request, "Test queued: see the delivery log below.")
    return redirect("notifications:detail", channel_id=channel.pk)


@login_required
@require_POST
def channel_delete_view(request, channel_id):
    channel_delete(channel=channel_get_for_user(user=request.user, channel_id=channel_id))
    messages.success(request, "Channel deleted.")
    return redirect("notifications:list")


@require_http_methods(["GET"])
def channel_verify_view(request, token):
    channel = channel_verify(token=token, now=timezone.now())
    return render(
        request, "notifications/verified.html", {"channel": channel}, status=200 if channel else 400
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation; POST (the button, or a mail client's one-click) unsubscribes."""
    channel_id = unsubscribe_token_read(token)
    channel = get_object_or_404(Channel, pk=channel_id) if channel_id else None
    if channel is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        channel_unsubscribe(channel=channel)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"channel": channel, "done": request.method == "POST"},
    )


@login_required
@require_POST
def project_mute(request, project_id):
    project = project_get_for_user(user=request.user, project_id=project_id)
    muted = request.POST.get("muted") == "1"
    project_mute_set(project=project, muted=muted)
    messages.success(
        request,
        "Notifications paused for this project."
        if muted
        else "Notifications resumed for this project.",
    )
    return redirect("projects:detail", project_id=project.pk)
