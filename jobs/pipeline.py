"""The refresh pipeline: one RQ job takes a project from remote head to stored data.

Stages (each reported on the JobRecord and the RQ job meta):

1. ``resolving``: validate the URL, ``ls-remote`` the head; when the head,
   the parse-affecting settings and the engine version all match the last
   success (and the job is not forced) finish ``unchanged`` without cloning;
2. ``cloning``: re-validate the URL (DNS may have changed), shallow-clone
   without a working tree into a fresh directory under the clone dir;
3. ``parsing``: discover and parse the plan, compute progress and status
   (a repository without a plan is ``no_plan``, not a failure);
4. ``extracting_skills``: extract skills from the same commit;
5. ``saving``: store tasks, snapshot, project figures and skills, and
   complete the job, in one transaction; a canceled job stores nothing.

The clone directory is removed whatever happens; a failure anywhere leaves
the previous data as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from jobs import tracker
from jobs.models import JobRecord, JobStatus
from projects import plan_store as store
from projects.core import git_remote
from projects.core.repo_url import RepoUrl
from projects.core.source import TooManyFilesError, list_files_or_partial
from projects.models import Project
from projects.plan_reading import plan_read
from projects.repository import clone_repository, commit_source, validate_remote
from projects.services import project_access_token
from skills.services import skills_store

# Bump whenever progress, status or skills output changes for the same
# input: every project is then re-read once instead of "unchanged". The
# plan parser's own version and the skills catalogue's content count too.
ENGINE_VERSION = "3"

RESOLVING = "resolving"
CLONING = "cloning"
PARSING = "parsing"
EXTRACTING_SKILLS = "extracting_skills"
SAVING = "saving"

Reporter = Callable[[str, float], None]


class JobCanceledError(Exception):
    """The job was canceled while it ran; nothing was stored."""


@dataclass(frozen=True)
class Remote:
    url: RepoUrl
    token: str
    allow_local: bool


def site_parse_settings() -> dict:
    """Site settings that change what a refresh computes from the same commit."""
    return {
        "stale_after_days": settings.REPOTRACKR_STALE_AFTER_DAYS,
        "green_at": settings.REPOTRACKR_GREEN_AT,
        "yellow_at": settings.REPOTRACKR_YELLOW_AT,
        "max_plan_bytes": settings.REPOTRACKR_MAX_PLAN_BYTES,
        # A raised listing cap must re-read a repository it stopped before.
        "max_tree_entries": settings.REPOTRACKR_MAX_TREE_ENTRIES,
        "max_tree_bytes": settings.REPOTRACKR_MAX_TREE_BYTES,
    }


@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    """ENGINE_VERSION, the plan parser's version and a digest of the skills catalogue."""
    from projects.core.plan_parser import PARSER_VERSION
    from skills.core.catalogue import DEFAULT_CATALOGUE_PATH

    digest = hashlib.sha256()
    for path in sorted(DEFAULT_CATALOGUE_PATH.glob("*.y*ml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{ENGINE_VERSION}:{PARSER_VERSION}:{digest.hexdigest()[:16]}"


def refresh_fingerprint(*, head_sha: str, branch: str, plan_path: str, repo_url: str) -> str:
    """What must match the last success for a refresh to count as unchanged.

    The remote head, the project's parse-affecting fields, the site
    settings that change status, and the engines' versions.
    """
    payload = {
        "head": head_sha,
        "branch": branch,
        "plan_path": plan_path,
        "repo_url": repo_url,
        "site": site_parse_settings(),
        "engine": engine_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _remote(project: Project, token: str | None) -> Remote:
    """The project's URL validated once for the job, and its token, for every git call.

    ``token`` is the one the job function already decrypted; ``None`` means it
    could not, and decrypting again raises the error users should see.
    """
    return Remote(
        url=validate_remote(project.repo_url),
        token=token if token is not None else project_access_token(project=project),
        allow_local=settings.REPOTRACKR_ALLOW_LOCAL_REPOS,
    )


def _project_of(record: JobRecord) -> Project:
    """The job's project; ``Project.DoesNotExist`` once it was deleted."""
    if record.project_id is None:
        raise Project.DoesNotExist("the job's project no longer exists")
    return Project.objects.get(pk=record.project_id)


def _finish(record: JobRecord, result: dict, store_fn: Callable[[], object]) -> dict:
    """Store and complete in one transaction, unless the job was canceled meanwhile."""
    with transaction.atomic():
        # Completing first takes the row's write lock; if the job was
        # canceled meanwhile nothing changes and nothing is stored.
        if not tracker.job_update_status(
            record.pk, status=JobStatus.COMPLETED, result=result, started_at=record.started_at
        ):
            raise JobCanceledError()
        store_fn()
    return result


def _result(
    *,
    tasks: int,
    percentage: float,
    skills: int,
    sha: str,
    unchanged: bool,
    plan_candidates: list[dict] | None = None,
    warnings: tuple[str, ...] = (),
) -> dict:
    result = {
        "status": "success",
        "tasks_count": tasks,
        "progress_percentage": round(percentage, 2),
        "skills_count": skills,
        "commit_sha": sha,
        "unchanged": unchanged,
    }
    if plan_candidates is not None:
        # Every plan discovery found, the chosen one first: the user may prefer another.
        result["plan_candidates"] = plan_candidates
    if warnings:
        result["warnings"] = list(warnings)
    return result


def _stored_candidates(project: Project) -> list[dict]:
    latest = project.snapshots.only("plan_candidates").first()
    return list(latest.plan_candidates) if latest is not None else []


def run_refresh(
    record: JobRecord, *, report: Reporter, now: datetime, token: str | None = None
) -> dict:
    """Run the whole refresh for ``record`` (processing); return the result dict.

    Raises the engines' errors (see ``jobs.errors.classify_error``) and
    ``JobCanceledError``; in every such case nothing was stored.
    """
    project = _project_of(record)
    report(RESOLVING, 0.05)
    remote = _remote(project, token)
    head = git_remote.ls_remote_head(
        remote.url.url,
        branch=project.branch,
        token=remote.token,
        timeout=settings.REPOTRACKR_LS_REMOTE_TIMEOUT,
        allow_local=remote.allow_local,
        pin_addresses=remote.url.addresses,
        memory_limit_bytes=settings.REPOTRACKR_GIT_MEMORY_BYTES,
    )
    # From here a push of this head joins the job; any other is followed up.
    tracker.job_set_head(record.pk, head.sha)
    fingerprint = refresh_fingerprint(
        head_sha=head.sha,
        branch=project.branch,
        plan_path=project.plan_path,
        repo_url=project.repo_url,
    )
    if not record.force and project.refresh_fingerprint == fingerprint:
        report(SAVING, 0.9)
        result = _result(
            tasks=project.total_tasks,
            percentage=project.percentage,
            skills=project.skills.count(),
            sha=head.sha,
            unchanged=True,
            plan_candidates=_stored_candidates(project),
        )
        return _finish(record, result, lambda: store.plan_store_unchanged(project=project, now=now))

    report(CLONING, 0.15)
    # Again, as the docstring says: the host may resolve elsewhere by now,
    # and the clone must connect to addresses checked just before it.
    clone_url = validate_remote(project.repo_url)
    with clone_repository(
        clone_url, branch=project.branch or head.branch, token=remote.token
    ) as cloned:
        report(PARSING, 0.45)
        with commit_source(cloned.path, cloned.sha) as source:
            # Archived or not is the store's to say, from the row as it is then.
            reading = plan_read(
                source, plan_path=project.plan_path, now=now, commit_at=source.commit_time()
            )
            report(EXTRACTING_SKILLS, 0.65)
            skills, skills_warning = _extract_skills_unless_capped(source)
            # Files the listing left out (over the cap, content missing): said in the result.
            listing_warnings = list_files_or_partial(source).warnings
    report(SAVING, 0.9)
    fingerprint = refresh_fingerprint(
        head_sha=cloned.sha,
        branch=project.branch,
        plan_path=project.plan_path,
        repo_url=project.repo_url,
    )

    def save() -> None:
        store.plan_store(
            project=project,
            reading=reading,
            commit_sha=cloned.sha,
            fingerprint=fingerprint,
            now=now,
        )
        if skills is not None:
            skills_store(project=project, result=skills)

    result = _result(
        tasks=reading.tasks_count,
        percentage=reading.percentage,
        skills=_skills_count(skills) if skills is not None else project.skills.count(),
        sha=cloned.sha,
        unchanged=False,
        plan_candidates=reading.candidates_json(),
        warnings=(*listing_warnings, *skills_warning),
    )
    return _finish(record, result, save)


def run_skills_extraction(
    record: JobRecord, *, report: Reporter, now: datetime, token: str | None = None
) -> dict:
    """Clone and extract skills only; the plan data is left as it is."""
    project = _project_of(record)
    report(RESOLVING, 0.05)
    remote = _remote(project, token)
    report(CLONING, 0.15)
    with clone_repository(remote.url, branch=project.branch, token=remote.token) as cloned:
        report(EXTRACTING_SKILLS, 0.5)
        with commit_source(cloned.path, cloned.sha) as source:
            skills = _extract_skills(source)
    report(SAVING, 0.9)
    result = _result(
        tasks=project.total_tasks,
        percentage=project.percentage,
        skills=_skills_count(skills),
        sha=cloned.sha,
        unchanged=False,
    )
    return _finish(record, result, lambda: skills_store(project=project, result=skills))


def _extract_skills_unless_capped(source):
    """The skills of a refresh, or ``None`` and a warning when the tree is over the cap.

    Skills need every file (language shares of part of a tree would be
    false), so a capped tree keeps the skills it had; the plan, found in the
    part listed, is still stored. The skills job itself fails instead.
    """
    try:
        return _extract_skills(source), ()
    except TooManyFilesError as exc:
        return None, (f"skills not updated: {exc}",)


def _extract_skills(source):
    from skills.core.catalogue import cached_catalogue
    from skills.core.extract import extract_skills

    return extract_skills(
        source,
        catalogue=cached_catalogue(),
        manifest_budget=settings.REPOTRACKR_SKILLS_MANIFEST_BUDGET,
    )


def _skills_count(result) -> int:
    from skills.core.languages import headline

    names = {s.name.lower() for s in result.skills}
    names |= {s.name.lower() for s in headline(result.languages)}
    return len(names)
