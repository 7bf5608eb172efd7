"""Validate repository URLs and branch names before git ever sees them.

A repository URL comes from a user and ends up on git's command line, so it
is checked twice (when the project is saved and again in the worker just
before the clone): only https, ssh (``ssh://`` and scp-like ``git@host:path``)
and ``git://`` are accepted, local paths only when the caller allows them,
and the host must resolve to public addresses only. The addresses are judged
after resolution, so spellings such as ``127.1``, ``0x7f000001`` or
``::ffff:127.0.0.1`` cannot sneak a loopback host past a name check.

Error messages never repeat the URL as typed: it may hold credentials.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

Resolver = Callable[..., list[tuple[Any, ...]]]

# Remote helpers are spelt "<transport>::<address>" (ext::, fd::, ...).
_REMOTE_HELPER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_LABEL_RE = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_SCP_RE = re.compile(
    r"^(?:(?P<user>[A-Za-z0-9._~+-]+)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9._-]*)"
    r":(?P<path>.+)$"
)
_BARE_HOST_PATH_RE = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/[^@:]+$")
_USER_RE = re.compile(r"^[A-Za-z0-9._~+][A-Za-z0-9._~+-]*$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

#: Cloud metadata and host-agent endpoints, denied by name whatever the
#: ``ipaddress`` flags say of them (several are "global" there, or are
#: flagged differently from one Python release to the next).
METADATA_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Hetzner, ...
        "169.254.170.2/32",  # AWS ECS task metadata and credentials
        "169.254.170.23/32",  # AWS EKS pod identity agent
        "169.254.0.23/32",  # Tencent Cloud
        "192.0.0.192/32",  # Oracle Cloud (legacy)
        "192.0.0.0/24",  # IETF protocol assignments: never a public host
        "100.100.100.200/32",  # Alibaba Cloud
        "168.63.129.16/32",  # Azure WireServer / host agent
        "fd00:ec2::254/128",  # AWS IMDS over IPv6
        "fd00:ec2::23/128",  # AWS EKS pod identity agent over IPv6
        "fd20:ce::254/128",  # Google Cloud metadata over IPv6
    )
)

KINDS = ("https", "ssh", "git", "local")


class InvalidRepoUrlError(ValueError):
    """The URL cannot be used; the message is safe to show to its author."""


class HostResolutionError(InvalidRepoUrlError):
    """The host name did not resolve; DNS may be down, so a retry can help."""


class InvalidBranchError(ValueError):
    """The branch name is not a valid git branch; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class RepoUrl:
    """A validated repository location.

    ``url`` is what git is given; ``display`` is safe for pages and logs
    (never any password or token); ``host`` is empty for local paths.
    ``addresses`` are the public addresses the host resolved to when it was
    checked (empty when local repositories are allowed): pass them on to
    ``git_remote`` so git connects to exactly those (no DNS rebinding).
    """

    url: str
    kind: str
    host: str
    display: str
    addresses: tuple[str, ...] = ()


def validate_repo_url(
    url: str, *, allow_local: bool, resolve: Resolver = socket.getaddrinfo
) -> RepoUrl:
    """Check ``url`` against the scheme allow-list and the host address rules.

    Accepts ``https://``, ``ssh://``, scp-like ``user@host:path`` and
    ``git://``; absolute local paths and ``file://`` only when ``allow_local``
    (then host addresses are not checked either, as dev and tests clone from
    this machine). Raises ``InvalidRepoUrlError`` with a message that never
    contains the credentials of the URL; ``HostResolutionError`` (a subclass)
    when the host does not resolve at all. ``resolve`` has the signature of
    ``socket.getaddrinfo`` and is the seam tests replace.
    """
    _check_characters(url)
    scheme_match = _SCHEME_RE.match(url)
    if scheme_match:
        scheme = scheme_match.group(1).lower()
        if scheme == "file":
            return _local_from_file_url(url, allow_local=allow_local)
        return _remote_from_url(url, scheme, allow_local=allow_local, resolve=resolve)
    if url.startswith("/") or url.startswith("."):
        return _local_from_path(url, allow_local=allow_local)
    if _REMOTE_HELPER_RE.match(url):
        raise InvalidRepoUrlError("git remote helpers (such as ext::) are not allowed")
    scp = _SCP_RE.match(url)
    if scp and "/" not in url.split(":", 1)[0]:
        if "@" in scp.group("path"):
            # "user:secret@host/path" typed without a scheme reads as scp-like.
            raise InvalidRepoUrlError("credentials may not be placed in the repository URL")
        return _remote_from_scp(scp, allow_local=allow_local, resolve=resolve)
    if _BARE_HOST_PATH_RE.match(url):
        raise InvalidRepoUrlError(f"add the scheme: did you mean https://{url} ?")
    raise InvalidRepoUrlError("use an https://, ssh://, git:// or user@host:path repository URL")


def _check_characters(url: str) -> None:
    if not url:
        raise InvalidRepoUrlError("the repository URL is empty")
    if len(url) > 2048:
        raise InvalidRepoUrlError("the repository URL is too long")
    for ch in url:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            raise InvalidRepoUrlError(
                "the repository URL may not contain spaces or control characters"
            )
    if url.startswith("-"):
        raise InvalidRepoUrlError("the repository URL may not start with '-'")


def _local_from_path(path: str, *, allow_local: bool) -> RepoUrl:
    if not allow_local:
        raise InvalidRepoUrlError("local repository paths are not allowed")
    if not path.startswith("/"):
        raise InvalidRepoUrlError("a local repository path must be absolute")
    # file:// keeps clones shallow: git ignores --depth for plain local paths.
    return RepoUrl(url=f"file://{path}", kind="local", host="", display=path)


def _local_from_file_url(url: str, *, allow_local: bool) -> RepoUrl:
    if not allow_local:
        raise InvalidRepoUrlError("local repository paths are not allowed")
    rest = url[len("file://") :]
    if rest.startswith("localhost/"):
        rest = rest[len("localhost") :]
    if not rest.startswith("/"):
        raise InvalidRepoUrlError("a file:// URL must name an absolute path")
    return RepoUrl(url=f"file://{rest}", kind="local", host="", display=rest)


def _remote_from_url(url: str, scheme: str, *, allow_local: bool, resolve: Resolver) -> RepoUrl:
    if scheme == "http":
        raise InvalidRepoUrlError("plain http:// is not allowed; use https://")
    if scheme not in ("https", "ssh", "git"):
        raise InvalidRepoUrlError(f"the {scheme}:// scheme is not allowed")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRepoUrlError("the repository URL is malformed") from exc
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise InvalidRepoUrlError("the repository URL may not contain '?' or '#'")
    user = _check_userinfo(parts, scheme)
    host = _normalise_host(parts.hostname or "", bracketed="[" in parts.netloc)
    path = parts.path
    if not path.strip("/"):
        raise InvalidRepoUrlError("the repository URL has no repository path")
    addresses = _check_host_addresses(host, port, allow_local=allow_local, resolve=resolve)
    netloc_host = f"[{host}]" if ":" in host else host
    netloc = netloc_host if port is None else f"{netloc_host}:{port}"
    user_part = f"{user}@" if user else ""
    normalised = f"{scheme}://{user_part}{netloc}{path}"
    return RepoUrl(normalised, scheme, host, normalised, addresses)


def _check_userinfo(parts: SplitResult, scheme: str) -> str:
    if "@" not in parts.netloc:
        return ""
    if scheme in ("https", "git"):
        # The host is safe to name; the user part may be a token.
        raise InvalidRepoUrlError(
            "credentials may not be placed in the repository URL; "
            "set the project's access token instead"
        )
    if parts.password is not None:
        raise InvalidRepoUrlError("passwords may not be placed in the repository URL")
    user = parts.username or ""
    if not _USER_RE.match(user):
        raise InvalidRepoUrlError("the ssh user name in the URL is not valid")
    return user


def _remote_from_scp(match: re.Match[str], *, allow_local: bool, resolve: Resolver) -> RepoUrl:
    user = match.group("user") or ""
    raw_host = match.group("host")
    path = match.group("path")
    if user and not _USER_RE.match(user):
        raise InvalidRepoUrlError("the ssh user name in the URL is not valid")
    bracketed = raw_host.startswith("[")
    host = _normalise_host(raw_host.strip("[]"), bracketed=bracketed)
    if path.startswith("-") or not path.strip("/"):
        raise InvalidRepoUrlError("the repository URL has no valid repository path")
    addresses = _check_host_addresses(host, None, allow_local=allow_local, resolve=resolve)
    user_part = f"{user}@" if user else ""
    shown_host = f"[{host}]" if bracketed else host
    normalised = f"{user_part}{shown_host}:{path}"
    return RepoUrl(normalised, "ssh", host, normalised, addresses)


def _normalise_host(host: str, *, bracketed: bool) -> str:
    if not host:
        raise InvalidRepoUrlError("the repository URL has no host")
    if bracketed:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError as exc:
            raise InvalidRepoUrlError("the IPv6 address in the URL is not valid") from exc
    try:
        ascii_host = host.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError as exc:
        raise InvalidRepoUrlError("the host name is not valid") from exc
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL_RE.match(lb) for lb in labels):
        raise InvalidRepoUrlError("the host name is not valid")
    return ascii_host


def _check_host_addresses(
    host: str, port: int | None, *, allow_local: bool, resolve: Resolver
) -> tuple[str, ...]:
    if allow_local:
        return ()
    addresses = _addresses_of(host, port, resolve)
    for address in addresses:
        reason = forbidden_address_reason(address)
        if reason:
            raise InvalidRepoUrlError(
                f"the host {host} points to a {reason} address, which is not allowed"
            )
    return tuple(dict.fromkeys(str(a) for a in addresses))


def _addresses_of(
    host: str, port: int | None, resolve: Resolver
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    literal = _parse_ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise HostResolutionError(f"the host {host} could not be resolved") from exc
    addresses = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        try:
            addresses.append(ipaddress.ip_address(raw))
        except ValueError:
            continue
    if not addresses:
        raise HostResolutionError(f"the host {host} could not be resolved")
    return addresses


def _parse_ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Read ``host`` as an address the way the C library would, if it is one.

    ``inet_aton`` accepts the short, hex, octal and single-integer forms
    (``127.1``, ``0x7f.1``, ``2130706433``) that resolvers and curl honour.
    """
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    if not re.fullmatch(r"[0-9a-fA-FxX.]+", host) or not host[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def forbidden_address_reason(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> str:
    """Say why ``address`` may not be cloned from, or return "" when it is public.

    The explicit ``METADATA_NETWORKS`` deny list comes first, then the
    ``ipaddress`` flags. IPv6 forms that embed an IPv4 address (mapped,
    6to4, NAT64, Teredo) are judged by the embedded address as well.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = forbidden_address_reason(embedded)
            if reason:
                return reason
    if any(address in net for net in METADATA_NETWORKS if net.version == address.version):
        return "cloud metadata service"
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    for reason, hit in checks:
        if hit:
            return reason
    if not address.is_global:
        return "non-public"
    return ""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


_BRANCH_FORBIDDEN_CHARS = frozenset(" ~^:?*[\\")


def validate_branch_name(name: str) -> str:
    """Return ``name`` when git would accept it as a branch, else raise.

    Follows ``git check-ref-format --branch``: no ``..``, ``@{``, ``//``,
    no component starting with ``.`` or ending in ``.lock``, none of
    ``~^:?*[\\`` or space or control characters, no leading or trailing
    ``/``, no trailing ``.``, not ``@`` or ``HEAD``; and, so that it can never
    be read as an option, no leading ``-``. An empty name raises: callers
    treat "no branch" (the remote default) before calling this.
    """
    if not name:
        raise InvalidBranchError("the branch name is empty")
    if len(name) > 255:
        raise InvalidBranchError("the branch name is too long")
    if name.startswith("-"):
        raise InvalidBranchError("a branch name may not start with '-'")
    for ch in name:
        if ord(ch) < 0x20 or ord(ch) == 0x7F or unicodedata.category(ch) in ("Cc", "Cf"):
            raise InvalidBranchError("a branch name may not contain control characters")
        if ch in _BRANCH_FORBIDDEN_CHARS:
            raise InvalidBranchError(f"a branch name may not contain {ch!r}")
    if name in ("@", "HEAD"):
        raise InvalidBranchError(f"{name!r} is not a branch name")
    if ".." in name or "@{" in name or "//" in name:
        raise InvalidBranchError("a branch name may not contain '..', '@{' or '//'")
    if name.startswith("/") or name.endswith("/") or name.endswith("."):
        raise InvalidBranchError("a branch name may not start or end with '/' or end with '.'")
    for component in name.split("/"):
        if component.startswith(".") or component.endswith(".lock"):
            raise InvalidBranchError(
                "no part of a branch name may start with '.' or end with '.lock'"
            )
    return name
