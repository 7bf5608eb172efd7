"""Fetching repositories and reading commits, against real git repositories.

Each test builds a working repository in ``tmp_path`` (several commits, two
branches, a tag, a binary file, symlinks inside and out, a submodule entry)
and clones a bare copy by path as the "remote".
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from projects.core.git_errors import classify_git_error, redact
from projects.core.git_hardening import (
    TOKEN_ENV,
    git_config_args,
    git_environment,
    pin_config_args,
    token_username_for_host,
    write_askpass,
)
from projects.core.git_remote import (
    CLONE_DIR_PREFIX,
    HOME_DIR_PREFIX,
    AuthRequiredError,
    BranchNotFoundError,
    EmptyRepoError,
    GitFetchError,
    GitNetworkError,
    GitTimeoutError,
    RepoNotFoundError,
    RepoTooLargeError,
    ls_remote_head,
    make_clone_dir,
    shallow_clone,
    sweep_stale_clones,
)
from projects.core.git_source import GitCommitSource
from projects.core.repo_url import InvalidBranchError, InvalidRepoUrlError
from projects.core.source import FileTooLargeError, SourceError, UnsafePathError

BINARY = bytes(range(256)) * 4 + b"\n\x00end"
PLAN_V1 = "# Plan\n\n- [ ] first\n"
PLAN_V2 = "# Plan\n\n- [x] first\n- [ ] second\n"
BULK_FILES = 3000  # their requests (41 bytes each) overflow a 64 KiB pipe
HOOK_NAMES = (
    "pre-receive", "update", "post-receive", "post-update", "reference-transaction",
    "post-checkout", "post-merge", "pre-commit", "post-rewrite", "push-to-checkout",
)  # fmt: skip


def git(cwd: Path, *args: str) -> str:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)
    return done.stdout.decode().strip()


def write(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def add_hooks(git_dir: Path, marker_dir: Path) -> None:
    hooks = git_dir / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    for name in HOOK_NAMES:
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\ntouch '{marker_dir}/{name}'\n")
        hook.chmod(0o755)


def add_bulk_branch(work: Path, *, parent: str) -> None:
    """A ``bulk`` branch with many small files, written by one fast-import."""
    lines = [
        "commit refs/heads/bulk",
        "committer T <t@example.org> 1700000000 +0000",
        "data 4",
        "bulk",
        f"from {parent}",
    ]
    for i in range(BULK_FILES):
        content = f"bulk {i}\n"
        lines += [f"M 100644 inline bulk/{i:04}.txt", f"data {len(content)}", content]
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=work,
        input="\n".join(lines).encode() + b"\n",
        env={"PATH": os.environ["PATH"], "HOME": str(work), "GIT_CONFIG_GLOBAL": os.devnull},
        check=True,
    )


@pytest.fixture(scope="module")
def shared_repos(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Built once per module: tests only read the remote, never change it."""
    tmp_path = tmp_path_factory.mktemp("repos")
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "trunk")
    write(work, "README.md", "# Demo\n")
    write(work, "docs/plan.md", PLAN_V1)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "first")
    first = git(work, "rev-parse", "HEAD")
    git(work, "tag", "v1")
    write(work, "docs/plan.md", PLAN_V2)
    write(work, "assets/logo.bin", BINARY)
    for i in range(60):
        write(work, f"many/file{i:02}.txt", f"file {i}\n")
    os.symlink("../../../etc/passwd", work / "docs" / "escape.md")
    os.symlink("docs/plan.md", work / "plan-link.md")
    git(work, "add", "-A")
    git(work, "update-index", "--add", "--cacheinfo", f"160000,{first},vendor/lib")
    git(work, "commit", "-q", "-m", "second")
    git(work, "checkout", "-q", "-b", "dev")
    write(work, "dev.md", "dev only\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "dev work")
    dev = git(work, "rev-parse", "HEAD")
    trunk = git(work, "rev-parse", "trunk")
    add_bulk_branch(work, parent=trunk)
    git(work, "checkout", "-q", "trunk")
    git(tmp_path, "clone", "-q", "--bare", str(work), "remote.git")
    markers = tmp_path / "markers"
    markers.mkdir()
    add_hooks(tmp_path / "remote.git", markers)
    return {
        "remote": tmp_path / "remote.git",
        "url": f"file://{tmp_path / 'remote.git'}",
        "trunk": trunk,
        "dev": dev,
        "first": first,
        "markers": markers,
    }


@pytest.fixture
def repos(shared_repos: dict, tmp_path: Path) -> dict:
    return {**shared_repos, "clones": tmp_path / "clones"}


# ------------------------------------------------------------------ ls-remote


def test_ls_remote_without_branch_reports_the_remote_default_branch(repos):
    head = ls_remote_head(repos["url"], timeout=30, allow_local=True)
    assert (head.sha, head.branch) == (repos["trunk"], "trunk")


def test_ls_remote_of_a_named_branch_reports_its_head(repos):
    head = ls_remote_head(repos["url"], branch="dev", timeout=30, allow_local=True)
    assert (head.sha, head.branch) == (repos["dev"], "dev")


def test_ls_remote_accepts_a_plain_absolute_path_when_local_is_allowed(repos):
    assert ls_remote_head(str(repos["remote"]), timeout=30, allow_local=True).sha == repos["trunk"]


def test_ls_remote_of_a_missing_branch_raises_branch_not_found(repos):
    with pytest.raises(BranchNotFoundError, match="nope"):
        ls_remote_head(repos["url"], branch="nope", timeout=30, allow_local=True)


def test_ls_remote_does_not_mistake_a_tag_for_a_branch(repos):
    with pytest.raises(BranchNotFoundError):
        ls_remote_head(repos["url"], branch="v1", timeout=30, allow_local=True)


def test_ls_remote_of_a_missing_repository_raises_repo_not_found(repos, tmp_path):
    with pytest.raises(RepoNotFoundError) as excinfo:
        ls_remote_head(f"file://{tmp_path}/missing.git", timeout=30, allow_local=True)
    assert excinfo.value.retryable is False


def test_ls_remote_of_an_empty_repository_raises_empty_repo(tmp_path):
    git(tmp_path, "init", "-q", "--bare", "empty.git")
    with pytest.raises(EmptyRepoError):
        ls_remote_head(f"file://{tmp_path}/empty.git", timeout=30, allow_local=True)


def test_file_transport_is_refused_by_git_when_local_repos_are_not_allowed(repos):
    with pytest.raises(RepoNotFoundError, match="not allowed"):
        ls_remote_head(repos["url"], timeout=30, allow_local=False)


def test_plain_paths_are_refused_when_local_repos_are_not_allowed(repos):
    with pytest.raises(InvalidRepoUrlError):
        ls_remote_head(str(repos["remote"]), timeout=30, allow_local=False)


def test_ext_transport_never_runs_its_command(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(GitFetchError):
        ls_remote_head(f"ext::sh -c touch% {marker}", timeout=30, allow_local=True)
    assert not marker.exists()


@pytest.mark.parametrize("url", ["-uhttps://example.org/x", "--upload-pack=touch x", "a\nb"])
def test_urls_that_look_like_options_never_reach_git(url):
    with pytest.raises(InvalidRepoUrlError):
        ls_remote_head(url, timeout=30, allow_local=True)


@pytest.mark.parametrize("branch", ["--upload-pack=touch x", "-b", "a..b"])
def test_branches_that_look_like_options_never_reach_git(repos, branch):
    with pytest.raises(InvalidBranchError):
        ls_remote_head(repos["url"], branch=branch, timeout=30, allow_local=True)


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_ls_remote_to_a_silent_server_times_out_as_retryable(silent_server):
    with pytest.raises(GitTimeoutError) as excinfo:
        ls_remote_head(f"git://127.0.0.1:{silent_server}/repo.git", timeout=1.0, allow_local=True)
    assert excinfo.value.retryable is True
    # The limit that fired is the one asked for, not the 30 s default: said by the
    # error itself, where a wall-clock bound would fail on a loaded machine.
    assert "1-second limit" in str(excinfo.value)


def test_clone_from_a_silent_server_times_out_and_leaves_no_directory(silent_server, tmp_path):
    dest = make_clone_dir(tmp_path / "clones")
    with pytest.raises(GitTimeoutError):
        shallow_clone(
            f"git://127.0.0.1:{silent_server}/repo.git",
            dest=dest, timeout=1.0, max_bytes=10**9, allow_local=True,
        )  # fmt: skip
    assert not dest.exists()
    assert list((tmp_path / "clones").iterdir()) == []


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class JobInterrupted(Exception):
    pass


def test_an_exception_raised_into_a_running_fetch_kills_git(silent_server):
    # What a queue's job timeout does: raise inside the waiting thread.
    url = f"git://127.0.0.1:{silent_server}/interrupted.git"

    def interrupt(signum, frame):
        raise JobInterrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(JobInterrupted):
            ls_remote_head(url, timeout=30, allow_local=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert processes_mentioning(url) == []


def test_unreachable_https_host_is_a_retryable_network_error_without_the_token():
    with pytest.raises(GitNetworkError) as excinfo:
        ls_remote_head(
            "https://127.0.0.1:1/o/r.git", token="tok-SECRET-123", timeout=30, allow_local=True
        )
    assert excinfo.value.retryable is True
    assert "tok-SECRET-123" not in str(excinfo.value)
    assert "tok-SECRET-123" not in repr(excinfo.value)


@pytest.mark.parametrize(
    "url",
    ["ssh://git@127.0.0.1:1/o/r.git", "git://127.0.0.1:1/o/r.git", "https://127.0.0.1:1/o/r.git"],
)
def test_refused_connections_are_retryable_network_errors(url):
    with pytest.raises(GitNetworkError) as excinfo:
        ls_remote_head(url, timeout=30, allow_local=True)
    assert excinfo.value.retryable is True
    assert str(excinfo.value) == "the repository host could not be reached"


def test_unpinned_https_host_fails_fast_on_dns():
    with pytest.raises(GitNetworkError):
        ls_remote_head("https://pinned.invalid/o/r.git", timeout=30, allow_local=True)


def test_pinned_https_host_connects_to_the_checked_address_not_dns(silent_server):
    # The name does not resolve; only the pin can lead git to the silent
    # server, where it then waits until the timeout.
    with pytest.raises(GitTimeoutError):
        ls_remote_head(
            f"https://pinned.invalid:{silent_server}/o/r.git",
            timeout=1.0, allow_local=True, pin_addresses=["127.0.0.1"],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "addresses", "expected"),
    [
        (
            "https://github.com/o/r",
            ["140.82.121.4"],
            ["-c", "http.curloptResolve=github.com:443:140.82.121.4"],
        ),
        (
            "https://h.example:8443/o/r",
            ["1.2.3.4", "2001:db8::1"],
            ["-c", "http.curloptResolve=h.example:8443:1.2.3.4,[2001:db8::1]"],
        ),
        ("git@github.com:o/r.git", ["140.82.121.4"], []),
        ("https://github.com/o/r", [], []),
    ],
)
def test_pin_arguments_cover_https_only(url, addresses, expected):
    assert pin_config_args(url, addresses) == expected


# ---------------------------------------------------------------------- clone


def clone(repos, **kwargs):
    dest = make_clone_dir(repos["clones"])
    options = {"timeout": 60, "max_bytes": 50_000_000, "allow_local": True, **kwargs}
    return shallow_clone(repos["url"], dest=dest, **options)


def test_clone_of_the_default_branch_is_bare_shallow_and_single_branch(repos):
    cloned = clone(repos)
    assert (cloned.sha, cloned.branch) == (repos["trunk"], "trunk")
    assert not (cloned.path / ".git").exists() and (cloned.path / "objects").is_dir()
    assert git(cloned.path, "rev-list", "--count", "HEAD") == "1"
    assert git(cloned.path, "for-each-ref", "--format=%(refname)") == "refs/heads/trunk"


def test_clone_of_a_named_branch_checks_out_that_branch(repos):
    cloned = clone(repos, branch="dev")
    assert (cloned.sha, cloned.branch) == (repos["dev"], "dev")


def test_clone_of_a_missing_branch_raises_and_removes_the_destination(repos):
    dest = make_clone_dir(repos["clones"])
    with pytest.raises(BranchNotFoundError, match="'nope' does not exist"):
        shallow_clone(
            repos["url"], branch="nope", dest=dest, timeout=60, max_bytes=10**8, allow_local=True
        )
    assert not dest.exists()


def test_clone_of_a_missing_repository_raises_repo_not_found(repos, tmp_path):
    dest = make_clone_dir(repos["clones"])
    with pytest.raises(RepoNotFoundError):
        shallow_clone(
            f"file://{tmp_path}/nowhere.git",
            dest=dest,
            timeout=60,
            max_bytes=10**8,
            allow_local=True,
        )
    assert not dest.exists()


def test_clone_over_the_size_cap_raises_too_large_and_removes_the_destination(repos, tmp_path):
    work = tmp_path / "big"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    write(work, "blob.bin", os.urandom(3_000_000))  # random: does not compress
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "big")
    git(tmp_path, "clone", "-q", "--bare", str(work), "big.git")
    dest = make_clone_dir(repos["clones"])
    with pytest.raises(RepoTooLargeError, match="1 MB") as excinfo:
        shallow_clone(
            f"file://{tmp_path}/big.git",
            dest=dest,
            timeout=60,
            max_bytes=1_000_000,
            allow_local=True,
        )
    assert excinfo.value.retryable is False
    assert not dest.exists()
    assert list(repos["clones"].iterdir()) == []


def test_clone_into_a_non_empty_directory_is_refused(repos, tmp_path):
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(ValueError):
        shallow_clone(repos["url"], dest=dest, timeout=60, max_bytes=10**8, allow_local=True)
    assert (dest / "keep.txt").exists()


def test_hooks_in_the_remote_or_the_environment_never_run(repos, tmp_path, monkeypatch):
    # A hostile template dir and global config in the worker's environment
    # must not reach git either.
    template = tmp_path / "template"
    add_hooks(template, repos["markers"])
    hooks_config = tmp_path / "gitconfig"
    hooks_config.write_text(f"[core]\n\thooksPath = {template / 'hooks'}\n")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(template))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(hooks_config))
    cloned = clone(repos)
    ls_remote_head(repos["url"], timeout=30, allow_local=True)
    with GitCommitSource(cloned.path) as source:
        source.read_bytes("docs/plan.md", max_bytes=1000)
    assert list(repos["markers"].iterdir()) == []
    assert not (cloned.path / "hooks").exists()


def test_submodules_are_not_fetched(repos):
    cloned = clone(repos)
    assert not (cloned.path / "modules").exists()
    assert "vendor/lib" not in [e.path for e in GitCommitSource(cloned.path).list_files()]


# ------------------------------------------------------------ tokens, redact


def test_askpass_answers_git_with_the_forge_username_and_the_token(tmp_path):
    script = write_askpass(tmp_path)
    env = git_environment(tmp_path, token="ghp_SECRET", host="github.com", askpass=script)
    ask = lambda prompt: subprocess.run(  # noqa: E731
        [str(script), prompt], env=env, capture_output=True, check=True
    ).stdout.decode()
    assert ask("Username for 'https://github.com': ") == "x-access-token\n"
    assert ask("Password for 'https://x-access-token@github.com': ") == "ghp_SECRET\n"


def test_token_lives_only_in_its_own_environment_variable(tmp_path):
    script = write_askpass(tmp_path)
    env = git_environment(tmp_path, token="ghp_SECRET", host="github.com", askpass=script)
    argv = git_config_args(allow_local=False)
    assert not any("ghp_SECRET" in a for a in argv)
    assert [k for k, v in env.items() if "ghp_SECRET" in v] == [TOKEN_ENV]
    assert "ghp_SECRET" not in script.read_text()
    assert stat.S_IMODE(script.stat().st_mode) == 0o700


def test_environment_without_token_has_no_askpass_and_no_inherited_git_settings(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("GIT_DIR", "/elsewhere")
    monkeypatch.setenv("SSH_AUTH_SOCK", "/tmp/agent")
    env = git_environment(tmp_path)
    assert "GIT_ASKPASS" not in env and TOKEN_ENV not in env
    assert "GIT_DIR" not in env and "SSH_AUTH_SOCK" not in env
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_CONFIG_NOSYSTEM"] == "1"
    assert (
        "BatchMode=yes" in env["GIT_SSH_COMMAND"] and "IdentityAgent=none" in env["GIT_SSH_COMMAND"]
    )


def test_file_protocol_is_allowed_only_for_local_mode():
    assert "protocol.file.allow=always" in git_config_args(allow_local=True)
    assert "protocol.file.allow=always" not in git_config_args(allow_local=False)
    assert "protocol.allow=never" in git_config_args(allow_local=False)


@pytest.mark.parametrize(
    ("host", "username"),
    [
        ("github.com", "x-access-token"),
        ("gitlab.com", "oauth2"),
        ("gitlab.example.org", "oauth2"),
        ("codeberg.org", "oauth2"),
        ("bitbucket.org", "x-token-auth"),
    ],
)
def test_token_username_follows_the_forge_convention(host, username):
    assert token_username_for_host(host) == username


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fatal: could not read from ghp_SECRET", "fatal: could not read from ***"),
        ("url https://u:pw@github.com/o/r failed", "url https://***@github.com/o/r failed"),
        ("url https://ghp_x@github.com/o/r", "url https://***@github.com/o/r"),
        ("encoded a%2Fb%3Dc", "encoded ***"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_masks_tokens_and_url_credentials(text, expected):
    assert redact(text, ["ghp_SECRET", "a/b=c", ""]) == expected


@pytest.mark.parametrize(
    ("stderr", "error"),
    [
        (
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            AuthRequiredError,
        ),
        (
            "remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://gitlab.com/o/r.git/'",
            AuthRequiredError,
        ),
        ("git@github.com: Permission denied (publickey).", AuthRequiredError),
        (
            "remote: Repository not found.\nfatal: repository 'https://github.com/o/r.git/' not found",
            RepoNotFoundError,
        ),
        (
            "fatal: unable to access 'https://nohost.example/o/r/': Could not resolve host: nohost.example",
            GitNetworkError,
        ),
        (
            "fatal: unable to access 'https://h/o/r/': The requested URL returned error: 503",
            GitNetworkError,
        ),
        (
            "warning: Could not find remote branch x to clone.\nfatal: Remote branch x not found in upstream origin",
            BranchNotFoundError,
        ),
        ("fatal: something new and strange", GitFetchError),
    ],
)
def test_git_errors_are_classified_for_users(stderr, error):
    assert type(classify_git_error(stderr)) is error


def test_unknown_git_errors_quote_git_in_a_single_line():
    assert (
        str(classify_git_error("noise\nfatal: odd failure"))
        == "git could not fetch the repository: odd failure"
    )


# ---------------------------------------------------------------------- sweep


def test_sweep_removes_only_old_directories_with_the_clone_prefix(tmp_path):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = now.timestamp() - 7200
    made = {}
    for name in (
        f"{CLONE_DIR_PREFIX}old",
        f"{HOME_DIR_PREFIX}old",
        f"{CLONE_DIR_PREFIX}new",
        "unrelated-old",
    ):
        path = tmp_path / name
        (path / "objects").mkdir(parents=True)
        (path / "objects" / "pack").write_bytes(b"x")
        made[name] = path
    for name in (f"{CLONE_DIR_PREFIX}old", f"{HOME_DIR_PREFIX}old", "unrelated-old"):
        os.utime(made[name], (old, old))
    fresh = now.timestamp() - 60
    os.utime(made[f"{CLONE_DIR_PREFIX}new"], (fresh, fresh))

    removed = sweep_stale_clones(tmp_path, older_than_seconds=3600, now=now)

    assert removed == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{CLONE_DIR_PREFIX}new", "unrelated-old"]


def test_sweep_of_a_missing_parent_removes_nothing(tmp_path):
    assert sweep_stale_clones(tmp_path / "none", older_than_seconds=1, now=datetime.now(UTC)) == 0


# --------------------------------------------------------------- commit source


def test_commit_source_lists_blobs_with_tree_sizes_and_flags_symlinks(repos):
    with GitCommitSource(repos["remote"]) as source:
        files = {e.path: e for e in source.list_files()}
    assert [e for e in files] == sorted(files)
    assert files["docs/plan.md"].size == len(PLAN_V2)
    assert files["assets/logo.bin"].size == len(BINARY)
    assert files["docs/escape.md"].is_symlink and files["plan-link.md"].is_symlink
    assert not files["README.md"].is_symlink
    assert "vendor/lib" not in files and "dev.md" not in files
    assert len(files) == 65


def test_commit_source_reads_text_and_binary_blobs_exactly(repos):
    with GitCommitSource(repos["remote"]) as source:
        assert source.read_bytes("docs/plan.md", max_bytes=1000) == PLAN_V2.encode()
        assert source.read_bytes("assets/logo.bin", max_bytes=10_000) == BINARY


def test_commit_source_reads_an_older_commit_or_another_branch(repos):
    with GitCommitSource(repos["remote"], repos["first"]) as source:
        assert source.read_bytes("docs/plan.md", max_bytes=1000) == PLAN_V1.encode()
    with GitCommitSource(repos["remote"], "dev") as source:
        assert source.read_bytes("dev.md", max_bytes=1000) == b"dev only\n"


@pytest.mark.parametrize("commit", ["nope", "--output=/tmp/x", "HEAD~5"])
def test_commit_source_refuses_unknown_commits(repos, commit):
    with pytest.raises(SourceError, match="does not exist"):
        GitCommitSource(repos["remote"], commit)


def test_commit_source_refuses_a_folder_that_is_not_a_repository(tmp_path):
    with pytest.raises(SourceError, match="no git repository"):
        GitCommitSource(tmp_path)


def test_commit_source_reads_a_working_copy_through_its_git_directory(shared_repos):
    work = shared_repos["remote"].parent / "work"
    with GitCommitSource(work, "trunk") as source:
        assert source.read_bytes("docs/plan.md", max_bytes=1000) == PLAN_V2.encode()


def test_commit_source_caps_reads_and_stays_in_step_afterwards(repos):
    with GitCommitSource(repos["remote"]) as source:
        with pytest.raises(FileTooLargeError):
            source.read_bytes("assets/logo.bin", max_bytes=100)
        assert source.read_many(["assets/logo.bin", "README.md"], max_bytes=100) == {
            "README.md": b"# Demo\n"
        }
        assert source.read_bytes("README.md", max_bytes=100) == b"# Demo\n"


def test_commit_source_follows_inner_symlinks_and_refuses_escaping_ones(repos):
    with GitCommitSource(repos["remote"]) as source:
        assert source.read_bytes("plan-link.md", max_bytes=1000) == PLAN_V2.encode()
        with pytest.raises(UnsafePathError):
            source.read_bytes("docs/escape.md", max_bytes=1000)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("missing.md", SourceError, "does not exist"),
        ("docs", SourceError, "is a directory"),
        ("../outside.md", UnsafePathError, ".."),
        ("/etc/passwd", UnsafePathError, "absolute"),
        ("vendor/lib", SourceError, "does not exist"),
    ],
)
def test_commit_source_reports_unreadable_paths(repos, path, error, message):
    with GitCommitSource(repos["remote"]) as source:
        with pytest.raises(error, match=message):
            source.read_bytes(path, max_bytes=1000)


def test_read_many_uses_one_batch_process_and_skips_what_it_cannot_read(repos):
    wanted = [f"many/file{i:02}.txt" for i in range(60)]
    extras = ["missing.md", "docs/escape.md", "assets/logo.bin", "plan-link.md"]
    with GitCommitSource(repos["remote"]) as source:
        got = source.read_many(wanted + extras, max_bytes=200)
        first = [proc.pid for proc in source.git_processes]
        for path in wanted[:5]:
            source.read_bytes(path, max_bytes=200)
        # GitPython's two long-lived cat-file processes: never one per file.
        assert len(first) == 2
        assert [proc.pid for proc in source.git_processes] == first
    assert sorted(got) == sorted(wanted + ["plan-link.md"])
    assert got["many/file07.txt"] == b"file 7\n"


def test_a_batch_larger_than_the_pipes_completes(repos):
    paths = [f"bulk/{i:04}.txt" for i in range(BULK_FILES)]
    result: dict = {}
    source = GitCommitSource(repos["remote"], "bulk")
    reader = threading.Thread(target=lambda: result.update(source.read_many(paths, max_bytes=100)))
    reader.start()
    reader.join(timeout=20)
    alive = reader.is_alive()
    if alive:
        for proc in source.git_processes:
            proc.kill()  # release the stuck pipes so the test can fail
        reader.join()
    source.close()
    assert not alive, "read_many deadlocked"
    assert len(result) == BULK_FILES and result["bulk/2999.txt"] == b"bulk 2999\n"


def test_closing_the_source_stops_the_batch_process(repos):
    with GitCommitSource(repos["remote"]) as source:
        source.read_bytes("README.md", max_bytes=100)
        procs = source.git_processes
    assert procs and all(proc.poll() is not None for proc in procs)


def test_commit_source_reads_what_shallow_clone_fetched(repos):
    cloned = clone(repos, branch="dev")
    with GitCommitSource(cloned.path) as source:
        assert source.commit == repos["dev"]
        assert source.read_bytes("dev.md", max_bytes=100) == b"dev only\n"
        assert source.read_many(["docs/plan.md"], max_bytes=1000) == {
            "docs/plan.md": PLAN_V2.encode()
        }


def test_commit_source_tells_when_the_commit_was_made(tmp_path):
    import os
    import subprocess
    from datetime import UTC, datetime

    from projects.core.git_source import GitCommitSource

    work = tmp_path / "w"
    work.mkdir()
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_COMMITTER_DATE": "2026-03-04T05:06:07Z",
        "GIT_AUTHOR_DATE": "2026-03-04T05:06:07Z",
        "HOME": str(tmp_path),
        "PATH": os.environ["PATH"],
    }
    (work / "a.txt").write_text("x")
    for args in (["init", "-q"], ["add", "a.txt"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True)
    with GitCommitSource(work) as source:
        assert source.commit_time() == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
