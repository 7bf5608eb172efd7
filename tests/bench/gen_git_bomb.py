"""Build a "git bomb": a tiny repository whose tree fans out to millions of paths.

Each level is one tree object holding ``fanout`` entries that all point at
the tree of the level below; the bottom tree holds ``fanout`` entries that
all point at one blob. ``levels`` levels give ``fanout ** levels`` paths
from ``levels + 1`` tree objects: the whole repository is a few KB, yet a
tool that lists its tree recursively (``git ls-tree -r``, a checkout, a
naive walk) tries to hold every path. ``name_bytes`` makes every name that
long, so that the paths' total length explodes as well.

A normal ``docs/plan.md`` and ``requirements.txt`` sit at the root beside the
bomb folder, as a real repository would have them.

Usage: python tests/bench/gen_git_bomb.py DEST [LEVELS] [FANOUT]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PLAN = "# Plan\n\n## Phase 1\n\n- [x] Build the bomb\n- [ ] Survive it\n"

_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repo}", *args],
        input=stdin,
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"], "HOME": str(repo), **_ENV},
    )
    return done.stdout.decode().strip()


def _blob(repo: Path, content: bytes) -> str:
    return _git(repo, "hash-object", "-w", "--stdin", stdin=content)


def _tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """``entries``: (mode, type, id) by name; ``git mktree`` sorts and writes it."""
    text = "".join(f"{mode} {kind} {oid}\t{name}\n" for name, (mode, kind, oid) in entries)
    return _git(repo, "mktree", stdin=text.encode())


def build_git_bomb(
    dest: Path, *, levels: int = 8, fanout: int = 10, name_bytes: int = 2, plan: str = PLAN
) -> Path:
    """Create a bare repository at ``dest`` whose ``main`` holds the bomb; return ``dest``."""
    dest.mkdir(parents=True)
    _git(dest, "init", "-q", "--bare", "-b", "main")
    names = [f"d{i}".ljust(name_bytes, "x") for i in range(fanout)]
    blob = _blob(dest, b"boom\n")
    below = _tree(dest, [(n, ("100644", "blob", blob)) for n in names])
    for _ in range(levels - 1):
        below = _tree(dest, [(n, ("040000", "tree", below)) for n in names])
    docs = _tree(dest, [("plan.md", ("100644", "blob", _blob(dest, plan.encode())))])
    root = _tree(
        dest,
        [
            ("bomb", ("040000", "tree", below)),
            ("docs", ("040000", "tree", docs)),
            ("requirements.txt", ("100644", "blob", _blob(dest, b"django==5.2\n"))),
        ],
    )
    commit = _git(dest, "commit-tree", root, "-m", "a tree of many paths")
    _git(dest, "update-ref", "refs/heads/main", commit)
    return dest


def repository_bytes(repo: Path) -> int:
    return sum(p.stat().st_size for p in repo.rglob("*") if p.is_file())


if __name__ == "__main__":
    target = Path(sys.argv[1])
    levels = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    fanout = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    build_git_bomb(target, levels=levels, fanout=fanout)
    print(f"{target}: {fanout**levels} paths in {repository_bytes(target)} bytes")
