from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    # Any text, not only a UUID: a malformed id gets the same JSON 404 as an unknown one.
    path("webhooks/<str:project_id>/", views.receive, name="receive"),
    path("projects/<uuid:project_id>/webhook/", views.webhook_page, name="page"),
    path("projects/<uuid:project_id>/webhook/rotate/", views.webhook_rotate, name="rotate"),
    path("projects/<uuid:project_id>/webhook/test/", views.webhook_test, name="test"),
]
