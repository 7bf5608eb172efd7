"""The argv options and environment that make git safe to point at untrusted repos.

Nothing of the worker's own environment reaches git: an empty private HOME,
no system or global config, no terminal prompts, no ssh agent or ssh config.
Only https, ssh and git protocols (file only for local repositories), no
hooks, no redirects, no submodules. An access token reaches git through an
askpass helper reading it from one environment variable of that git
process, never through the URL or argv. A host checked at validation is
pinned so that neither git, curl nor ssh can resolve it anew to a private
address (DNS rebinding): https through curl's resolve list, git:// by
connecting to the address literal, ssh by ``HostName <address>`` with
``HostKeyAlias <name>``.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_ENV = "REPOTRACKR_GIT_TOKEN"
USERNAME_ENV = "REPOTRACKR_GIT_USERNAME"

# The askpass helper answers git's two questions; the token stays in the
# environment of the git process tree and never touches argv or disk.
ASKPASS_SCRIPT = f"""#!/bin/sh
case "$1" in
  Username*|username*) printf '%s\\n' "${USERNAME_ENV}" ;;
  *) printf '%s\\n' "${TOKEN_ENV}" ;;
esac
"""


def token_username_for_host(host: str) -> str:
    """The user name a forge expects beside an access token sent as password.

    GitHub: ``x-access-token``; Bitbucket: ``x-token-auth``; GitLab (and
    Gitea/Forgejo, which accept any name with a token): ``oauth2``.
    """
    host = host.lower()
    if host == "github.com" or host.endswith(".github.com") or host.endswith(".ghe.com"):
        return "x-access-token"
    if host == "bitbucket.org" or host.endswith(".bitbucket.org"):
        return "x-token-auth"
    return "oauth2"


#: ``-c`` settings that bound git's address space (pack windows, threads).
ADDRESS_SPACE_CONFIG = (
    "core.packedGitWindowSize=128m",
    "core.packedGitLimit=512m",
    "pack.threads=2",
)


def git_config_args(*, allow_local: bool) -> list[str]:
    """The ``-c`` options every git call gets (no secrets among them)."""
    settings = [
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.ssh.allow=always",
        "protocol.git.allow=always",
        *(["protocol.file.allow=always"] if allow_local else []),
        f"core.hooksPath={os.devnull}",
        "core.symlinks=false",
        "core.fsmonitor=false",
        "submodule.recurse=false",
        "http.followRedirects=false",
        "credential.helper=",
        "init.templateDir=",
        "transfer.credentialsInUrl=die",
        "advice.detachedHead=false",
        # Keep git's address space small and predictable under RLIMIT_AS:
        # bounded pack mmap windows and a bounded number of threads.
        *ADDRESS_SPACE_CONFIG,
    ]
    args: list[str] = []
    for setting in settings:
        args += ["-c", setting]
    return args


def git_environment(
    home: Path,
    *,
    token: str = "",
    host: str = "",
    askpass: Path | None = None,
    ssh_pin: str = "",
) -> dict[str, str]:
    """A minimal environment for git: nothing of the worker's own leaks in.

    ``home`` is an empty private directory used as HOME and for ssh's
    known_hosts. When ``token`` is given, ``askpass`` must be the helper
    written by ``write_askpass``; the token travels in ``TOKEN_ENV`` only.
    ``ssh_pin`` (an address checked at validation) makes ssh connect there
    instead of resolving ``host`` again, while host keys stay filed under
    ``host`` (``HostKeyAlias``).
    """
    known_hosts = home / "known_hosts"
    ssh = [
        "ssh", "-F", os.devnull,
        "-o", "BatchMode=yes",
        "-o", "IdentityAgent=none",
        "-o", "ForwardAgent=no",
        "-o", "ProxyCommand=none",
        "-o", "ProxyJump=none",
        "-o", "PermitLocalCommand=no",
        "-o", "StrictHostKeyChecking=accept-new",
        "-o", f"UserKnownHostsFile={known_hosts}",
        "-o", "ConnectTimeout=15",
    ]  # fmt: skip
    if ssh_pin:
        if not host:
            raise ValueError("pinning ssh needs the host name for its host keys")
        ssh += ["-o", f"HostName={ssh_pin}", "-o", f"HostKeyAlias={host}"]
        ssh += ["-o", "CheckHostIP=no"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LC_ALL": "C",
        "LANG": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_SSH_COMMAND": shlex.join(ssh),
        "GIT_SSH_VARIANT": "ssh",
        # glibc reserves 64 MB of address space per malloc arena and thread.
        "MALLOC_ARENA_MAX": "2",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    if token:
        if askpass is None:
            raise ValueError("a token needs the askpass helper")
        env["GIT_ASKPASS"] = str(askpass)
        env[TOKEN_ENV] = token
        env[USERNAME_ENV] = token_username_for_host(host)
    return env


def write_askpass(home: Path) -> Path:
    """Write the askpass helper into ``home`` (private to this git call)."""
    script = home / "askpass.sh"
    script.write_text(ASKPASS_SCRIPT)
    script.chmod(0o700)
    return script


def host_of(url: str) -> str:
    """The lower-cased host of a scheme URL; empty for scp-like and local URLs."""
    match = re.match(r"^[a-z]+://(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)", url)
    return match.group(1).strip("[]").lower() if match else ""


def pinned_address(addresses: Sequence[str]) -> str:
    """The one checked address git:// and ssh connect to: the first IPv4, else the first."""
    for address in addresses:
        if ":" not in address:
            return address
    return addresses[0] if addresses else ""


def pin_git_url(url: str, addresses: Sequence[str]) -> str:
    """A ``git://`` URL with its host replaced by a checked address literal.

    The git protocol has no resolve option like curl's, so git is given the
    address itself: it then has nothing to look up. Other URLs are returned
    unchanged.
    """
    address = pinned_address(addresses)
    if not address or not url.startswith("git://"):
        return url
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    shown = f"[{address}]" if ":" in address else address
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def ssh_pin_for(url: str, addresses: Sequence[str]) -> str:
    """The address ssh must connect to for ``url``, or "" when it is not an ssh URL."""
    if url.startswith(("https://", "git://", "file://", "/")):
        return ""
    return pinned_address(addresses)


def pin_config_args(url: str, addresses: Sequence[str]) -> list[str]:
    """``-c http.curloptResolve`` pinning an https host to checked addresses.

    Without it git would resolve the host again, and a hostile DNS server
    could answer with a private address the second time. Only https goes
    through curl; git:// is pinned by ``pin_git_url`` and ssh by the
    ``ssh_pin`` of ``git_environment``.
    """
    if not addresses or not url.startswith("https://"):
        return []
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or ":" in host:
        return []
    shown = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
    return ["-c", f"http.curloptResolve={host}:{parts.port or 443}:{shown}"]


def memory_limited(argv: Sequence[str], limit_bytes: int) -> list[str]:
    """``argv`` run under an address-space limit (``RLIMIT_AS``) when one is set.

    A tiny ``sh`` trampoline sets the limit and replaces itself with git, so
    git and every helper it forks (``index-pack``, ``remote-https``, ssh) inherit it
    from their first instruction. The arguments travel as ``"$@"``, never
    through the shell's parser. Python's ``preexec_fn`` would do the same but
    is unsafe in a process with threads, as a work-horse is.
    """
    if limit_bytes <= 0:
        return list(argv)
    kib = max(1, limit_bytes // 1024)
    script = 'ulimit -v "$1" || exit 125; shift; exec "$@"'
    return ["/bin/sh", "-c", script, "sh", str(kib), *argv]
