"""What can go wrong when fetching a repository, said safely to users.

Every failure is a ``GitFetchError`` whose message can be shown as is (no
traceback, no token, no URL credentials) and whose ``retryable`` says
whether trying again later can help (timeouts, network) or not (missing
repository or branch, authentication, size).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar
from urllib.parse import quote


class GitFetchError(Exception):
    """Git could not fetch the repository; ``str(error)`` is safe to show users."""

    retryable: ClassVar[bool] = False
    default_message: ClassVar[str] = "git could not fetch the repository"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class RepoNotFoundError(GitFetchError):
    default_message = "the repository does not exist or cannot be read"


class AuthRequiredError(GitFetchError):
    default_message = (
        "the repository needs authentication (or does not exist); "
        "set an access token for an https URL"
    )


class BranchNotFoundError(GitFetchError):
    default_message = "the branch does not exist in the repository"


class EmptyRepoError(GitFetchError):
    default_message = "the repository has no commits yet"


class GitTimeoutError(GitFetchError):
    retryable = True
    default_message = "fetching the repository took too long"


class RepoTooLargeError(GitFetchError):
    default_message = "the repository is larger than the allowed size"


class CorruptRepoError(GitFetchError):
    """Git says the repository's objects are damaged: the same clone fails again."""

    default_message = "the repository is damaged and cannot be cloned"


class RedirectError(GitFetchError):
    """The host answered with an HTTP redirect, which git is told never to follow."""

    default_message = (
        "the repository host answered with a redirect; use the repository's final address"
    )


class GitNetworkError(GitFetchError):
    retryable = True
    default_message = "the repository host could not be reached"


_URL_USERINFO_RE = re.compile(r"(?i)\b(https?|ftps?)://[^/@\s]*@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret and every ``user:pass@`` of a URL masked.

    Secrets are also masked in their percent-encoded form, as git prints
    URLs encoded. Empty secrets are ignored.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "***")
    return _URL_USERINFO_RE.sub(lambda m: f"{m.group(1)}://***@", text)


_PATTERNS: tuple[tuple[type[GitFetchError], tuple[str, ...]], ...] = (
    (BranchNotFoundError, ("remote branch", "couldn't find remote ref", "not found in upstream")),
    (
        AuthRequiredError,
        (
            "could not read username",
            "could not read password",
            "terminal prompts disabled",
            "authentication failed",
            "invalid username or password",
            "access denied",
            "permission denied",
            "http basic",
            "the requested url returned error: 401",
            "the requested url returned error: 403",
            "host key verification failed",
        ),
    ),
    (
        RepoNotFoundError,
        (
            "repository not found",
            "' not found",
            "does not appear to be a git repository",
            "not a git repository",
            "the requested url returned error: 404",
            "project you were looking for could not be found",
            "no such repository",
            "redirect",
            "not allowed",
        ),
    ),
    (
        GitNetworkError,
        (
            "could not resolve host",
            "could not resolve hostname",
            "unable to look up",
            "connection refused",
            "connection timed out",
            "connection reset",
            "operation timed out",
            "network is unreachable",
            "no route to host",
            "early eof",
            "hung up unexpectedly",
            "unable to access",
            "ssl",
            "tls",
            "gnutls",
            "the requested url returned error: 5",
            "rpc failed",
            "temporary failure",
        ),
    ),
)


# Checked before everything else: a damaged remote also ends in "early EOF"
# and "hung up", which would otherwise read as a network failure and retry.
_CORRUPTION = (
    "repository corruption",
    "is corrupt",
    "bad object",
    "did not receive expected object",
    "hash mismatch",
    "sha1 mismatch",
    "inflate: data stream error",
    "unable to unpack",
    "missing blob",
    "missing tree",
    "fsck error",
)
_UNREADABLE_OBJECT = re.compile(r"unable to read [0-9a-f]{40}")
_REDIRECT = re.compile(r"returned error: (30[1-8])\b")


def _fatal_line(stderr: str) -> str:
    """Git's first ``fatal:`` line (the cause; later ones are consequences), unprefixed."""
    for line in stderr.splitlines():
        text = line.strip().removeprefix("remote:").strip()
        if text.startswith("fatal:"):
            return text
    return ""


def classify_git_error(stderr: str, *, branch: str = "") -> GitFetchError:
    """Turn git's (already redacted) stderr into a ``GitFetchError`` for users.

    ``branch`` names the branch asked for, so a missing branch is named in
    the message. A damaged repository quotes git's first ``fatal:`` line and
    is never retried; an HTTP redirect says so. Unknown failures become a
    plain ``GitFetchError`` quoting git's last ``fatal:`` line, which carries
    no secrets once redacted.
    """
    low = stderr.lower()
    if any(needle in low for needle in _CORRUPTION) or _UNREADABLE_OBJECT.search(low):
        fatal = _fatal_line(stderr)
        return CorruptRepoError(
            f"the repository is damaged and cannot be cloned; git says: {fatal}" if fatal else ""
        )
    redirect = _REDIRECT.search(low)
    if redirect:
        return RedirectError(
            f"the repository host answered with a redirect (HTTP {redirect.group(1)}); "
            "use the repository's final address"
        )
    for cls, needles in _PATTERNS:
        if not any(n in low for n in needles):
            continue
        if cls is BranchNotFoundError and branch:
            return cls(f"the branch {branch!r} does not exist in the repository")
        if cls is RepoNotFoundError and "redirect" in low:
            return RedirectError()
        if cls is RepoNotFoundError and "not allowed" in low:
            return cls("this kind of repository URL is not allowed here")
        return cls()
    fatal_lines = [ln for ln in stderr.splitlines() if ln.startswith(("fatal:", "error:"))]
    detail = f": {fatal_lines[-1].split(':', 1)[1].strip()}" if fatal_lines else ""
    return GitFetchError(f"git could not fetch the repository{detail}")
