"""Robust reading of imperfect repositories: missing blobs, damaged objects, redirects.

A tree entry whose blob is missing from the object store (a partial clone,
a damaged pack) never crashes ``plan``, ``skills`` or a job: the file is
skipped with a warning. A repository git itself calls damaged fails at once
and for good, quoting git's own ``fatal:`` line. A redirect from the host
is reported as a redirect. Every repository here is real, built with git.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from jobs.errors import classify_error
from jobs.models import JobRecord, JobStatus
from projects.core.git_errors import CorruptRepoError, RedirectError, classify_git_error
from projects.core.git_source import GitCommitSource
from projects.core.plan_discovery import load_plan
from projects.core.source import CorruptRepositoryError, SourceError
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills

PLAN = "# Plan\n\n## Phase 1\n\n- [x] Read imperfect repositories\n- [ ] Never crash\n"
ENV = {
    "PATH": os.environ["PATH"],
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> str:
    env = {**ENV, "HOME": str(cwd)}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)
    return done.stdout.decode().strip()


@pytest.fixture
def work(tmp_path) -> Path:
    """A working repository: a plan, a manifest, some code and a doomed file."""
    root = tmp_path / "work"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "plan.md").write_text(PLAN)
    (root / "requirements.txt").write_text("django==5.2\n")
    (root / "app.py").write_text("import django\n\nprint('hi')\n")
    (root / "lost.py").write_text("print('this blob will go missing')\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    return root


def _loose_copy(work: Path, dest: Path) -> Path:
    """A bare copy whose objects are loose files (so one can be removed or damaged)."""
    git(dest.parent, "init", "-q", "--bare", "-b", "main", str(dest))
    git(work, "push", "-q", str(dest), "main")
    return dest


def _object_file(repo: Path, work: Path, path: str) -> Path:
    oid = git(work, "rev-parse", f"HEAD:{path}")
    return repo / "objects" / oid[:2] / oid[2:]


@pytest.fixture
def missing_blob(work, tmp_path) -> Path:
    repo = _loose_copy(work, tmp_path / "missing.git")
    _object_file(repo, work, "lost.py").unlink()
    return repo


@pytest.fixture
def damaged_blob(work, tmp_path) -> Path:
    repo = _loose_copy(work, tmp_path / "damaged.git")
    target = _object_file(repo, work, "lost.py")
    target.chmod(0o644)
    target.write_bytes(b"not a zlib stream at all")
    return repo


@pytest.fixture
def damaged_pack(work, tmp_path) -> Path:
    """A packed bare copy with the bytes of one blob's compressed data flipped."""
    repo = tmp_path / "pack.git"
    git(tmp_path, "clone", "-q", "--bare", "--no-local", str(work), str(repo))
    oid = git(work, "rev-parse", "HEAD:lost.py")
    (index,) = (repo / "objects" / "pack").glob("*.idx")
    listing = git(repo, "verify-pack", "-v", str(index))
    offset = next(int(ln.split()[4]) for ln in listing.splitlines() if ln.startswith(oid))
    pack = index.with_suffix(".pack")
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    for at in range(offset + 3, offset + 13):  # past the object header, into the zlib stream
        data[at] ^= 0xFF
    pack.write_bytes(bytes(data))
    return repo


# -- missing blobs ----------------------------------------------------------------------


def test_a_missing_blob_is_left_out_of_the_listing_with_a_warning(missing_blob):
    with GitCommitSource(missing_blob) as source:
        paths = [e.path for e in source.list_files()]
        assert paths == ["app.py", "docs/plan.md", "requirements.txt"]
        assert any(w.startswith("lost.py: its content is missing") for w in source.warnings)
        assert source.read_many(["lost.py", "app.py"], max_bytes=1000) == {
            "app.py": b"import django\n\nprint('hi')\n"
        }


def test_plan_discovery_skips_the_missing_blob_and_carries_its_warning(missing_blob):
    with GitCommitSource(missing_blob) as source:
        loaded = load_plan(source)
    assert len(loaded.plan.tasks) == 2
    assert any("lost.py" in w and "missing" in w for w in loaded.warnings)


def test_the_skills_scan_skips_the_missing_blob(missing_blob):
    with GitCommitSource(missing_blob) as source:
        result = extract_skills(source, catalogue=cached_catalogue())
    assert "Django" in {s.name for s in result.skills}
    assert "lost.py" not in {path for path, _ in result.files_skipped}


@pytest.mark.django_db
def test_the_plan_command_reads_a_repository_with_a_missing_blob(missing_blob, capsys):
    call_command("plan", str(missing_blob), "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["total"], report["done"]) == (2, 1)
    assert any("lost.py" in w for w in report["warnings"])


@pytest.mark.django_db
def test_the_skills_command_reads_a_repository_with_a_missing_blob(missing_blob, capsys):
    call_command("skills", str(missing_blob), "--json")
    captured = capsys.readouterr()
    assert "Django" in {s["name"] for s in json.loads(captured.out)["skills"]}
    assert "lost.py: its content is missing" in captured.err


def test_a_partial_clone_is_read_without_fetching_from_its_promisor(work, tmp_path):
    git(work, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial.git"
    git(tmp_path, "clone", "-q", "--bare", "--filter=blob:none", f"file://{work}", str(clone))
    packs_before = sorted(p.name for p in (clone / "objects" / "pack").iterdir())
    with GitCommitSource(clone) as source:
        assert source.list_files() == []
        assert len(source.warnings) == 4
        loaded_error = None
        try:
            load_plan(source)
        except Exception as exc:  # noqa: BLE001 - any refusal is fine; a fetch is not
            loaded_error = exc
    assert loaded_error is not None and "no plan" in str(loaded_error)
    assert sorted(p.name for p in (clone / "objects" / "pack").iterdir()) == packs_before


# -- damaged repositories ------------------------------------------------------------------


def test_a_damaged_loose_object_is_skipped_like_a_missing_one(damaged_blob):
    with GitCommitSource(damaged_blob) as source:
        assert "lost.py" not in [e.path for e in source.list_files()]
        assert any(w.startswith("lost.py: its content is missing") for w in source.warnings)
        with pytest.raises(SourceError, match="lost.py: its content is missing"):
            source.read_bytes("lost.py", max_bytes=1000)
        assert source.read_bytes("docs/plan.md", max_bytes=1000) == PLAN.encode()


def test_a_damaged_pack_read_locally_fails_quoting_git(damaged_pack):
    with GitCommitSource(damaged_pack) as source:
        assert "lost.py" in [e.path for e in source.list_files()]  # its header is intact
        with pytest.raises(CorruptRepositoryError) as caught:
            source.read_bytes("lost.py", max_bytes=1000)
    message = str(caught.value)
    assert message.startswith("the repository is damaged; git says: fatal: packed object")
    assert message.endswith("is corrupt")


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["missing_blob", "damaged_blob", "damaged_pack"])
def test_a_damaged_remote_fails_the_refresh_once_quoting_git(
    damage, request, owner, settings, tmp_path, django_capture_on_commit_callbacks
):
    from jobs.queues import get_queue, queue_names
    from jobs.services import refresh_request
    from jobs.worker import RepoTrackrSimpleWorker
    from projects.services import project_create
    from repotrackr.redis_connection import get_redis

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    repo = request.getfixturevalue(damage)
    project = project_create(owner=owner, name="Damaged", repo_url=str(repo))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = refresh_request(project=project, user=owner, trigger="manual")
    conn = get_redis()
    RepoTrackrSimpleWorker(
        [get_queue(name, connection=conn) for name in queue_names()], connection=conn
    ).work(burst=True)
    record = JobRecord.objects.get(pk=outcome.job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1
    assert record.next_attempt_at is None
    assert record.error.startswith(
        "the repository is damaged and cannot be cloned; git says: fatal:"
    )
    assert "could not be reached" not in record.error


@pytest.mark.parametrize(
    "stderr",
    [
        "remote: fatal: unable to read ce013625030ba8dba906f756967f9e9ca394464a\n"
        "error: git upload-pack: git-pack-objects died with error.\n"
        "fatal: early EOF\nfatal: fetch-pack: invalid index-pack output\n",
        "remote: fatal: loose object ce01 (stored in ./objects/ce/01) is corrupt\n"
        "fatal: the remote end hung up unexpectedly\nfatal: early EOF\n",
        "error: did not receive expected object 1234\nfatal: index-pack failed\n",
    ],
)
def test_damage_is_never_mistaken_for_a_network_failure(stderr):
    error = classify_git_error(stderr)
    assert isinstance(error, CorruptRepoError) and error.retryable is False
    assert "could not be reached" not in str(error)
    job_error = classify_error(error)
    assert job_error.retryable is False and job_error.message == str(error)


def test_a_dropped_connection_is_still_a_network_failure():
    stderr = "error: RPC failed; curl 18 transfer closed\nfatal: early EOF\n"
    assert classify_git_error(stderr).retryable is True


# -- redirects ------------------------------------------------------------------------------


class _Redirecting(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.send_response(301)
        self.send_header("Location", "https://elsewhere.example/acme/repo.git/info/refs")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_from_the_host_is_reported_as_a_redirect(tmp_path):
    """Real git against a real server that answers 301, with redirects off as ours are."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run(
            ["git", "-c", "protocol.allow=always", "-c", "http.followRedirects=false",
             "ls-remote", f"http://127.0.0.1:{server.server_address[1]}/acme/repo.git"],
            capture_output=True, text=True, env={**ENV, "HOME": str(tmp_path)}, check=False,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert done.returncode != 0
    error = classify_git_error(done.stderr)
    assert isinstance(error, RedirectError) and error.retryable is False
    assert "redirect (HTTP 301)" in str(error)
    assert "could not be reached" not in str(error)
