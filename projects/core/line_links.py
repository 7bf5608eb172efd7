"""Links to one line of a file on a known code host (GitHub, GitLab, Bitbucket, Gitea/Forgejo).

Pure: takes the repository URL as the user typed it and returns a builder, or
``None`` when the host is not one whose URL patterns we know. Self-hosted
instances are known through ``forge_hosts`` (host name → forge kind), which the
caller reads from the ``REPOTRACKR_FORGE_HOSTS`` setting. Only ``https``
links are ever produced, so a crafted repository URL cannot yield a
``javascript:`` or other scheme in a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

_HOSTS = {
    "github.com": "github",
    "www.github.com": "github",
    "gitlab.com": "gitlab",
    "www.gitlab.com": "gitlab",
    "bitbucket.org": "bitbucket",
    "www.bitbucket.org": "bitbucket",
    "codeberg.org": "gitea",
    "gitea.com": "gitea",
}
# What a self-hosted host may be mapped to; Forgejo serves Gitea's URLs.
FORGE_KINDS = {"github": "github", "gitlab": "gitlab", "gitea": "gitea", "forgejo": "gitea"}
_SCP_RE = re.compile(r"^(?:[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9._~-]+$")


@dataclass(frozen=True, slots=True)
class LineLinker:
    """Builds ``https`` links to a line of a file at one revision of one repository."""

    host_kind: str
    base: str  # https://host/owner/repo (no trailing slash)
    revision: str

    def url(self, file_path: str, line: int) -> str:
        """The link to ``line`` of ``file_path``; the path is percent-encoded per segment."""
        path = "/".join(quote(part, safe="") for part in file_path.split("/") if part)
        rev = quote(self.revision, safe="")
        if self.host_kind == "github":
            return f"{self.base}/blob/{rev}/{path}#L{line}"
        if self.host_kind == "gitlab":
            return f"{self.base}/-/blob/{rev}/{path}#L{line}"
        if self.host_kind == "gitea":
            # Gitea names the revision's kind; /src/commit/ also accepts a branch name.
            return f"{self.base}/src/commit/{rev}/{path}#L{line}"
        return f"{self.base}/src/{rev}/{path}#lines-{line}"


def line_linker_for(
    repo_url: str, *, revision: str, forge_hosts: Mapping[str, str] | None = None
) -> LineLinker | None:
    """A ``LineLinker`` for ``repo_url`` at ``revision``, or ``None`` for unknown hosts.

    Accepts https/http/ssh/git URLs and scp-like ``git@host:owner/repo.git``;
    the ``.git`` suffix and credentials are dropped. GitLab subgroups keep
    their full path. An empty revision falls back to ``HEAD``. ``forge_hosts``
    adds self-hosted instances (``{"git.example.org": "gitlab"}``); unknown
    kinds are ignored.
    """
    host, path = _host_and_path(repo_url.strip())
    extra = {h.lower(): FORGE_KINDS.get(k.lower()) for h, k in (forge_hosts or {}).items()}
    kind = extra.get(host.lower()) or _HOSTS.get(host.lower())
    if kind is None:
        return None
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if len(segments) < 2 or (kind != "gitlab" and len(segments) != 2):
        return None
    if not all(_SEGMENT_RE.match(s) for s in segments):
        return None
    base = f"https://{host.lower().removeprefix('www.')}/" + "/".join(segments)
    return LineLinker(host_kind=kind, base=base, revision=revision or "HEAD")


def _host_and_path(url: str) -> tuple[str, str]:
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"https", "http", "ssh", "git"}:
            return "", ""
        return parts.hostname or "", parts.path
    match = _SCP_RE.match(url)
    if match:
        return match.group("host"), match.group("path")
    return "", ""
