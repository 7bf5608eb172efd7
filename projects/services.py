"""Writes for projects. Only this module (and the plan store) writes project rows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.core.secret_box import decrypt_token, encrypt_token
from projects.models import Project, ProjectStatus
from projects.plan_reading import status_of_stored_project

# Fields whose change alters what a refresh reads; changing one invalidates
# the "unchanged" short-circuit.
PARSE_AFFECTING_FIELDS = ("repo_url", "branch", "plan_path")
NAME_TAKEN = "You already have a project with this name."
EDITABLE_FIELDS = (
    "name",
    "repo_url",
    "branch",
    "plan_path",
    "refresh_interval_hours",
    "archived",
)


def project_repository_settings(project: Project) -> tuple:
    """What decides what a refresh reads; when it changes, the shown data is out of date."""
    return (*(getattr(project, f) for f in PARSE_AFFECTING_FIELDS), project.access_token_encrypted)


def _apply_access_token(project: Project, token: str | None) -> None:
    """``None`` leaves the token as it is; ``""`` removes it."""
    if token is None:
        return
    project.access_token_encrypted = (
        encrypt_token(token, settings.REPOTRACKR_TOKEN_KEY) if token else ""
    )


def project_access_token(*, project: Project) -> str:
    """The decrypted access token, or ``""``. Never log or display the result."""
    if not project.access_token_encrypted:
        return ""
    return decrypt_token(
        project.access_token_encrypted,
        settings.REPOTRACKR_TOKEN_KEY,
        old_keys=settings.REPOTRACKR_TOKEN_OLD_KEYS,
    )


def project_create(
    *,
    owner,
    name: str,
    repo_url: str,
    branch: str = "",
    plan_path: str = "",
    refresh_interval_hours: int | None = None,
    archived: bool = False,
    access_token: str | None = None,
) -> Project:
    project = Project(
        owner=owner,
        name=name,
        repo_url=repo_url,
        branch=branch,
        plan_path=plan_path,
        refresh_interval_hours=refresh_interval_hours or settings.REPOTRACKR_REFRESH_INTERVAL_HOURS,
        archived=archived,
        status=ProjectStatus.ARCHIVED if archived else ProjectStatus.UNKNOWN,
    )
    _apply_access_token(project, access_token)
    _validate_and_save(project)
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any]) -> Project:
    """Apply the given editable fields (and ``access_token``) to the project."""
    changed: list[str] = []
    for field in EDITABLE_FIELDS:
        if field in data and getattr(project, field) != data[field]:
            setattr(project, field, data[field])
            changed.append(field)
    if "access_token" in data and data["access_token"] is not None:
        _apply_access_token(project, data["access_token"])
        changed.append("access_token_encrypted")
    elif "repo_url" in changed and project.access_token_encrypted:
        # A token never follows the repository to another address: whoever
        # edits the URL must give the token for the new one again.
        project.access_token_encrypted = ""
        changed.append("access_token_encrypted")
    if any(f in changed for f in (*PARSE_AFFECTING_FIELDS, "access_token_encrypted")):
        project.refresh_fingerprint = ""
        changed.append("refresh_fingerprint")
    if "archived" in changed:
        changed += _status_after_archive_change(project)
    if changed:
        _validate_and_save(project, update_fields=[*set(changed), "updated_at"])
    return project


def _name_taken(project: Project) -> bool:
    clash = Project.objects.filter(owner_id=project.owner_id, name=project.name)
    return clash.exclude(pk=project.pk).exists()


def _validate_and_save(project: Project, *, update_fields: list[str] | None = None) -> None:
    """``full_clean`` and save; a taken name is a ``ValidationError`` on ``name``.

    The name may be taken between the check and the write by a concurrent
    request: the unique constraint then fails the insert, which is told
    apart from other integrity errors by looking again.
    """
    if _name_taken(project):
        raise ValidationError({"name": [NAME_TAKEN]})
    project.full_clean()
    try:
        # A savepoint, so that the caller's transaction survives the failure.
        with transaction.atomic():
            project.save(update_fields=update_fields)
    except IntegrityError:
        if _name_taken(project):
            raise ValidationError({"name": [NAME_TAKEN]}) from None
        raise


def _status_after_archive_change(project: Project) -> list[str]:
    """Set status and message for the new ``archived`` flag; return the fields.

    Un-archiving a project refreshed before recomputes its status from the
    stored counts and last commit with the thresholds of its last refresh
    (its ``repotrackr.yml`` included); one never refreshed is ``unknown``.
    """
    judged = status_of_stored_project(project, now=timezone.now())
    project.status = judged.status
    project.status_message = judged.message
    return ["status", "status_message"]


def project_delete(*, project: Project) -> None:
    project.delete()
