"""The OpenAPI schema and its Swagger UI: for signed-in users, unless ``API_DOCS_PUBLIC``.

The schema answers scripts too (a bearer token is enough); the docs page sends a visitor
who is not signed in to the login page. Swagger UI is served in split form (its script a
separate request), so that it runs under the site's Content-Security-Policy.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class ApiDocsPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


schema_view = SpectacularAPIView.as_view(permission_classes=[ApiDocsPermission])
_swagger_view = SpectacularSwaggerSplitView.as_view(
    url_name="api-schema", permission_classes=[ApiDocsPermission]
)


def docs_view(request, *args, **kwargs):
    if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _swagger_view(request, *args, **kwargs)
