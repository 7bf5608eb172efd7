"""One page of a list endpoint, in LimitOffsetPagination's shape."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


class ApiPagination(LimitOffsetPagination):
    """Limit/offset pages; a ``limit`` above ``API_MAX_PAGE_SIZE`` is cut to it."""

    def __init__(self) -> None:
        # Read per paginator (one per request), so a changed setting applies at once.
        self.max_limit = settings.API_MAX_PAGE_SIZE


def paginated_response(request, view, queryset, serializer_class, **serializer_kwargs) -> Response:
    """``{"count", "next", "previous", "results"}`` for the ``limit``/``offset`` asked for."""
    paginator = ApiPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, **serializer_kwargs).data
    )
