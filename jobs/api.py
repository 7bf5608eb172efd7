"""Jobs over the API: refresh and extraction requests, job status, management, metrics.

Owners act on their own projects' jobs; staff on every job. Queue-wide
operations (queue status, metrics, pause/resume, clearing failed jobs) are
staff-only. Domain errors map to the JSON error format in ``JobApiMixin``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from jobs import metrics, queues, services
from jobs.api_support import RATE_LIMIT_UNAVAILABLE, JobApiMixin, RateLimited
from jobs.models import JobRecord, JobStatus, JobType
from jobs.prometheus import CONTENT_TYPE, render_prometheus
from jobs.refresh_requests import (
    RETRY_ANY_JOB_PERMISSION,
    Outcome,
    RefreshRequestOutcome,
    RequestTrigger,
    project_refresh_request,
)
from jobs.rq_dashboard import MANAGE_QUEUES_PERMISSION
from jobs.selectors import (
    job_get_for_user,
    job_list_for_user,
    latest_refresh_for_project,
    refresh_history_for_project,
    refresh_trigger_for_job,
)
from projects.selectors import project_get_for_user
from repotrackr.api_errors import Conflict, ServiceUnavailable
from repotrackr.api_pagination import paginated_response
from repotrackr.api_schema import PAGINATION_PARAMETERS, errors, paginated


def trigger_for(request) -> RequestTrigger:
    """``api`` for calls authenticated with an API token, ``manual`` for a browser session."""
    return RequestTrigger.API if isinstance(request.auth, ApiToken) else RequestTrigger.MANUAL


# -- output shapes ---------------------------------------------------------------


class JobOutputSerializer(serializers.Serializer):
    """The seed's job status shape, plus what our records know besides."""

    job_id = serializers.UUIDField(source="id")
    status = serializers.CharField()
    progress = serializers.FloatField()
    result = serializers.JSONField(allow_null=True)
    error = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    stage = serializers.CharField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    job_type = serializers.CharField()
    project_id = serializers.UUIDField(allow_null=True)
    queue = serializers.CharField()
    priority = serializers.CharField()
    force = serializers.BooleanField()
    retry_of = serializers.UUIDField(source="retry_of_id", allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    cpu_seconds = serializers.FloatField(allow_null=True)
    peak_memory_bytes = serializers.IntegerField(allow_null=True)
    error_detail = serializers.SerializerMethodField(
        help_text="The traceback of a failed job; staff only (null for others)."
    )

    def get_error(self, job: JobRecord) -> str | None:
        return job.error or None

    def get_error_detail(self, job: JobRecord) -> str | None:
        request = self.context.get("request")
        if request is None or not request.user.is_staff:
            return None
        return job.error_detail or None


class RefreshAnswerSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.CharField()
    message = serializers.CharField()


class RefreshStatusSerializer(JobOutputSerializer):
    trigger = serializers.CharField(allow_null=True)


class RefreshHistoryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    trigger = serializers.CharField()
    job_id = serializers.UUIDField(allow_null=True)
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    result = serializers.JSONField(allow_null=True)
    error = serializers.SerializerMethodField()

    def get_error(self, entry) -> str | None:
        return entry.error or None


def refused(outcome: RefreshRequestOutcome) -> exceptions.APIException:
    """The API error for a refused request (the caller has already recorded the decision)."""
    if outcome.kind == Outcome.NOT_ALLOWED:
        return exceptions.PermissionDenied("Only the project's owner may act on it.")
    if outcome.kind == Outcome.RATE_LIMITED:
        assert outcome.decision is not None  # a rate limit refusal carries its decision
        return RateLimited(outcome.decision)
    if outcome.kind == Outcome.LIMITS_UNAVAILABLE:
        return ServiceUnavailable(RATE_LIMIT_UNAVAILABLE)
    if outcome.kind == Outcome.QUEUE_UNAVAILABLE:
        return ServiceUnavailable("The job queue is unavailable; nothing was queued.")
    return Conflict(f"{outcome.detail[:1].upper()}{outcome.detail[1:]}.")


def _answer_message(outcome: RefreshRequestOutcome, *, noun: str) -> str:
    job = outcome.job
    assert job is not None  # an accepted request always carries its job
    created = outcome.kind == Outcome.QUEUED
    waiting = created or job.status == JobStatus.QUEUED
    note = f" {queues.NO_WORKER_NOTE}" if waiting and not queues.workers_running() else ""
    if created:
        return f"{noun.capitalize()} queued successfully.{note}"
    what = "refresh" if job.job_type == JobType.REFRESH else "skills extraction"
    state = "running" if job.status == JobStatus.PROCESSING else "queued"
    parts = [f"A {what} of this project is already {state}; this is that job."]
    if outcome.moved_to_high:
        parts.append("It was moved to high priority.")
    if outcome.force_applied:
        parts.append("It will run even if the repository is unchanged.")
    return " ".join(parts) + note


def _answer(view, outcome: RefreshRequestOutcome, *, noun: str) -> Response:
    """202 with a new job, 200 with the active one; a refusal raises its API error."""
    view.rate_limit_decision = outcome.decision
    if not outcome.accepted:
        raise refused(outcome)
    job = outcome.job
    assert job is not None  # an accepted request always carries its job
    created = outcome.kind == Outcome.QUEUED
    body = {
        "job_id": job.id,
        "status": JobStatus.QUEUED if created else job.status,
        "message": _answer_message(outcome, noun=noun),
    }
    code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
    return Response(RefreshAnswerSerializer(body).data, status=code)


# -- per-project requests ------------------------------------------------------------


class RefreshInputSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Parse again even if the repository is unchanged.",
    )


class ProjectRefreshApi(JobApiMixin, APIView):
    @extend_schema(
        summary="Refresh a project",
        description=(
            "Queues a refresh: clone or fetch the repository, parse its plan, extract skills. "
            "202 with the new job; 200 with the job already queued or running for this "
            "project (moved to high priority, and forced when asked). Counts against the "
            "refresh rate limit; the response carries X-RateLimit-* headers."
        ),
        request=RefreshInputSerializer,
        responses={
            202: RefreshAnswerSerializer,
            200: RefreshAnswerSerializer,
            **errors(400, 404, 429, 503),
        },
    )
    def post(self, request, project_id):
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        force = data.validated_data["force"]

        project = project_get_for_user(user=request.user, project_id=project_id)
        outcome = project_refresh_request(
            project=project, requested_by=request.user, trigger=trigger_for(request), force=force
        )
        return _answer(self, outcome, noun="project refresh")


class ProjectExtractSkillsApi(JobApiMixin, APIView):
    # Skills only; counts against the refresh budget (it clones the repository too).

    @extend_schema(
        summary="Extract a project's skills",
        description=(
            "Queues a skills extraction only (no plan parsing). 202 with the new job; 200 with "
            "the refresh or extraction already queued or running for this project. Counts "
            "against the refresh rate limit, since it fetches the repository too."
        ),
        request=None,
        responses={
            202: RefreshAnswerSerializer,
            200: RefreshAnswerSerializer,
            **errors(404, 429, 503),
        },
    )
    def post(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        outcome = project_refresh_request(
            project=project,
            requested_by=request.user,
            trigger=trigger_for(request),
            skills_only=True,
        )
        return _answer(self, outcome, noun="skills extraction")


class ProjectRefreshStatusApi(APIView):
    @extend_schema(
        summary="A project's latest refresh",
        description=(
            "The status of the project's most recent refresh job. Before the first refresh, "
            "job_id and status are null and a message says so."
        ),
        responses={200: RefreshStatusSerializer, **errors(404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        job = latest_refresh_for_project(project=project)
        if job is None:
            return Response(
                {
                    "project_id": project.id,
                    "job_id": None,
                    "status": None,
                    "progress": None,
                    "stage": "",
                    "result": None,
                    "error": None,
                    "trigger": None,
                    "created_at": None,
                    "started_at": None,
                    "completed_at": None,
                    "message": "This project has not been refreshed yet.",
                }
            )
        job.trigger = refresh_trigger_for_job(job=job)
        return Response(RefreshStatusSerializer(job, context={"request": request}).data)


class ProjectRefreshHistoryApi(APIView):
    @extend_schema(
        operation_id="api_v1_projects_refresh_history_list",
        summary="A project's refresh history",
        description="Every refresh requested for the project, who or what asked, and how it ended.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(RefreshHistoryOutputSerializer), **errors(404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        return paginated_response(
            request,
            self,
            refresh_history_for_project(project=project),
            RefreshHistoryOutputSerializer,
        )


# -- jobs ---------------------------------------------------------------------------


class JobFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    type = serializers.ChoiceField(choices=JobType.choices, required=False)
    project = serializers.UUIDField(required=False)


class JobListApi(APIView):
    @extend_schema(
        operation_id="api_v1_jobs_list",
        summary="List jobs",
        description="Jobs of your projects (staff: every job), optionally filtered, one page at a time.",
        parameters=[
            OpenApiParameter("status", enum=JobStatus.values),
            OpenApiParameter("type", enum=JobType.values),
            OpenApiParameter("project", OpenApiTypes.UUID, description="Only this project's jobs."),
            *PAGINATION_PARAMETERS,
        ],
        responses={200: paginated(JobOutputSerializer), **errors(400)},
    )
    def get(self, request):
        filters = JobFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        jobs = job_list_for_user(
            user=request.user,
            status=f.get("status"),
            job_type=f.get("type"),
            project_id=f.get("project"),
        )
        return paginated_response(
            request, self, jobs, JobOutputSerializer, context={"request": request}
        )


class JobStatusApi(APIView):
    @extend_schema(
        summary="Read a job",
        description="One job's status, progress, result or error, and timings.",
        responses={200: JobOutputSerializer, **errors(404)},
    )
    def get(self, request, job_id):
        job = job_get_for_user(user=request.user, job_id=job_id)
        return Response(JobOutputSerializer(job, context={"request": request}).data)


class JobRetryApi(JobApiMixin, APIView):
    @extend_schema(
        summary="Retry a failed job",
        description=(
            "Queues a new job linked to the failed one (retry_of). 409 unless the job failed. "
            "Counts against the refresh rate limit."
        ),
        request=None,
        responses={202: JobOutputSerializer, **errors(404, 409, 429, 503)},
    )
    def post(self, request, job_id):
        job = job_get_for_user(user=request.user, job_id=job_id)
        if job.status != JobStatus.FAILED:
            # Answered before the budget is consulted: a refusal costs nothing.
            raise services.JobStateError(
                f"Only failed jobs can be retried; this one is {job.status}."
            )
        if job.project_id is None:
            raise services.JobStateError("The job's project no longer exists.")

        outcome = project_refresh_request(
            project=job.project,
            requested_by=request.user,
            trigger=trigger_for(request),
            retry_of=job,
        )
        self.rate_limit_decision = outcome.decision
        if not outcome.accepted:
            raise refused(outcome)
        return Response(
            JobOutputSerializer(outcome.job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class JobDetailApi(JobApiMixin, APIView):
    @extend_schema(
        summary="Cancel a job",
        description="Cancels a queued job or stops a running one; 409 once it has finished.",
        responses={200: JobOutputSerializer, **errors(404, 409, 503)},
    )
    def delete(self, request, job_id):
        job = job_get_for_user(user=request.user, job_id=job_id)
        owns = job.project is not None and job.project.owner_id == request.user.pk
        if not owns and not request.user.has_perm(RETRY_ANY_JOB_PERMISSION):
            raise exceptions.PermissionDenied(
                "Canceling other users' jobs needs jobs.retry_any_job."
            )
        job = services.job_cancel(job=job, user=request.user)
        return Response(JobOutputSerializer(job, context={"request": request}).data)


class CanManageQueues(BasePermission):
    """Staff holding ``jobs.manage_queues``: being staff alone is not enough."""

    message = "Managing queues needs the jobs.manage_queues permission."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_staff and user.has_perm(MANAGE_QUEUES_PERMISSION))


class FailedJobsApi(JobApiMixin, APIView):
    permission_classes = [CanManageQueues]

    @extend_schema(
        summary="Clear failed jobs (staff)",
        description="Deletes every failed job and its record; answers how many were deleted.",
        responses={
            200: inline_serializer("FailedJobsCleared", {"cleared": serializers.IntegerField()}),
            **errors(503),
        },
    )
    def delete(self, request):
        return Response({"cleared": services.failed_jobs_clear()})


class QueueStatusApi(JobApiMixin, APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Queue status (staff)",
        description="Each queue's job counts and the workers serving them.",
        responses={200: OpenApiTypes.OBJECT, **errors(503)},
    )
    def get(self, request):
        return Response(metrics.queue_status(now=timezone.now()))


class QueuePauseApi(JobApiMixin, APIView):
    permission_classes = [CanManageQueues]
    pause = True

    @extend_schema(
        summary="Pause or resume a queue (staff)",
        description="Pauses or resumes the named queue; answers its name and paused state.",
        request=None,
        responses={
            200: inline_serializer(
                "QueuePausedState",
                {"queue": serializers.CharField(), "paused": serializers.BooleanField()},
            ),
            **errors(404, 503),
        },
    )
    def post(self, request, name):
        try:
            (queues.queue_pause if self.pause else queues.queue_resume)(name)
        except queues.UnknownQueueError:
            raise exceptions.NotFound(f"No queue is named {name!r}.") from None
        return Response({"queue": name, "paused": name in queues.paused_queues()})


class JobMetricsApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Job metrics (staff)",
        description="Job counts, durations and resource use, as JSON.",
        responses={200: OpenApiTypes.OBJECT, **errors(503)},
    )
    def get(self, request):
        return Response(metrics.job_metrics(now=timezone.now()))


class PrometheusMetricsApi(APIView):
    """``/metrics``: the same figures in Prometheus text (a staff session or a staff API token)."""

    permission_classes = [IsAdminUser]

    @extend_schema(exclude=True)
    def get(self, request):
        body = render_prometheus(metrics.job_metrics(now=timezone.now()))
        return HttpResponse(body, content_type=CONTENT_TYPE)
