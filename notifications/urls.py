from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("channels/", views.channel_list, name="list"),
    path("channels/<uuid:channel_id>/", views.channel_detail, name="detail"),
    path("channels/<uuid:channel_id>/test/", views.channel_test, name="test"),
    path("channels/<uuid:channel_id>/delete/", views.channel_delete_view, name="delete"),
    path("channels/verify/<str:token>/", views.channel_verify_view, name="verify"),
    # Mail clients' one-click unsubscribe POSTs without a CSRF token (RFC 8058);
    # the signed token in the URL is the proof.
    path("unsubscribe/<str:token>/", csrf_exempt(views.unsubscribe), name="unsubscribe"),
    path("projects/<uuid:project_id>/notifications/", views.project_mute, name="project_mute"),
]
