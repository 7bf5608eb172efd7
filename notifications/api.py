"""Notification channels over the API: list, create (secret shown once), read, update,
delete, send a test, and the delivery log."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api_support import JobApiMixin
from jobs.ratelimit import NOTIFY_TEST, check_and_count
from notifications.core.events import ALL_EVENTS
from notifications.models import ChannelKind, DeliveryStatus
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
    channel_update,
    channel_verification_send,
)
from repotrackr.api_pagination import paginated_response
from repotrackr.api_schema import PAGINATION_PARAMETERS, errors, paginated, results_list


class ChannelOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    name = serializers.CharField()
    target_hint = serializers.CharField(
        help_text="The address, or the URL's host and a hint of its path; the full URL is a "
        "secret and never shown back."
    )
    events = serializers.ListField(child=serializers.ChoiceField(choices=ALL_EVENTS))
    enabled = serializers.BooleanField()
    verified = serializers.BooleanField(
        source="is_verified", help_text="Email channels send nothing until verified."
    )
    created_at = serializers.DateTimeField()


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The X-RepoTrackr-Delivery header; the same on retries.")
    event = serializers.CharField()
    project = serializers.UUIDField(source="project_id", allow_null=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    response_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class ChannelInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    target = serializers.CharField(
        max_length=2048, help_text="An email address, or the https URL to post to."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_EVENTS), required=False, allow_empty=True
    )
    enabled = serializers.BooleanField(required=False, default=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ChannelUpdateSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=2048, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_EVENTS), required=False, allow_empty=True
    )
    enabled = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


def _input_error(exc: ChannelInputError):
    return serializers.ValidationError({exc.field: [str(exc)]})


class ChannelListCreateApi(JobApiMixin, APIView):
    class ChannelCreatedSerializer(ChannelOutputSerializer):
        signing_secret = serializers.CharField(
            allow_null=True,
            help_text="HMAC-SHA256 key of X-RepoTrackr-Signature; shown once. Null for email.",
        )

    @extend_schema(
        operation_id="api_v1_channels_list",
        summary="List your notification channels",
        description="Your channels with the events each receives; targets are shown as hints.",
        responses={200: results_list(ChannelOutputSerializer), **errors()},
    )
    def get(self, request):
        channels = channel_list_for_user(user=request.user)
        return Response({"results": ChannelOutputSerializer(channels, many=True).data})

    @extend_schema(
        summary="Create a notification channel",
        description="Email channels are sent a verification link first. The answer carries "
        "the signing secret of HTTP channels once; store it now.",
        request=ChannelInputSerializer,
        responses={201: ChannelCreatedSerializer, **errors(400, 429, 503)},
    )
    def post(self, request):
        data = ChannelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields["kind"] == ChannelKind.EMAIL:
            # A verification email goes out: it costs like a test, or this relays spam.
            self.use_decision(check_and_count(request.user, NOTIFY_TEST))
        if "events" not in fields:
            from notifications.core.events import PROJECT_EVENTS

            fields["events"] = list(PROJECT_EVENTS)
        try:
            channel, secret = channel_create(owner=request.user, **fields)
        except ChannelInputError as exc:
            raise _input_error(exc) from None
        body = dict(ChannelOutputSerializer(channel).data, signing_secret=secret or None)
        return Response(body, status=status.HTTP_201_CREATED)


class ChannelDetailApi(APIView):
    @extend_schema(
        summary="Read a notification channel",
        description="One of your channels; the target URL and signing secret are never shown.",
        responses={200: ChannelOutputSerializer, **errors(404)},
    )
    def get(self, request, channel_id):
        channel = channel_get_for_user(user=request.user, channel_id=channel_id)
        return Response(ChannelOutputSerializer(channel).data)

    @extend_schema(
        summary="Update a notification channel",
        description="Only the fields given change. A new email address must be verified again.",
        request=ChannelUpdateSerializer,
        responses={200: ChannelOutputSerializer, **errors(400, 404)},
    )
    def patch(self, request, channel_id):
        channel = channel_get_for_user(user=request.user, channel_id=channel_id)
        data = ChannelUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            channel = channel_update(channel=channel, **data.validated_data)
        except ChannelInputError as exc:
            raise _input_error(exc) from None
        return Response(ChannelOutputSerializer(channel).data)

    @extend_schema(
        summary="Delete a notification channel",
        description="Deletes the channel and its delivery log; nothing more is sent to it.",
        responses={204: None, **errors(404)},
    )
    def delete(self, request, channel_id):
        channel_delete(channel=channel_get_for_user(user=request.user, channel_id=channel_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelTestApi(JobApiMixin, APIView):
    class TestQueuedSerializer(serializers.Serializer):
        delivery_id = serializers.UUIDField(allow_null=True)
        message = serializers.CharField()

    @extend_schema(
        summary="Send a test notification",
        description="Queues a test message (rate-limited). For an unverified email channel, "
        "sends the verification link again instead.",
        request=None,
        responses={202: TestQueuedSerializer, **errors(404, 429, 503)},
    )
    def post(self, request, channel_id):
        channel = channel_get_for_user(user=request.user, channel_id=channel_id)
        self.use_decision(check_and_count(request.user, NOTIFY_TEST))
        if not channel.is_verified:
            channel_verification_send(channel=channel)
            body = {"delivery_id": None, "message": "Verification email sent again."}
        else:
            delivery = channel_send_test(channel=channel, now=timezone.now())
            body = {"delivery_id": delivery.pk, "message": "Test queued."}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ChannelDeliveriesApi(APIView):
    @extend_schema(
        summary="A channel's delivery log",
        description="Newest first: status, response code, latency and error of each delivery.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(DeliveryOutputSerializer), **errors(404)},
    )
    def get(self, request, channel_id):
        channel = channel_get_for_user(user=request.user, channel_id=channel_id)
        deliveries = delivery_list_for_channel(channel=channel)
        return paginated_response(request, self, deliveries, DeliveryOutputSerializer)
