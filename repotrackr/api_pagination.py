"""One page of a list endpoint, in LimitOffsetPagination's shape."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


def paginated_response(request, view, queryset, serializer_class, **serializer_kwargs) -> Response:
    """``{"count", "next", "previous", "results"}`` for the ``limit``/``offset`` asked for."""
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, **serializer_kwargs).data
    )
