from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/console/", views.queue_console, name="console"),
    path("jobs/<uuid:job_id>/retry/", views.job_retry_view, name="retry"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel_view, name="cancel"),
    path("projects/<uuid:project_id>/refresh/", views.project_refresh, name="project_refresh"),
    path(
        "projects/<uuid:project_id>/refresh/status/",
        views.project_refresh_status,
        name="project_refresh_status",
    ),
]
