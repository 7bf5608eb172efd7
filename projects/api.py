"""Projects over the API: list, create, read, update, delete; tasks; progress."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api_support import JobApiMixin
from jobs.ratelimit import CREATE_PROJECT, check_and_count
from projects import validation
from projects.models import Project, ProjectStatus, TaskStatus
from projects.selectors import (
    project_get_for_user,
    project_get_for_user_to_change,
    project_list_for_user,
    snapshot_list_for_project,
    task_list_for_project,
)
from projects.services import (
    project_create,
    project_delete,
    project_repository_settings,
    project_update,
)
from repotrackr.api_pagination import paginated_response
from repotrackr.api_schema import PAGINATION_PARAMETERS, errors, paginated


def _django_validator(func):
    def run(value):
        try:
            return func(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return run


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    repo_url = serializers.CharField(max_length=500)
    branch = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    plan_path = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    refresh_interval_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 30, required=False, allow_null=True, default=None
    )
    archived = serializers.BooleanField(required=False, default=False)
    access_token = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        write_only=True,
        default=None,
        help_text="Write-only. Blank removes a stored token.",
        trim_whitespace=True,
    )

    def validate_name(self, value):
        return _django_validator(validation.clean_name)(value)

    def validate_repo_url(self, value):
        return _django_validator(validation.clean_repo_url)(value)

    def validate_branch(self, value):
        return _django_validator(validation.clean_branch)(value)

    def validate_plan_path(self, value):
        return _django_validator(validation.clean_plan_path)(value)

    def validate(self, attrs):
        if self.instance is not None and attrs.get("refresh_interval_hours", 0) is None:
            # Null means "the site default" only when creating; a project always has one.
            raise serializers.ValidationError(
                {"refresh_interval_hours": ["This field may not be null."]}
            )
        owner = self.context["owner"]
        name = attrs.get("name")
        if name is not None:
            clash = Project.objects.filter(owner=owner, name=name)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"name": ["You already have a project with this name."]}
                )
        return attrs


STATUS_HELP = (
    "The project's status (one vocabulary for the API, the pages and the CLI): complete, "
    "green, yellow, red, stale, no_plan, unknown or archived. Precedence: archived > unknown "
    "> no_plan > complete > stale > green/yellow/red. A failed latest refresh is not a "
    "status: the last good figures and status stay (see refresh-status)."
)


class ProjectOutputSerializer(serializers.ModelSerializer):
    has_access_token = serializers.BooleanField(read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    status = serializers.ChoiceField(
        choices=ProjectStatus.choices, read_only=True, help_text=STATUS_HELP
    )
    status_label = serializers.CharField(
        source="get_status_display",
        read_only=True,
        help_text='What the pages show for the status, e.g. "On track" for green.',
    )
    plan_searched = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Where plan discovery looked, when the last refresh found no plan (no_plan).",
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "owner",
            "repo_url",
            "branch",
            "plan_path",
            "status",
            "status_label",
            "status_message",
            "percentage",
            "total_tasks",
            "done_tasks",
            "doing_tasks",
            "blocked_tasks",
            "todo_tasks",
            "plan_files",
            "plan_searched",
            "last_commit_sha",
            "last_commit_at",
            "last_refreshed_at",
            "refresh_interval_hours",
            "archived",
            "has_access_token",
            "velocity_per_week",
            "forecast_date",
            "forecast_earliest",
            "forecast_latest",
            "forecast_note",
            "created_at",
            "updated_at",
        ]


def _start_refresh(request, project, *, first_refresh: bool = False) -> dict:
    """Start the refresh that a new or re-pointed project needs, and say how it went."""
    from jobs.api import trigger_for
    from jobs.refresh_requests import project_refresh_request
    from jobs.web import refresh_outcome_message

    outcome = project_refresh_request(
        project=project,
        requested_by=request.user,
        trigger=trigger_for(request),
        force=True,
        first_refresh=first_refresh,
    )
    return {
        "started": outcome.accepted,
        "job_id": outcome.job.pk if outcome.accepted and outcome.job is not None else None,
        "message": refresh_outcome_message(outcome, after_save=True),
        "retry_after": outcome.retry_after if not outcome.accepted else None,
    }


class RefreshStartSerializer(serializers.Serializer):
    started = serializers.BooleanField()
    job_id = serializers.UUIDField(allow_null=True)
    message = serializers.CharField()
    retry_after = serializers.IntegerField(
        allow_null=True,
        help_text="Seconds until the refresh budget allows one, when the save was over it.",
    )


class ProjectWithRefreshSerializer(ProjectOutputSerializer):
    refresh = RefreshStartSerializer(
        required=False,
        help_text="The refresh started by this save; present when one was needed.",
    )

    class Meta(ProjectOutputSerializer.Meta):
        fields = [*ProjectOutputSerializer.Meta.fields, "refresh"]


class ProjectListCreateApi(JobApiMixin, APIView):
    @extend_schema(
        operation_id="api_v1_projects_list",
        summary="List projects",
        description="Your projects (staff: every project), by name, one page at a time.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(ProjectOutputSerializer), **errors()},
    )
    def get(self, request):
        projects = project_list_for_user(user=request.user).order_by("name")
        return paginated_response(request, self, projects, ProjectOutputSerializer)

    @extend_schema(
        summary="Create a project",
        description=(
            "Adds a git repository to track and starts its first refresh (see refresh). "
            "Counts against the project-creation rate limit once the input is valid; the "
            "response carries X-RateLimit-* headers."
        ),
        request=ProjectInputSerializer,
        responses={201: ProjectWithRefreshSerializer, **errors(400, 429, 503)},
    )
    def post(self, request):
        data = ProjectInputSerializer(data=request.data, context={"owner": request.user})
        data.is_valid(raise_exception=True)
        # Counted once the input is valid: a typo does not cost an attempt.
        self.use_decision(check_and_count(request.user, CREATE_PROJECT))
        project = project_create(owner=request.user, **data.validated_data)
        body = dict(
            ProjectOutputSerializer(project).data,
            refresh=_start_refresh(request, project, first_refresh=True),
        )
        return Response(body, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(
        summary="Read a project",
        description="One project with its progress figures and refresh state.",
        responses={200: ProjectOutputSerializer, **errors(404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        return Response(ProjectOutputSerializer(project).data)

    @extend_schema(
        summary="Update a project",
        description=(
            "Changes only the fields sent. A blank access_token removes the stored one; "
            "changing the repository URL drops it too. Changing what a refresh reads "
            "(repository, branch, plan path, token) starts one, reported in refresh."
        ),
        request=ProjectInputSerializer,
        responses={200: ProjectWithRefreshSerializer, **errors(400, 404)},
    )
    def patch(self, request, project_id):
        project = project_get_for_user_to_change(user=request.user, project_id=project_id)
        data = ProjectInputSerializer(
            project, data=request.data, partial=True, context={"owner": project.owner}
        )
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        before = project_repository_settings(project)
        project = project_update(project=project, data=changes)
        body = ProjectOutputSerializer(project).data
        if project_repository_settings(project) != before and not project.archived:
            body = dict(body, refresh=_start_refresh(request, project))
        return Response(body)

    @extend_schema(
        summary="Delete a project",
        description="Stops the project's queued or running jobs, then deletes it and its history.",
        responses={204: None, **errors(404)},
    )
    def delete(self, request, project_id):
        from jobs.services import project_jobs_stop

        project = project_get_for_user_to_change(user=request.user, project_id=project_id)
        project_jobs_stop(project=project, user=request.user)
        project_delete(project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    phase = serializers.CharField()
    phase_index = serializers.IntegerField()
    section_path = serializers.ListField(child=serializers.CharField())
    depth = serializers.IntegerField()
    parent_id = serializers.UUIDField(allow_null=True)
    file_path = serializers.CharField()
    line = serializers.IntegerField()
    order = serializers.IntegerField()


class ProjectTasksApi(APIView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
        phase = serializers.CharField(required=False, max_length=300)
        phase_index = serializers.IntegerField(required=False, min_value=0, max_value=32767)

    @extend_schema(
        operation_id="api_v1_projects_tasks_list",
        summary="List a project's tasks",
        description="The tasks parsed from the project's plan files, in plan order, one page at a time.",
        parameters=[
            OpenApiParameter("status", enum=TaskStatus.values),
            OpenApiParameter("phase", str, description="Phase title; titles may repeat."),
            OpenApiParameter("phase_index", int, description="Phase position, from 0."),
            *PAGINATION_PARAMETERS,
        ],
        responses={200: paginated(TaskOutputSerializer), **errors(400, 404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tasks = task_list_for_project(project=project, **filters.validated_data)
        return paginated_response(request, self, tasks, TaskOutputSerializer)


class SnapshotOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    commit_sha = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    doing = serializers.IntegerField()
    blocked = serializers.IntegerField()
    todo = serializers.IntegerField()
    percentage = serializers.FloatField()
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    phases = serializers.JSONField()


class ProjectProgressApi(APIView):
    @extend_schema(
        operation_id="api_v1_projects_progress_list",
        summary="A project's progress history",
        description="Progress snapshots taken at each refresh, newest first, one page at a time.",
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(SnapshotOutputSerializer), **errors(404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        snapshots = snapshot_list_for_project(project=project)
        return paginated_response(request, self, snapshots, SnapshotOutputSerializer)
