"""OpenAPI building blocks for API views: page and list envelopes, error responses.

The API answers lists in two envelopes: LimitOffsetPagination's page
(``count``, ``next``, ``previous``, ``results``) and a plain ``{"results": [...]}``
for short, unpaginated lists. Every failure uses one shape (``api_errors.error_body``).
Views declare these with ``extend_schema`` so the published schema matches
what they return.
"""

from __future__ import annotations

from functools import cache

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


def _component_base(serializer_class: type[serializers.BaseSerializer]) -> str:
    """The component name drf-spectacular gives ``serializer_class``: its name minus "Serializer"."""
    name = serializer_class.__name__
    return name[: -len("Serializer")] if name.endswith("Serializer") else name


def _envelope(name: str, fields: dict) -> type[serializers.Serializer]:
    # A named class (not an instance) so each envelope is one schema component.
    return type(f"{name}Serializer", (serializers.Serializer,), dict(fields))


@cache
def paginated(serializer_class: type[serializers.BaseSerializer]) -> type[serializers.Serializer]:
    """The serializer of one LimitOffsetPagination page of ``serializer_class`` items.

    Named ``Paginated<Item>List`` in the schema. Cached, so repeated calls for the
    same item give the same class and the schema has no duplicate components.
    """
    return _envelope(
        f"Paginated{_component_base(serializer_class)}List",
        {
            "count": serializers.IntegerField(help_text="Items across all pages."),
            "next": serializers.URLField(
                allow_null=True, help_text="The next page, or null on the last page."
            ),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page, or null on the first page."
            ),
            "results": serializer_class(many=True),
        },
    )


@cache
def results_list(
    serializer_class: type[serializers.BaseSerializer],
) -> type[serializers.Serializer]:
    """The serializer of an unpaginated ``{"results": [...]}`` list of ``serializer_class`` items.

    Named ``<Item>Results`` in the schema; cached like ``paginated``.
    """
    return _envelope(
        f"{_component_base(serializer_class)}Results",
        {"results": serializer_class(many=True)},
    )


PAGINATION_PARAMETERS = [
    OpenApiParameter(
        "limit", int, description="Items per page (the server's page size when omitted)."
    ),
    OpenApiParameter("offset", int, description="Items to skip before the page starts."),
]


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='A stable machine-readable code, e.g. "not_found".')
    message = serializers.CharField(help_text="A sentence for people.")
    details = serializers.JSONField(
        allow_null=True,
        help_text="Structured detail, e.g. invalid fields or a rate limit's retry_after; may be null.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_MEANINGS = {
    400: "The input is invalid; details name the fields.",
    401: "Not authenticated: send an API token or sign in.",
    403: "Authenticated, but not allowed to do this.",
    404: "No such object, or it is not yours.",
    409: "The object is not in a state that allows this.",
    429: "Rate limit exceeded; details give retry_after in seconds.",
    503: "A service this request needs (Redis, the job queue) is unavailable.",
}


def errors(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``, all in the one error shape.

    401 and 403 are always included, since every documented operation needs
    an authenticated user. Unknown codes raise KeyError.
    """
    codes = sorted({401, 403, *status_codes})
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_ERROR_MEANINGS[code])
        for code in codes
    }
