"""Talk to remote repositories with the git binary, hardened for untrusted input.

Two operations: ``ls_remote_head`` (which commit a branch points at, so an
unchanged repository is never cloned) and ``shallow_clone`` (a bare,
depth-1, single-branch clone with a wall-clock timeout and a size cap, both
enforced on the git process itself). Every git call gets an argument list
(never a shell) with ``--`` before the URL and refs, and the options and
environment of ``git_hardening``. Failures become the ``GitFetchError``
family of ``git_errors``, re-exported here for callers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from projects.core.git_errors import (
    AuthRequiredError,
    BranchNotFoundError,
    CorruptRepoError,
    EmptyRepoError,
    GitFetchError,
    GitNetworkError,
    GitTimeoutError,
    RedirectError,
    RepoNotFoundError,
    RepoTooLargeError,
    classify_git_error,
    redact,
)
from projects.core.git_hardening import (
    git_config_args,
    git_environment,
    host_of,
    memory_limited,
    pin_config_args,
    pin_git_url,
    ssh_pin_for,
    write_askpass,
)
from projects.core.repo_url import InvalidRepoUrlError, validate_branch_name

# Re-exported: callers catch these where they call the functions below.
__all__ = [
    "CLONE_DIR_PREFIX",
    "HOME_DIR_PREFIX",
    "AuthRequiredError",
    "BranchNotFoundError",
    "ClonedRepo",
    "CorruptRepoError",
    "EmptyRepoError",
    "GitFetchError",
    "GitNetworkError",
    "GitTimeoutError",
    "RedirectError",
    "RemoteHead",
    "RepoNotFoundError",
    "RepoTooLargeError",
    "directory_size",
    "ls_remote_head",
    "make_clone_dir",
    "shallow_clone",
    "sweep_stale_clones",
]

CLONE_DIR_PREFIX = "repotrackr-clone-"
HOME_DIR_PREFIX = "repotrackr-githome-"
_POLL_SECONDS = 0.05
_STDERR_KEEP = 16_384


@dataclass(frozen=True, slots=True)
class RemoteHead:
    sha: str
    branch: str


@dataclass(frozen=True, slots=True)
class ClonedRepo:
    path: Path
    sha: str
    branch: str


def _ssh_host(url: str) -> str:
    """The host of a scheme URL or of an scp-like ``user@host:path``."""
    host = host_of(url)
    if host or "://" in url:
        return host
    match = _SCP_HOST_RE.match(url)
    return match.group(1).strip("[]").lower() if match else ""


_SCP_HOST_RE = re.compile(r"^(?:[^@/:]+@)?(\[[^\]]+\]|[^:/\[\]]+):")


def _prepare_url(url: str, *, allow_local: bool) -> str:
    """Last guard before argv: nothing that git could read as an option."""
    if not url or url.startswith("-") or any(ord(c) < 0x20 or c == "\x7f" for c in url):
        raise InvalidRepoUrlError("the repository URL is not valid")
    if url.startswith("/"):
        if not allow_local:
            raise InvalidRepoUrlError("local repository paths are not allowed")
        return f"file://{url}"
    return url


# ------------------------------------------------------------- running git


@dataclass(frozen=True, slots=True)
class _GitResult:
    returncode: int
    stdout: bytes
    stderr: str


class _GitSession:
    """A private HOME (and askpass helper) for the git calls of one operation."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        allow_local: bool,
        parent: Path | None,
        pin_addresses: Sequence[str] = (),
        memory_limit_bytes: int = 0,
    ) -> None:
        self.memory_limit_bytes = memory_limit_bytes
        self.home = Path(tempfile.mkdtemp(prefix=HOME_DIR_PREFIX, dir=parent))
        self.token = token if url.startswith("https://") else ""
        askpass = write_askpass(self.home) if self.token else None
        self.env = git_environment(
            self.home,
            token=self.token,
            host=_ssh_host(url),
            askpass=askpass,
            ssh_pin=ssh_pin_for(url, pin_addresses),
        )
        self.config = git_config_args(allow_local=allow_local) + pin_config_args(url, pin_addresses)
        self.secrets = [s for s in (token,) if s]

    def __enter__(self) -> _GitSession:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.home, ignore_errors=True)

    def run(
        self,
        args: list[str],
        *,
        timeout: float,
        watch_dir: Path | None = None,
        max_bytes: int | None = None,
    ) -> _GitResult:
        """Run ``git <config> <args>``; kill its whole process group on a cap."""
        out_path = self.home / "stdout"
        err_path = self.home / "stderr"
        with out_path.open("w+b") as out, err_path.open("w+b") as err:
            proc = subprocess.Popen(
                memory_limited(["git", *self.config, *args], self.memory_limit_bytes),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=self.env,
                cwd=self.home,
                start_new_session=True,  # its own group: helpers die with it
            )
            try:
                self._watch(proc, timeout=timeout, watch_dir=watch_dir, max_bytes=max_bytes)
            except BaseException:
                # Caps, and also a job timeout or shutdown raised into this
                # thread: git must never outlive the call that started it.
                _kill_group(proc)
                raise
            out.seek(0)
            stdout = out.read()
            err.seek(0)
            stderr = err.read()[-_STDERR_KEEP:].decode("utf-8", "replace")
        return _GitResult(proc.returncode, stdout, redact(stderr, self.secrets))

    def _watch(
        self,
        proc: subprocess.Popen[bytes],
        *,
        timeout: float,
        watch_dir: Path | None,
        max_bytes: int | None,
    ) -> None:
        # A thread blocks in wait() so an exit is seen at once; this loop
        # only wakes to check the clock and the size.
        exited = threading.Event()

        def wait_for_exit() -> None:
            proc.wait()
            exited.set()

        threading.Thread(target=wait_for_exit, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not exited.wait(_POLL_SECONDS):
            if time.monotonic() > deadline:
                _kill_group(proc)
                raise GitTimeoutError(
                    f"fetching the repository took longer than the {timeout:g}-second limit"
                )
            if watch_dir is not None and max_bytes is not None:
                if directory_size(watch_dir) > max_bytes:
                    _kill_group(proc)
                    raise _too_large(max_bytes)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.returncode is not None:
        return  # reaped: its group id may already belong to someone else
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _too_large(max_bytes: int) -> RepoTooLargeError:
    return RepoTooLargeError(
        f"the repository is larger than the allowed {max_bytes / 1_000_000:g} MB"
    )


def directory_size(path: Path) -> int:
    """Total bytes of the regular files under ``path`` (vanishing files are skipped)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return total


# ----------------------------------------------------------------- ls-remote


def ls_remote_head(
    url: str,
    *,
    branch: str = "",
    token: str = "",
    timeout: float,
    allow_local: bool = False,
    pin_addresses: Sequence[str] = (),
    memory_limit_bytes: int = 0,
) -> RemoteHead:
    """Return the commit ``branch`` points at on the remote, without cloning.

    A blank ``branch`` means the remote's default branch (its ``HEAD``
    symref). ``url`` should come from ``validate_repo_url``; it is still
    refused here if git could read it as an option. ``pin_addresses`` (the
    ``RepoUrl.addresses`` checked at validation) are the only addresses git
    may connect to, whatever the scheme: https through curl's resolve list,
    git:// as the address literal, ssh through ``HostName``; empty for local
    repositories. ``memory_limit_bytes`` (0 = none) caps the address space
    of git and its helpers. Raises
    ``BranchNotFoundError``, ``EmptyRepoError``, ``RepoNotFoundError``,
    ``AuthRequiredError``, ``GitNetworkError`` or ``GitTimeoutError``.
    """
    url = _prepare_url(url, allow_local=allow_local)
    if branch:
        validate_branch_name(branch)
    wanted = f"refs/heads/{branch}" if branch else "HEAD"
    git_url = pin_git_url(url, pin_addresses)
    args = ["ls-remote", *(["--symref"] if not branch else []), "--", git_url, wanted]
    with _GitSession(
        url=url,
        token=token,
        allow_local=allow_local,
        parent=None,
        pin_addresses=pin_addresses,
        memory_limit_bytes=memory_limit_bytes,
    ) as session:
        result = session.run(args, timeout=timeout)
    if result.returncode != 0:
        raise classify_git_error(result.stderr, branch=branch)
    return _parse_ls_remote(result.stdout.decode("utf-8", "replace"), wanted, branch)


def _parse_ls_remote(output: str, wanted: str, branch: str) -> RemoteHead:
    symref = ""
    sha = ""
    for line in output.splitlines():
        left, _, ref = line.partition("\t")
        if left.startswith("ref: ") and ref == "HEAD":
            symref = left[len("ref: ") :]
        elif ref == wanted:
            sha = left.strip()
    if branch:
        if not sha:
            raise BranchNotFoundError(f"the branch {branch!r} does not exist in the repository")
        return RemoteHead(sha=sha, branch=branch)
    if not sha:
        raise EmptyRepoError()
    name = symref.removeprefix("refs/heads/") if symref.startswith("refs/heads/") else ""
    return RemoteHead(sha=sha, branch=name)


# --------------------------------------------------------------------- clone


def make_clone_dir(parent: Path) -> Path:
    """Create an empty directory under ``parent`` that ``sweep_stale_clones`` knows."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=CLONE_DIR_PREFIX, dir=parent))


def shallow_clone(
    url: str,
    *,
    branch: str = "",
    dest: Path,
    token: str = "",
    timeout: float,
    max_bytes: int,
    allow_local: bool = False,
    pin_addresses: Sequence[str] = (),
    memory_limit_bytes: int = 0,
) -> ClonedRepo:
    """Clone one branch's last commit, bare (no working tree), into ``dest``.

    ``dest`` must be missing or empty; on any failure it is removed. The
    clone is killed (with its helpers) once ``timeout`` seconds pass or the
    bytes written under ``dest`` exceed ``max_bytes``. A blank ``branch``
    clones the remote's default branch; the result names the branch and
    commit actually cloned. ``pin_addresses``: as for ``ls_remote_head``.
    Raises the ``GitFetchError`` family.
    """
    url = _prepare_url(url, allow_local=allow_local)
    if branch:
        validate_branch_name(branch)
    if dest.exists() and any(dest.iterdir()):
        raise ValueError("the clone destination must be empty")
    started = time.monotonic()
    args = [
        "clone", "--bare", "--depth", "1", "--single-branch", "--no-tags",
        "--template=", "--quiet",
        *(["--branch", branch] if branch else []),
        "--", pin_git_url(url, pin_addresses), str(dest),
    ]  # fmt: skip
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    try:
        with _GitSession(
            url=url,
            token=token,
            allow_local=allow_local,
            parent=parent,
            pin_addresses=pin_addresses,
            memory_limit_bytes=memory_limit_bytes,
        ) as session:
            result = session.run(args, timeout=timeout, watch_dir=dest, max_bytes=max_bytes)
            if result.returncode != 0:
                raise classify_git_error(result.stderr, branch=branch)
            if directory_size(dest) > max_bytes:
                raise _too_large(max_bytes)
            remaining = max(1.0, timeout - (time.monotonic() - started))
            return _describe_clone(session, dest, timeout=remaining)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _describe_clone(session: _GitSession, dest: Path, *, timeout: float) -> ClonedRepo:
    # One call answers both: the commit, then the ref HEAD points at.
    args = [f"--git-dir={dest}", "rev-parse", "HEAD^{commit}", "--symbolic-full-name", "HEAD"]
    result = session.run(args, timeout=timeout)
    lines = result.stdout.decode().split()
    if result.returncode != 0 or len(lines) != 2:
        raise EmptyRepoError()
    sha, ref = lines
    name = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""
    return ClonedRepo(path=dest, sha=sha, branch=name)


# --------------------------------------------------------------------- sweep


def sweep_stale_clones(parent: Path, *, older_than_seconds: float, now: datetime) -> int:
    """Remove clone (and git HOME) directories under ``parent`` older than the limit.

    Only directories whose names carry this module's prefixes are touched,
    judged by their modification time against ``now`` (an aware datetime).
    Pick a limit well above the clone timeout so a running clone is never
    swept. Returns how many directories were removed.
    """
    if not parent.is_dir():
        return 0
    cutoff = now.timestamp() - older_than_seconds
    removed = 0
    for entry in parent.iterdir():
        if not entry.name.startswith((CLONE_DIR_PREFIX, HOME_DIR_PREFIX)):
            continue
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_mtime > cutoff:
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += not entry.exists()
    return removed
