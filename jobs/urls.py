from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("projects/<uuid:project_id>/refresh/", views.project_refresh, name="project_refresh"),
    path(
        "projects/<uuid:project_id>/refresh/status/",
        views.project_refresh_status,
        name="project_refresh_status",
    ),
]
