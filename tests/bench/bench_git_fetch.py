"""Time fetching against plain git on a generated, packed bare repository.

Run: python tests/bench/bench_git_fetch.py [--files 5000] [--megabytes 50]

Prints the raw medians (of 5) and then one line per figure in the
``NAME: VALUE (target OP BOUND) ok|MISS`` form of ``make bench``:
- fetch_clone_ratio: ``shallow_clone`` ÷ ``git clone --depth 1 --single-branch
  --no-checkout file://…`` of the same repository;
- fetch_unchanged_ratio: ``ls_remote_head`` ÷ that same plain clone;
- read_all_ratio: listing the clone and reading every blob through
  ``GitCommitSource`` ÷ that same plain clone (for scale only, no target).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quick import sized  # noqa: E402  (the script's folder is on sys.path)

from projects.core.git_remote import ls_remote_head, make_clone_dir, shallow_clone  # noqa: E402
from projects.core.git_source import GitCommitSource  # noqa: E402

GIT_ENV = {
    "PATH": os.environ["PATH"],
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**GIT_ENV, "HOME": str(cwd)}, check=True)


def generate(root: Path, *, files: int, megabytes: int) -> Path:
    """A packed bare repository of ``files`` incompressible files, two commits deep."""
    work = root / "work"
    per_file = megabytes * 1_000_000 // files
    for i in range(files):
        path = work / f"dir{i % 50:02}" / f"file{i:05}.dat"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(per_file))
    (work / "docs").mkdir()
    (work / "docs" / "plan.md").write_text("# Plan\n\n- [x] one\n- [ ] two\n")
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "generated")
    (work / "docs" / "plan.md").write_text("# Plan\n\n- [x] one\n- [x] two\n")
    git(work, "commit", "-q", "-am", "progress")
    git(root, "clone", "-q", "--bare", str(work), "remote.git")
    git(root / "remote.git", "repack", "-q", "-a", "-d")
    shutil.rmtree(work)
    return root / "remote.git"


def medians_of_5(actions: dict[str, Callable[[int], None]]) -> dict[str, float]:
    """Median of 5 timed runs of each action, interleaved so load drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for run in range(5):
        for name, action in actions.items():
            started = time.perf_counter()
            action(run)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def line(name: str, value: float, op: str, bound: float | None) -> str:
    if bound is None:
        return f"{name}: {value:.3f} (for scale) ok"
    met = value <= bound if op == "<=" else value >= bound
    return f"{name}: {value:.3f} (target {op} {bound}) {'ok' if met else 'MISS'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=sized(5000, 200))
    parser.add_argument("--megabytes", type=int, default=sized(50, 2))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="repotrackr-bench-") as tmp:
        root = Path(tmp)
        remote = generate(root, files=options.files, megabytes=options.megabytes)
        url = f"file://{remote}"
        clones = root / "clones"
        clones.mkdir()

        def plain(run: int) -> None:
            dest = clones / f"plain{run}"
            git(
                clones, "clone", "-q", "--depth", "1", "--single-branch", "--no-checkout", url,
                str(dest),
            )  # fmt: skip
            shutil.rmtree(dest)

        def ours(run: int) -> None:
            dest = make_clone_dir(clones)
            shallow_clone(url, dest=dest, timeout=600, max_bytes=10**10, allow_local=True)
            shutil.rmtree(dest)

        def unchanged(run: int) -> None:
            ls_remote_head(url, timeout=60, allow_local=True)

        kept = shallow_clone(
            url, dest=make_clone_dir(clones), timeout=600, max_bytes=10**10, allow_local=True
        )

        def read_all(run: int) -> None:
            with GitCommitSource(kept.path) as source:
                paths = [e.path for e in source.list_files()]
                source.read_many(paths, max_bytes=10**7)

        medians = medians_of_5({"plain": plain, "clone": ours, "head": unchanged, "read": read_all})
        base, clone_t, head_t, read_t = (medians[k] for k in ("plain", "clone", "head", "read"))
        print(f"plain git clone: {base:.3f}s  shallow_clone: {clone_t:.3f}s  ", end="")
        print(f"ls_remote_head: {head_t:.3f}s  read all blobs: {read_t:.3f}s")
        print(line("fetch_clone_ratio", clone_t / base, "<=", 1.2))
        print(line("fetch_unchanged_ratio", head_t / base, "<=", 0.1))
        print(line("read_all_ratio", read_t / base, "<=", None))


if __name__ == "__main__":
    main()
