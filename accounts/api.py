"""API tokens over the API: list, create (key shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import api_token_get_for_user, api_token_list_for_user
from accounts.services import api_token_create, api_token_revoke
from repotrackr.api_schema import errors, results_list


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    key_hint = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenListCreateApi(APIView):
    class TokenInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    class TokenCreatedSerializer(TokenOutputSerializer):
        key = serializers.CharField(help_text="Shown once; store it now.")

    @extend_schema(
        operation_id="api_v1_tokens_list",
        summary="List your API tokens",
        description="Your API tokens. Keys are never shown again; each token carries a short hint.",
        responses={200: results_list(TokenOutputSerializer), **errors()},
    )
    def get(self, request):
        tokens = api_token_list_for_user(user=request.user)
        return Response({"results": TokenOutputSerializer(tokens, many=True).data})

    @extend_schema(
        summary="Create an API token",
        description="Creates a token and returns its key once; store it now, it cannot be shown again.",
        request=TokenInputSerializer,
        responses={201: TokenCreatedSerializer, **errors(400)},
    )
    def post(self, request):
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=data.validated_data["name"])
        body = dict(TokenOutputSerializer(token).data, key=key)
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailApi(APIView):
    @extend_schema(
        summary="Revoke an API token",
        description="Revokes one of your tokens; requests using it are refused from now on.",
        responses={204: None, **errors(404)},
    )
    def delete(self, request, token_id):
        api_token_revoke(token=api_token_get_for_user(user=request.user, token_id=token_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
