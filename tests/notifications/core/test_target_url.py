import socket

import pytest

from notifications.core.target_url import InvalidTargetUrlError, validate_target_url


def public(host, port, type=0):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 443))]


def private(host, port, type=0):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port or 443))]


def test_a_public_https_url_is_pinned_to_its_addresses_and_keeps_its_query():
    target = validate_target_url(
        "https://hooks.example.com/workflows/abc?api-version=1&sig=xyz",
        allow_local=False,
        resolve=public,
    )
    assert target.addresses == ("93.184.216.34",)
    assert target.path == "/workflows/abc?api-version=1&sig=xyz"
    assert "sig=xyz" not in target.display


@pytest.mark.parametrize(
    ("url", "resolve", "message"),
    [
        ("http://hooks.example.com/x", public, "http://"),
        ("https://hooks.example.com/x", private, "private"),
        ("https://127.0.0.1/x", public, "loopback"),
        ("https://169.254.169.254/latest", public, "cloud metadata"),
        ("https://user:pw@hooks.example.com/x", public, "credentials"),
        ("ftp://hooks.example.com/x", public, "https"),
        ("https://hooks.example.com/a b", public, "spaces"),
    ],
)
def test_unsafe_urls_are_refused_without_repeating_them(url, resolve, message):
    with pytest.raises(InvalidTargetUrlError) as exc:
        validate_target_url(url, allow_local=False, resolve=resolve)
    assert message in str(exc.value)
    assert "pw" not in str(exc.value)


def test_local_http_is_allowed_only_when_local_targets_are():
    target = validate_target_url("http://127.0.0.1:8123/hook", allow_local=True)
    assert (target.host, target.port, target.addresses) == ("127.0.0.1", 8123, ())
