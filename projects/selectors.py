"""Reads for projects; every view reaches a project through these."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from projects.models import Project, ProgressSnapshot, Task


def project_list_for_user(*, user) -> QuerySet[Project]:
    """The user's projects; staff see every project."""
    qs = Project.objects.select_related("owner")
    return qs if user.is_staff else qs.filter(owner=user)


def project_get_for_user(*, user, project_id) -> Project:
    """The project if the user may see it, else 404 (never 403: it does not exist for them)."""
    return get_object_or_404(project_list_for_user(user=user), pk=project_id)


def task_list_for_project(*, project: Project, status: str = "", phase: str = "") -> QuerySet[Task]:
    qs = Task.objects.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if phase:
        qs = qs.filter(phase=phase)
    return qs.order_by("order")


def snapshot_list_for_project(*, project: Project) -> QuerySet[ProgressSnapshot]:
    return ProgressSnapshot.objects.filter(project=project).order_by("-created_at")
