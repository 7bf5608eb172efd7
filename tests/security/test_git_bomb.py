"""Attack: a repository of a few KB whose trees fan out to 100 million paths.

Before: ``git show -s`` on the root commit computed its whole diff, the
``ls-tree -r`` output was buffered whole and the skills walk listed
everything before applying its cap: one refresh took about 20 GB. Now the
tree is walked one tree object at a time through GitPython's persistent
``cat-file`` and the walk stops at ``REPOTRACKR_MAX_TREE_ENTRIES`` entries or
``REPOTRACKR_MAX_TREE_MB`` of paths. The rule, as the README says: a scan
that needs every file (skills) fails with "the repository has more than N
files"; plan discovery goes on with the part listed and warns.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from django.db import connection

from jobs.models import JobRecord, JobStatus
from projects.core.git_source import GitCommitSource
from projects.core.plan_discovery import load_plan
from projects.core.source import TooManyFilesError
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from tests.bench.gen_git_bomb import build_git_bomb, repository_bytes

BASE_DIR = Path(__file__).resolve().parents[2]
ONE_GB = 1024**3


def _cpu_seconds() -> float:
    """CPU seconds spent so far by this process and the git processes it has waited for."""
    spent = os.times()
    return spent.user + spent.system + spent.children_user + spent.children_system


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """10 ** 8 paths in a few KB."""
    path = build_git_bomb(tmp_path_factory.mktemp("bomb") / "bomb.git", levels=8, fanout=10)
    assert repository_bytes(path) < 300_000
    return path


def test_listing_the_bomb_stops_at_the_entry_cap_and_says_so(bomb):
    started = _cpu_seconds()
    with GitCommitSource(bomb, max_entries=5000) as source:
        with pytest.raises(TooManyFilesError, match="the repository has more than 5000 files"):
            source.list_files()
    # CPU, not wall, seconds: a loaded machine slows the listing without adding work.
    assert _cpu_seconds() - started < 10  # the 10 ** 8 paths were never walked


def test_listing_long_names_stops_at_the_byte_cap(tmp_path):
    long_names = build_git_bomb(tmp_path / "long.git", levels=6, fanout=4, name_bytes=250)
    with GitCommitSource(long_names, max_entries=10**6, max_listing_bytes=200_000) as source:
        with pytest.raises(TooManyFilesError, match="file list is longer than") as caught:
            source.list_files()
    partial = caught.value.partial
    assert sum(len(e.path) for e in partial) <= 200_000
    assert "docs/plan.md" in {e.path for e in partial}


def test_the_skills_scan_of_the_bomb_fails_clearly(bomb):
    with GitCommitSource(bomb, max_entries=5000) as source:
        with pytest.raises(TooManyFilesError, match="more than 5000 files"):
            extract_skills(source, catalogue=cached_catalogue())


def test_plan_discovery_on_the_bomb_finds_the_plan_in_the_part_listed(bomb):
    with GitCommitSource(bomb, max_entries=5000) as source:
        loaded = load_plan(source)
    assert loaded.files == ("docs/plan.md",)
    assert len(loaded.plan.tasks) == 2
    assert any("more than 5000 files" in w for w in loaded.warnings)


def test_a_file_deep_in_the_bomb_is_still_readable_by_its_path(bomb):
    deep = "bomb/" + "/".join(["d3"] * 7) + "/d9"
    with GitCommitSource(bomb, max_entries=5000) as source:
        assert source.read_bytes(deep, max_bytes=100) == b"boom\n"


# -- a real forking worker ------------------------------------------------------------


def _test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if user else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}{port}/{db['NAME']}"


class PeakRss:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in procs:
                try:
                    self.peak = max(self.peak, proc.memory_info().rss)
                except psutil.Error:
                    continue

    def __enter__(self) -> PeakRss:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _run_burst_worker(settings, **extra_env: str) -> int:
    """One ``manage.py rqworker --burst`` (a forking worker); the peak RSS it reached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        REPOTRACKR_CLONE_DIR=str(settings.REPOTRACKR_CLONE_DIR),
        REPOTRACKR_ALLOW_LOCAL_REPOS="true",
        **extra_env,
    )
    queues = (settings.QUEUE_HIGH, settings.QUEUE_DEFAULT, settings.QUEUE_LOW)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", *queues, "--burst", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with PeakRss(worker.pid) as sampler:
            assert worker.wait(timeout=240) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    return sampler.peak


@pytest.mark.django_db(transaction=True)
def test_a_forked_worker_survives_the_bomb_with_a_clear_error_and_little_memory(
    bomb, owner, settings, tmp_path
):
    from jobs.refresh_requests import project_refresh_request
    from projects.services import project_create

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    project = project_create(owner=owner, name="Bomb", repo_url=str(bomb))
    skills_job = project_refresh_request(
        project=project, requested_by=owner, trigger="api", skills_only=True
    ).job
    peak = _run_burst_worker(settings)
    refresh_job = project_refresh_request(project=project, requested_by=owner, trigger="manual").job
    peak = max(peak, _run_burst_worker(settings))

    skills = JobRecord.objects.get(pk=skills_job.pk)
    assert skills.status == JobStatus.FAILED and skills.attempts == 1, skills.error_detail
    assert (
        skills.error == f"the repository has more than {settings.REPOTRACKR_MAX_TREE_ENTRIES} files"
    )
    refresh = JobRecord.objects.get(pk=refresh_job.pk)
    assert refresh.status == JobStatus.COMPLETED, refresh.error_detail
    assert refresh.result["tasks_count"] == 2
    assert any("more than" in w for w in refresh.result["warnings"])
    assert any(w.startswith("skills not updated") for w in refresh.result["warnings"])
    for record in (skills, refresh):
        assert 0 < record.peak_memory_bytes < ONE_GB
    assert 0 < peak < ONE_GB


@pytest.mark.django_db(transaction=True)
def test_a_work_horse_past_its_memory_limit_fails_the_job_cleanly(
    make_repo, owner, settings, tmp_path
):
    from jobs.services import refresh_request
    from projects.services import project_create

    settings.REPOTRACKR_ALLOW_LOCAL_REPOS = True
    settings.REPOTRACKR_CLONE_DIR = tmp_path / "clones"
    project = project_create(owner=owner, name="Heavy", repo_url=make_repo().url)
    job = refresh_request(project=project, user=owner, trigger="manual").job
    # Any Python process is past 1 MB: the watchdog fires as soon as the job runs.
    _run_burst_worker(settings, REPOTRACKR_JOB_MAX_RSS_MB="1")
    record = JobRecord.objects.get(pk=job.pk)
    assert record.status == JobStatus.FAILED and record.attempts == 1, record.error_detail
    assert record.error == "the job used more than its memory limit of 1 MB and was stopped"
    assert "MemoryLimitError" in record.error_detail
    assert not list(settings.REPOTRACKR_CLONE_DIR.glob("repotrackr-clone-*"))


# -- git children run under an address-space limit ----------------------------------------


def _address_space_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return line.split()[3]
    raise AssertionError("no address-space line")


def test_the_persistent_cat_file_processes_run_under_the_git_memory_limit(bomb):
    limit = 512 * 1024 * 1024
    with GitCommitSource(bomb, max_entries=100, git_memory_bytes=limit) as source:
        source.read_bytes("docs/plan.md", max_bytes=1000)
        procs = source.git_processes
        assert len(procs) == 2
        assert {_address_space_limit(p.pid) for p in procs} == {str(limit)}


def test_clone_and_ls_remote_run_git_under_the_memory_limit(bomb, tmp_path):
    from projects.core.git_remote import GitFetchError, ls_remote_head, shallow_clone

    head = ls_remote_head(f"file://{bomb}", timeout=60, allow_local=True, memory_limit_bytes=2**30)
    cloned = shallow_clone(
        f"file://{bomb}", dest=tmp_path / "c", timeout=60, max_bytes=10**8,
        allow_local=True, memory_limit_bytes=2**30,
    )  # fmt: skip
    assert cloned.sha == head.sha
    # A limit no git can start under proves the limit reaches git itself.
    with pytest.raises(GitFetchError):
        ls_remote_head(f"file://{bomb}", timeout=60, allow_local=True, memory_limit_bytes=1)


# -- one very wide folder, and names a checkout would refuse --------------------------------


def _commit_tree(tmp_path: Path, lines: str) -> Path:
    repo = tmp_path / "wide.git"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            ["git", f"--git-dir={repo}", *args],
            input=stdin.encode() if stdin is not None else None,
            capture_output=True, check=True, env=env,
        )  # fmt: skip
        return done.stdout.decode().strip()

    run("init", "-q", "--bare", "-b", "main")
    blob = run("hash-object", "-w", "--stdin", stdin="x\n")
    tree = run("mktree", stdin=lines.replace("BLOB", blob))
    run("update-ref", "refs/heads/main", run("commit-tree", tree, "-m", "wide"))
    return repo


def test_one_folder_wider_than_the_cap_stops_the_walk_inside_it(tmp_path):
    lines = "".join(f"100644 blob BLOB\tf{i:06}.txt\n" for i in range(5000))
    repo = _commit_tree(tmp_path, lines)
    with GitCommitSource(repo, max_entries=1000) as source:
        with pytest.raises(TooManyFilesError, match="more than 1000 files") as caught:
            source.list_files()
        assert len(caught.value.partial) == 1000
        assert source.read_bytes("f004999.txt", max_bytes=10) == b"x\n"  # found by its path


def test_tree_entries_a_checkout_would_refuse_are_skipped_with_a_warning(tmp_path):
    repo = _commit_tree(tmp_path, "100644 blob BLOB\t..\n100644 blob BLOB\tok.txt\n")
    with GitCommitSource(repo) as source:
        assert [e.path for e in source.list_files()] == ["ok.txt"]
        assert source.warnings == ["the root folder: an entry named '..' was skipped"]
