"""Reads for jobs and refresh history; every API view and page reaches a job through these.

Page view models (what the indicator shows) are built in ``jobs.view_models``.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from jobs.models import ACTIVE_JOB_STATUSES, JobRecord, JobStatus, JobType, RefreshHistory
from jobs.view_models import RefreshState, refresh_state_from_job


def job_list_for_user(
    *,
    user,
    status: str | None = None,
    job_type: str | None = None,
    project_id=None,
) -> QuerySet[JobRecord]:
    """Jobs of the user's projects, newest first; staff see every job.

    Each filter applies only when given.
    """
    qs = JobRecord.objects.select_related("project", "requested_by")
    if not user.is_staff:
        qs = qs.filter(project__owner=user)
    if status:
        qs = qs.filter(status=status)
    if job_type:
        qs = qs.filter(job_type=job_type)
    if project_id:
        qs = qs.filter(project_id=project_id)
    return qs.order_by("-created_at")


def job_get_for_user(*, user, job_id) -> JobRecord:
    """The job if the user may see it, else 404 (another user's job does not exist for them)."""
    return get_object_or_404(job_list_for_user(user=user), pk=job_id)


def active_job_for_project(*, project) -> JobRecord | None:
    """The project's queued or running pipeline job, if any (there is at most one)."""
    return (
        JobRecord.objects.filter(project=project, status__in=ACTIVE_JOB_STATUSES)
        .order_by("-created_at")
        .first()
    )


def active_job_for_user_project(*, user, project_id) -> JobRecord | None:
    """The active job of project ``project_id`` with its project, if ``user`` may see it.

    One query for what a refresh flood asks most: "is a job already there?".
    ``None`` says nothing about access: callers then use ``project_get_for_user``.
    """
    qs = JobRecord.objects.select_related("project", "project__owner").filter(
        project_id=project_id, status__in=ACTIVE_JOB_STATUSES
    )
    if not user.is_staff:
        qs = qs.filter(project__owner=user)
    return qs.order_by("-created_at").first()


def refresh_history_for_project(*, project) -> QuerySet[RefreshHistory]:
    """Every refresh of the project, newest first, with its user and job."""
    return (
        RefreshHistory.objects.filter(project=project)
        .select_related("user", "job")
        .order_by("-created_at")
    )


def latest_refresh_for_project(*, project) -> JobRecord | None:
    """The project's active pipeline job, else its most recent refresh job, else ``None``.

    The one "latest refresh" query, for the API's refresh-status and the
    page's indicator alike (one query: the page asks on every poll). An
    active skills extraction counts: a refresh request made meanwhile is
    answered with it, so it is what a client polling for "the refresh" waits on.
    """
    return (
        JobRecord.objects.filter(project=project)
        .filter(Q(job_type=JobType.REFRESH) | Q(status__in=ACTIVE_JOB_STATUSES))
        .annotate(
            active_first=Case(
                When(status__in=ACTIVE_JOB_STATUSES, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-active_first", "-created_at")
        .first()
    )


def refresh_state_for_project(*, project) -> RefreshState:
    """What the refresh indicator shows for ``project`` (its latest refresh; one query)."""
    return refresh_state_from_job(latest_refresh_for_project(project=project))


def card_refresh_states_for(projects) -> dict:
    """``{project_id: RefreshState}`` for the cards that need one (one query).

    A project whose latest job is queued or running shows it live; one whose
    latest job failed shows the failure, so a broken project is visible from
    the dashboard, not only on its page.
    """
    ids = [p.pk for p in projects]
    if not ids:
        return {}
    latest = (
        JobRecord.objects.filter(project_id=OuterRef("project_id"))
        .order_by("-created_at")
        .values("pk")[:1]
    )
    jobs = JobRecord.objects.filter(
        project_id__in=ids,
        pk=Subquery(latest),
        status__in=(*ACTIVE_JOB_STATUSES, JobStatus.FAILED),
    )
    return {job.project_id: refresh_state_from_job(job) for job in jobs}


def refresh_trigger_for_job(*, job: JobRecord) -> str | None:
    """How the refresh behind ``job`` was asked for (manual/scheduled/webhook/api)."""
    return (
        RefreshHistory.objects.filter(job=job)
        .order_by("created_at")
        .values_list("trigger", flat=True)
        .first()
    )


def project_has_jobs(*, project) -> bool:
    """Whether any job was ever requested for ``project`` (its first refresh is free)."""
    return JobRecord.objects.filter(project=project).exists()
