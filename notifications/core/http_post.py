"""POST a body to a checked target, connected to the addresses it was checked at.

``http.client`` on the standard library: no redirects are followed (a
redirect could point anywhere), every socket operation has a timeout, the
whole exchange has a deadline, and at most ``max_response_bytes`` of the
answer are read. TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from notifications.core.target_url import TargetUrl


class DeliveryError(Exception):
    """The request failed; ``retryable`` says whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class HttpOutcome:
    status: int
    body_excerpt: str
    elapsed_ms: int


def _pinned_connect(addresses: tuple[str, ...]) -> Callable[..., socket.socket]:
    def connect(
        address: tuple[str, int],
        timeout: float | None,
        source_address: tuple[str, int] | None = None,
        **_: object,
    ) -> socket.socket:
        host, port = address
        last: OSError | None = None
        for pinned in addresses or (host,):
            try:
                return socket.create_connection((pinned, port), timeout, source_address)
            except OSError as exc:
                last = exc
        raise last or OSError("no address to connect to")

    return connect


def _connection(target: TargetUrl, timeout: float) -> http.client.HTTPConnection:
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    # http.client opens its socket through this attribute; TLS then wraps it
    # with the host name, so the certificate is still checked for the host.
    # typeshed leaves out this private hook.
    conn._create_connection = _pinned_connect(target.addresses)  # type: ignore[attr-defined]
    return conn


def post(
    target: TargetUrl,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_response_bytes: int,
) -> HttpOutcome:
    """Send ``body``; return the status and the start of the answer, or raise ``DeliveryError``.

    2xx is success. 429 and 5xx are retryable failures, other statuses
    (including redirects) permanent ones; network errors are retryable.
    """
    started = time.monotonic()
    deadline = started + timeout * 2
    conn = _connection(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        chunks, size = [], 0
        while size < max_response_bytes and time.monotonic() < deadline:
            chunk = response.read(min(8192, max_response_bytes - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(_network_message(exc), retryable=True) from exc
    finally:
        conn.close()
    elapsed = int((time.monotonic() - started) * 1000)
    excerpt = b"".join(chunks)[:500].decode("utf-8", "replace")
    status = response.status
    if 200 <= status < 300:
        return HttpOutcome(status, excerpt, elapsed)
    retryable = status == 429 or status >= 500
    raise DeliveryError(f"the receiver answered HTTP {status}", retryable=retryable, status=status)


def _network_message(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "the receiver did not answer in time"
    if isinstance(exc, ssl.SSLError):
        return "the TLS connection failed (certificate or protocol)"
    if isinstance(exc, ConnectionRefusedError):
        return "the receiver refused the connection"
    return f"the request failed: {type(exc).__name__}"
