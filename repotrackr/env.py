"""Typed readers for environment variables, strict about malformed values.

Secrets may also come from a file: ``NAME_FILE=/run/secrets/name`` is read
when ``NAME`` itself is unset, so container secrets never sit in the
environment.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_forge_hosts(name: str, kinds) -> dict[str, str]:
    """Read ``host=kind`` pairs, comma-separated (``git.example.org=gitlab``); kinds are checked."""
    hosts = {}
    for item in env_list(name):
        host, sep, kind = item.partition("=")
        host, kind = host.strip().lower(), kind.strip().lower()
        if not sep or not host or kind not in kinds:
            raise ImproperlyConfigured(
                f"{name} must read host=kind pairs, kind one of {', '.join(sorted(kinds))};"
                f" not {item!r}"
            )
        hosts[host] = kind
    return hosts


def env_rate(name: str, default: str) -> dict[str, int]:
    """Read a rate limit written ``attempts/seconds`` (e.g. ``5/300``).

    Returns the seed's shape, ``{"max_attempts": 5, "window_seconds": 300}``.
    Zero attempts is allowed (the action is refused); the window must be positive.
    """
    raw = os.environ.get(name) or default
    attempts, sep, seconds = raw.strip().partition("/")
    try:
        if not sep:
            raise ValueError
        value = {"max_attempts": int(attempts), "window_seconds": int(seconds)}
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must read attempts/seconds, e.g. 5/300, not {raw!r}"
        ) from None
    if value["max_attempts"] < 0 or value["window_seconds"] < 1:
        raise ImproperlyConfigured(f"{name} needs attempts >= 0 and seconds >= 1, not {raw!r}")
    return value


def env_secret(name: str, default: str = "") -> str:
    """Read ``name``, else the content of the file named by ``name_FILE``."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from exc
    return default


def env_int_list(name: str, default: str, *, minimum: int = 0) -> list[int]:
    """A comma-separated list of whole numbers, each at least ``minimum``."""
    raw = os.environ.get(name, default)
    values: list[int] = []
    for item in raw.split(","):
        if not item.strip():
            continue
        try:
            value = int(item)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated whole numbers, not {raw!r}"
            ) from None
        if value < minimum:
            raise ImproperlyConfigured(f"{name} values must be at least {minimum}, not {value}")
        values.append(value)
    return values
