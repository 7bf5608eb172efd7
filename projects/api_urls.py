from django.urls import path

from projects import api

urlpatterns = [
    path("projects", api.ProjectListCreateApi.as_view(), name="project-list"),
    path("projects/<uuid:project_id>", api.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<uuid:project_id>/tasks", api.ProjectTasksApi.as_view(), name="project-tasks"),
    path(
        "projects/<uuid:project_id>/progress",
        api.ProjectProgressApi.as_view(),
        name="project-progress",
    ),
]
