from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from accounts import api as accounts_api
from accounts.login_throttle import throttle_login
from jobs.api import PrometheusMetricsApi
from repotrackr import api_docs, api_resources, errors, health

api_v1: list[URLPattern | URLResolver] = [
    path("", api_resources.ApiRootApi.as_view(), name="root"),
    path("", include("projects.api_urls")),
    path("", include("skills.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("notifications.api_urls")),
    path("tokens", accounts_api.TokenListCreateApi.as_view(), name="token-list"),
    path("tokens/<uuid:token_id>", accounts_api.TokenDetailApi.as_view(), name="token-detail"),
]

urlpatterns = [
    path("health/", health.ready, name="health"),
    path("health/live", health.live, name="health-live"),
    path("health/queue", health.queue, name="health-queue"),
    path("metrics", PrometheusMetricsApi.as_view(), name="metrics"),
    path("admin/rq/", include("jobs.rq_dashboard")),
    # Before the admin's own URLs, so its login form is throttled too.
    path("admin/login/", throttle_login(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", api_docs.schema_view, name="api-schema"),
    path("api/docs/", api_docs.docs_view, name="api-docs"),
    path("", include("jobs.urls")),
    path("", include("webhooks.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("projects.urls")),
]

handler404 = errors.not_found
handler500 = errors.server_error
