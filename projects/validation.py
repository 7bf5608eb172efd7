"""Field validation shared by the project form and the API.

Each validator raises Django's ``ValidationError`` with a message a user can
act on; the rules themselves live in the pure core.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from projects.core.repo_url import InvalidBranchError, InvalidRepoUrlError, validate_branch_name
from projects.core.repo_url import validate_repo_url as core_validate_repo_url
from projects.core.source import UnsafePathError, normalise_relative_path


def clean_repo_url(value: str) -> str:
    try:
        return core_validate_repo_url(
            value.strip(), allow_local=settings.REPOTRACKR_ALLOW_LOCAL_REPOS
        ).url
    except InvalidRepoUrlError as exc:
        raise ValidationError(str(exc), code="invalid_repo_url") from None


def clean_branch(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_branch_name(value)
    except InvalidBranchError as exc:
        raise ValidationError(str(exc), code="invalid_branch") from None
    return value


def clean_plan_path(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/"):
        raise ValidationError(
            "Plan path must be relative to the repository root and may not contain '..'.",
            code="invalid_plan_path",
        )
    try:
        return normalise_relative_path(value)
    except UnsafePathError as exc:
        raise ValidationError(str(exc), code="invalid_plan_path") from None


def clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValidationError("Name may not be blank.", code="blank")
    return value
