"""Open a repository for reading: a shallow clone of a URL, or a local folder.

The git settings (timeouts, size cap, whether local repositories are
allowed) come from Django settings here, so callers only say what to open.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from projects.core import git_remote
from projects.core.git_source import GitCommitSource
from projects.core.repo_url import RepoUrl, validate_repo_url
from projects.core.source import DirectorySource, RepoSource, SourceError


@dataclass(frozen=True)
class OpenedRepository:
    source: RepoSource
    label: str
    commit_sha: str = ""
    branch: str = ""
    # The file named when a single file was given: the plan to read.
    single_file: str = ""
    # When the commit read (or the checkout's HEAD) was made; None when not a git repository.
    commit_at: datetime | None = None


def validate_remote(url: str) -> RepoUrl:
    """Validate ``url`` now, resolving its host; use the result for every git call.

    Done again in the worker just before git touches the network: the host
    may resolve elsewhere now than when the URL was first accepted, and the
    addresses checked here are the ones git is pinned to.
    """
    return validate_repo_url(url, allow_local=settings.REPOTRACKR_ALLOW_LOCAL_REPOS)


def commit_source(repo_path: Path | str, commit: str = "HEAD") -> GitCommitSource:
    """A ``GitCommitSource`` with the site's listing caps and git memory limit."""
    return GitCommitSource(
        repo_path,
        commit,
        max_entries=settings.REPOTRACKR_MAX_TREE_ENTRIES,
        max_listing_bytes=settings.REPOTRACKR_MAX_TREE_BYTES,
        git_memory_bytes=settings.REPOTRACKR_GIT_MEMORY_BYTES,
    )


def directory_source(root: Path | str) -> DirectorySource:
    """A ``DirectorySource`` with the site's listing caps."""
    return DirectorySource(
        root,
        max_entries=settings.REPOTRACKR_MAX_TREE_ENTRIES,
        max_listing_bytes=settings.REPOTRACKR_MAX_TREE_BYTES,
    )


@contextmanager
def clone_repository(
    valid: RepoUrl, *, branch: str = "", token: str = ""
) -> Iterator[git_remote.ClonedRepo]:
    """A fresh shallow clone of a validated URL, removed on the way out whatever happened."""
    allow_local = settings.REPOTRACKR_ALLOW_LOCAL_REPOS
    dest = git_remote.make_clone_dir(Path(settings.REPOTRACKR_CLONE_DIR))
    try:
        yield git_remote.shallow_clone(
            valid.url,
            branch=branch,
            dest=dest,
            token=token,
            timeout=settings.REPOTRACKR_CLONE_TIMEOUT,
            max_bytes=settings.REPOTRACKR_MAX_REPO_BYTES,
            allow_local=allow_local,
            pin_addresses=valid.addresses,
            memory_limit_bytes=settings.REPOTRACKR_GIT_MEMORY_BYTES,
        )
    finally:
        shutil.rmtree(dest, ignore_errors=True)


@contextmanager
def open_repository(target: str, *, branch: str = "") -> Iterator[OpenedRepository]:
    """Open a local file, folder or checkout as it is on disk, or clone a URL.

    A local folder is read as it is on disk (uncommitted edits included),
    unless it is a bare repository or ``branch`` is given: then that branch
    (or HEAD) is read from its object database. Anything else must be a valid
    repository URL and is cloned.
    """
    path = Path(target).expanduser()
    if path.is_file():
        yield OpenedRepository(
            directory_source(path.parent),
            str(path),
            single_file=path.name,
            commit_at=_checkout_commit_time(path.parent),
        )
        return
    if path.is_dir():
        if _is_bare_repository(path) or (branch and (path / ".git").is_dir()):
            with commit_source(path, branch or "HEAD") as source:
                yield OpenedRepository(
                    source,
                    str(path),
                    commit_sha=source.commit,
                    branch=branch,
                    commit_at=source.commit_time(),
                )
            return
        yield OpenedRepository(
            directory_source(path), str(path), commit_at=_checkout_commit_time(path)
        )
        return
    valid = validate_remote(target)
    with clone_repository(valid, branch=branch) as clone, commit_source(clone.path) as source:
        yield OpenedRepository(
            source,
            target,
            commit_sha=clone.sha,
            branch=clone.branch,
            commit_at=source.commit_time(),
        )


def _checkout_commit_time(folder: Path) -> datetime | None:
    """When the HEAD of the checkout holding ``folder`` was committed, if it is in one.

    A folder read from disk is judged by its last commit, as a refresh of
    the same repository would be; uncommitted edits do not make it fresh.
    """
    for candidate in (folder.resolve(), *folder.resolve().parents):
        if (candidate / ".git").is_dir():
            try:
                with commit_source(candidate, "HEAD") as source:
                    return source.commit_time()
            except SourceError:  # a repository without commits yet
                return None
    return None


def _is_bare_repository(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
