"""Repository URL and branch-name validation, with a fake resolver as the DNS seam."""

import socket

import pytest

from projects.core.repo_url import (
    HostResolutionError,
    InvalidBranchError,
    InvalidRepoUrlError,
    validate_branch_name,
    validate_repo_url,
)

DNS = {
    "github.com": ["140.82.121.4"],
    "gitlab.com": ["172.65.251.78", "2606:4700:90:0:f22e:fbec:5bed:a9b9"],
    "codeberg.org": ["217.197.91.145"],
    "internal.example": ["10.1.2.3"],
    "sneaky.example": ["140.82.121.4", "127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "ula.example": ["fd00::1"],
}


def fake_resolve(host, port, *args, **kwargs):
    if host not in DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [
        (
            socket.AF_INET6 if ":" in ip else socket.AF_INET,
            socket.SOCK_STREAM,
            6,
            "",
            (ip, port or 0),
        )
        for ip in DNS[host]
    ]


def check(url, allow_local=False):
    return validate_repo_url(url, allow_local=allow_local, resolve=fake_resolve)


@pytest.mark.parametrize(
    ("url", "kind", "host", "normalised"),
    [
        (
            "https://github.com/owner/repo.git",
            "https",
            "github.com",
            "https://github.com/owner/repo.git",
        ),
        ("https://github.com/owner/repo", "https", "github.com", "https://github.com/owner/repo"),
        ("HTTPS://GitHub.com/Owner/Repo", "https", "github.com", "https://github.com/Owner/Repo"),
        (
            "https://gitlab.com:443/group/sub/repo.git",
            "https",
            "gitlab.com",
            "https://gitlab.com:443/group/sub/repo.git",
        ),
        (
            "ssh://git@github.com/owner/repo.git",
            "ssh",
            "github.com",
            "ssh://git@github.com/owner/repo.git",
        ),
        (
            "ssh://git@gitlab.com:2222/owner/repo.git",
            "ssh",
            "gitlab.com",
            "ssh://git@gitlab.com:2222/owner/repo.git",
        ),
        ("git@github.com:owner/repo.git", "ssh", "github.com", "git@github.com:owner/repo.git"),
        ("github.com:owner/repo.git", "ssh", "github.com", "github.com:owner/repo.git"),
        (
            "git://codeberg.org/owner/repo.git",
            "git",
            "codeberg.org",
            "git://codeberg.org/owner/repo.git",
        ),
        (
            "https://140.82.121.4/owner/repo.git",
            "https",
            "140.82.121.4",
            "https://140.82.121.4/owner/repo.git",
        ),
        (
            "https://[2606:4700:90:0:f22e:fbec:5bed:a9b9]/o/r.git",
            "https",
            "2606:4700:90:0:f22e:fbec:5bed:a9b9",
            "https://[2606:4700:90:0:f22e:fbec:5bed:a9b9]/o/r.git",
        ),
    ],
)
def test_public_remote_urls_are_accepted_and_normalised(url, kind, host, normalised):
    repo = check(url)
    assert (repo.kind, repo.host, repo.url, repo.display) == (kind, host, normalised, normalised)


@pytest.mark.parametrize(
    ("url", "message_part"),
    [
        ("", "empty"),
        ("http://github.com/owner/repo.git", "plain http"),
        ("ftp://github.com/owner/repo.git", "ftp:// scheme"),
        ("ext::sh%20-c%20touch%20pwned", "remote helpers"),
        ("fd::17", "remote helpers"),
        ("-uhttps://github.com/o/r", "start with '-'"),
        ("--upload-pack=touch /tmp/x", "spaces"),
        ("https://github.com/owner/repo.git\n", "control"),
        ("https://github.com/own er/repo.git", "spaces"),
        ("https://github.com/owner\x00/repo.git", "control"),
        ("https://github.com/owner/repo\u202e.git", "control"),
        ("https://github.com/", "no repository path"),
        ("https://github.com/o/r?x=1", "'?'"),
        ("https://github.com/o/r#main", "'#'"),
        ("https:///o/r", "no host"),
        ("https://-oProxyCommand=x/o/r", "host name is not valid"),
        ("ssh://-oProxyCommand=x/o/r", "host name is not valid"),
        ("-oProxyCommand=x:o/r", "start with '-'"),
        ("git@host.example:-o/r", "valid repository path"),
        ("https://github.com:99999/o/r", "malformed"),
        ("https://gh_user:secret@github.com/o/r", "credentials"),
        ("https://ghp_tokenvalue@github.com/o/r", "credentials"),
        ("ssh://git:hunter2@github.com/o/r", "passwords"),
        ("git://user@codeberg.org/o/r", "credentials"),
        ("/srv/git/repo.git", "local repository paths"),
        ("file:///srv/git/repo.git", "local repository paths"),
        ("./relative/repo", "local repository paths"),
        ("just-a-word", "use an https://"),
        ("github.com/owner/repo", "did you mean https://github.com/owner/repo"),
        ("user:s3cret@github.com/owner/repo", "credentials"),
        ("https://127.0.0.1/o/r", "loopback"),
        ("https://127.1/o/r", "loopback"),
        ("https://0x7f000001/o/r", "loopback"),
        ("https://2130706433/o/r", "loopback"),
        ("https://0177.0.0.1/o/r", "loopback"),
        ("https://[::1]/o/r", "loopback"),
        ("https://[::ffff:127.0.0.1]/o/r", "loopback"),
        ("https://[::ffff:7f00:1]/o/r", "loopback"),
        ("https://[2002:7f00:1::]/o/r", "loopback"),
        ("https://[64:ff9b::a9fe:a9fe]/o/r", "cloud metadata"),
        ("https://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("https://[fe80::1]/o/r", "link-local"),
        ("https://[fd00::1]/o/r", "private"),
        ("https://10.0.0.5/o/r", "private"),
        ("https://172.16.3.4/o/r", "private"),
        ("https://192.168.1.1/o/r", "private"),
        ("https://100.100.100.200/o/r", "cloud metadata"),
        ("https://100.64.0.1/o/r", "non-public"),
        ("https://0.0.0.0/o/r", "unspecified"),
        ("https://[::]/o/r", "unspecified"),
        ("https://224.0.0.1/o/r", "multicast"),
        ("https://240.0.0.1/o/r", "reserved"),
        ("https://internal.example/o/r", "private"),
        ("https://sneaky.example/o/r", "loopback"),
        ("https://metadata.example/o/r", "metadata"),
        ("https://mapped.example/o/r", "loopback"),
        ("git@ula.example:o/r.git", "private"),
        ("git@10.0.0.1:o/r.git", "private"),
        ("git@[::1]:o/r.git", "loopback"),
    ],
)
def test_unsafe_urls_are_rejected_with_a_readable_reason(url, message_part):
    with pytest.raises(InvalidRepoUrlError) as excinfo:
        check(url)
    assert message_part in str(excinfo.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://gh_user:s3cr3t-pass@github.com/o/r",
        "https://s3cr3t-pass@github.com/o/r",
        "ssh://git:s3cr3t-pass@github.com/o/r",
    ],
)
def test_rejected_credentials_are_never_echoed(url):
    with pytest.raises(InvalidRepoUrlError) as excinfo:
        check(url)
    assert "s3cr3t-pass" not in str(excinfo.value)


def test_checked_addresses_are_kept_for_pinning():
    assert check("https://gitlab.com/o/r").addresses == (
        "172.65.251.78",
        "2606:4700:90:0:f22e:fbec:5bed:a9b9",
    )
    assert check("https://140.82.121.4/o/r").addresses == ("140.82.121.4",)
    assert check("/srv/repo", allow_local=True).addresses == ()


def test_unresolvable_host_raises_a_retryable_resolution_error():
    with pytest.raises(HostResolutionError, match="could not be resolved"):
        check("https://no-such-host.example/o/r")


def test_every_resolved_address_is_judged_not_only_the_first():
    with pytest.raises(InvalidRepoUrlError, match="loopback"):
        check("https://sneaky.example/o/r")


@pytest.mark.parametrize(
    ("url", "normalised", "display"),
    [
        ("/srv/git/repo.git", "file:///srv/git/repo.git", "/srv/git/repo.git"),
        ("file:///srv/git/repo.git", "file:///srv/git/repo.git", "/srv/git/repo.git"),
        ("file://localhost/srv/repo", "file:///srv/repo", "/srv/repo"),
    ],
)
def test_local_paths_are_accepted_as_file_urls_when_allowed(url, normalised, display):
    repo = check(url, allow_local=True)
    assert (repo.kind, repo.url, repo.display, repo.host) == ("local", normalised, display, "")


def test_loopback_hosts_are_accepted_when_local_repos_are_allowed():
    assert check("git://127.0.0.1:9418/repo.git", allow_local=True).host == "127.0.0.1"


def test_relative_local_paths_are_refused_even_when_allowed():
    with pytest.raises(InvalidRepoUrlError, match="absolute"):
        check("./repo", allow_local=True)


def test_local_mode_still_refuses_remote_helpers_and_plain_http():
    for url in ("ext::sh", "http://127.0.0.1/o/r"):
        with pytest.raises(InvalidRepoUrlError):
            check(url, allow_local=True)


def test_invalid_url_error_is_a_value_error():
    assert issubclass(InvalidRepoUrlError, ValueError)


@pytest.mark.parametrize(
    "name", ["main", "feature/login", "release-1.2", "v2.x", "user/jo/fix_bug", "ünïcode"]
)
def test_valid_branch_names_are_returned_unchanged(name):
    assert validate_branch_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-main",
        "--upload-pack=x",
        "a..b",
        "a b",
        "a\tb",
        "a\x00b",
        "a\x7fb",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[b",
        "a\\b",
        "/main",
        "main/",
        "a//b",
        "main.",
        ".hidden",
        "a/.hidden",
        "main.lock",
        "a/b.lock/c",
        "a@{1}",
        "@",
        "HEAD",
        "x" * 256,
    ],
)
def test_invalid_branch_names_are_rejected(name):
    with pytest.raises(InvalidBranchError):
        validate_branch_name(name)
