from django.urls import path

from jobs import api

urlpatterns = [
    path(
        "projects/<uuid:project_id>/refresh",
        api.ProjectRefreshApi.as_view(),
        name="project-refresh",
    ),
    path(
        "projects/<uuid:project_id>/refresh-status",
        api.ProjectRefreshStatusApi.as_view(),
        name="project-refresh-status",
    ),
    path(
        "projects/<uuid:project_id>/refresh-history",
        api.ProjectRefreshHistoryApi.as_view(),
        name="project-refresh-history",
    ),
    path(
        "projects/<uuid:project_id>/extract-skills",
        api.ProjectExtractSkillsApi.as_view(),
        name="project-extract-skills",
    ),
    path("jobs", api.JobListApi.as_view(), name="job-list"),
    path("jobs/queue-status", api.QueueStatusApi.as_view(), name="job-queue-status"),
    path("jobs/metrics", api.JobMetricsApi.as_view(), name="job-metrics"),
    path("jobs/failed", api.FailedJobsApi.as_view(), name="job-failed"),
    path(
        "jobs/queues/<str:name>/pause",
        api.QueuePauseApi.as_view(pause=True),
        name="queue-pause",
    ),
    path(
        "jobs/queues/<str:name>/resume",
        api.QueuePauseApi.as_view(pause=False),
        name="queue-resume",
    ),
    path("jobs/<uuid:job_id>", api.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/status", api.JobStatusApi.as_view(), name="job-status"),
    path("jobs/<uuid:job_id>/retry", api.JobRetryApi.as_view(), name="job-retry"),
]
