from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from jobs.api import PrometheusMetricsApi
from repotrackr import errors, health

api_v1 = [
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
    path("admin/rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("jobs.urls")),
    path("", include("webhooks.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("projects.urls")),
]

handler404 = errors.not_found
handler500 = errors.server_error
