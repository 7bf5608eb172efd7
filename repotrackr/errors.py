"""404 and 500 handlers: JSON under /api/, styled pages elsewhere."""

from __future__ import annotations

from django.shortcuts import render

from repotrackr.api_errors import json_error_response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return json_error_response(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_api(request):
        return json_error_response(500, "server_error", "Something went wrong on our side.")
    return render(request, "500.html", status=500)
