"""Validate the URL a channel posts to, with the repository URL rules for hosts.

The host is judged by ``projects.core.repo_url`` (resolved, public addresses
only, unless local targets are allowed), and the addresses it resolved to
are returned so the request can be pinned to them. Only ``https`` is
accepted, plus ``http`` when local targets are allowed (a receiver on this
machine in dev and tests). A query string is allowed: Teams workflow URLs
carry their signature in it. Error messages never repeat the URL: it is a
secret of its own.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from projects.core.repo_url import InvalidRepoUrlError, Resolver, validate_repo_url


class InvalidTargetUrlError(ValueError):
    """The URL cannot be posted to; the message is safe to show."""


@dataclass(frozen=True)
class TargetUrl:
    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    addresses: tuple[str, ...]  # empty when local targets are allowed (no pinning)

    @property
    def display(self) -> str:
        """Host and a hint of the path, for pages: the full URL is a credential."""
        tail = self.path.split("?", 1)[0].rstrip("/")
        return f"{self.scheme}://{self.host}/…{tail[-4:]}" if len(tail) > 1 else self.host


def validate_target_url(
    url: str, *, allow_local: bool, resolve: Resolver = socket.getaddrinfo
) -> TargetUrl:
    """Check ``url`` and resolve its host; raise ``InvalidTargetUrlError`` with the reason."""
    url = url.strip()
    if not url or len(url) > 2048:
        raise InvalidTargetUrlError("the URL is empty or too long")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise InvalidTargetUrlError("the URL may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidTargetUrlError("the URL is malformed") from exc
    scheme = parts.scheme.lower()
    if scheme == "http" and not allow_local:
        raise InvalidTargetUrlError("plain http:// is not allowed; use https://")
    if scheme not in ("https", "http"):
        raise InvalidTargetUrlError("use an https:// URL")
    if "@" in parts.netloc:
        raise InvalidTargetUrlError("credentials may not be placed in the URL's host part")
    if parts.fragment:
        raise InvalidTargetUrlError("the URL may not contain a '#' fragment")
    if not parts.hostname:
        raise InvalidTargetUrlError("the URL has no host")
    # The repository rules judge the host: same normalisation, same deny list.
    probe = f"https://{parts.netloc}/probe"
    try:
        checked = validate_repo_url(probe, allow_local=allow_local, resolve=resolve)
    except InvalidRepoUrlError as exc:
        raise InvalidTargetUrlError(str(exc).replace("repository URL", "URL")) from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return TargetUrl(
        url=url,
        scheme=scheme,
        host=checked.host,
        port=port or (443 if scheme == "https" else 80),
        path=path,
        addresses=checked.addresses,
    )
