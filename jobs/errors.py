"""Sort pipeline failures into "retry later" and "fail now", with a message for users.

Users see ``JobError.message``; the traceback goes to ``error_detail``
(staff only). Both pass through ``redact`` so a repository token never
reaches the database, logs or pages.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import redis
from django.db import InterfaceError, OperationalError
from rq.exceptions import AbandonedJobError
from rq.timeouts import JobTimeoutException

from jobs.memory_guard import MemoryLimitError
from projects.core.git_errors import GitFetchError, redact
from projects.core.plan_config import PlanConfigError
from projects.core.plan_discovery import PlanError
from projects.core.repo_url import HostResolutionError, InvalidBranchError, InvalidRepoUrlError
from projects.core.secret_box import TokenDecryptError
from projects.core.source import CorruptRepositoryError, SourceError, TooManyFilesError

WORKER_DIED = "the worker running this job stopped unexpectedly; request a new refresh"


@dataclass(frozen=True)
class JobError:
    message: str
    detail: str
    retryable: bool


def classify_error(exc: BaseException, *, secrets: tuple[str, ...] = ()) -> JobError:
    """The user message, staff detail and retryability of a pipeline exception."""
    detail = redact("".join(traceback.format_exception(exc)), secrets)
    retryable = False
    if isinstance(exc, GitFetchError):
        message, retryable = str(exc), exc.retryable
    elif isinstance(exc, HostResolutionError):
        message, retryable = f"the repository host could not be resolved: {exc}", True
    elif isinstance(exc, InvalidRepoUrlError):
        message = f"the repository URL is not allowed: {exc}"
    elif isinstance(exc, InvalidBranchError):
        message = f"the branch name is not valid: {exc}"
    elif isinstance(exc, PlanError):
        message, retryable = str(exc), bool(getattr(exc, "retryable", False))
    elif isinstance(exc, PlanConfigError):
        message = f"repotrackr.yml is not valid: {exc}"
    elif isinstance(exc, TokenDecryptError):
        message = (
            "the project's access token cannot be decrypted (was the key changed?); enter it again"
        )
    elif isinstance(exc, (TooManyFilesError, CorruptRepositoryError)):
        message = str(exc)
    elif isinstance(exc, SourceError):
        message = f"the repository could not be read: {exc}"
    elif isinstance(exc, MemoryLimitError):
        message = str(exc)
    elif isinstance(exc, RecursionError):
        # A file an engine did not guard on its own; the same file fails again.
        message = "a file in the repository is nested too deeply to be read"
    elif isinstance(exc, AbandonedJobError):
        message = WORKER_DIED
    elif isinstance(exc, JobTimeoutException):
        message = "the refresh took longer than the job time limit"
    elif isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        message, retryable = "the job queue connection was lost", True
    elif isinstance(exc, (OperationalError, InterfaceError)):
        message, retryable = "the database was unavailable", True
    else:
        message = "an internal error stopped the job; the details are logged for operators"
    return JobError(redact(message, secrets)[:2000], detail, retryable)
