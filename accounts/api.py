"""API tokens over the API: list, create (key shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import api_token_get_for_user, api_token_list_for_user
from accounts.services import api_token_create, api_token_revoke


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    key_hint = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenListCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    class CreatedSerializer(TokenOutputSerializer):
        key = serializers.CharField(help_text="Shown once; store it now.")

    @extend_schema(responses=TokenOutputSerializer(many=True))
    def get(self, request):
        tokens = api_token_list_for_user(user=request.user)
        return Response({"results": TokenOutputSerializer(tokens, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=data.validated_data["name"])
        body = dict(TokenOutputSerializer(token).data, key=key)
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, token_id):
        api_token_revoke(token=api_token_get_for_user(user=request.user, token_id=token_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
