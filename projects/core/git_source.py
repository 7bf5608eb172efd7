"""Read one commit of a git repository straight from its object database.

No working tree is ever written: the tree is listed with ``git ls-tree`` (sizes
included) and blobs are read through one long-lived ``git cat-file --batch``
process, so reading a thousand files costs a thousand pipe writes, not a
thousand git processes. Symlinks stay blobs: they are listed (flagged) and,
when read, followed only while they stay inside the tree. Submodules are not
part of the listing.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from projects.core.source import (
    FileEntry,
    FileTooLargeError,
    SourceError,
    UnsafePathError,
    normalise_relative_path,
)

_MODE_SYMLINK = "120000"
_MODE_SUBMODULE = "160000"
_MAX_LINK_HOPS = 8
_MAX_LINK_BYTES = 4096
_DISCARD_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class _TreeEntry:
    path: str
    mode: str
    oid: str
    size: int

    @property
    def is_symlink(self) -> bool:
        return self.mode == _MODE_SYMLINK


class GitCommitSource:
    """A ``RepoSource`` over ``commit`` of the repository at ``repo_path``.

    ``repo_path`` may be a bare repository (what ``shallow_clone`` makes) or a
    working copy with a ``.git`` directory. Use it as a context manager, or
    call ``close()``, to stop the ``cat-file`` process.
    """

    def __init__(
        self, repo_path: Path | str, commit: str = "HEAD", *, timeout: float = 60.0
    ) -> None:
        root = Path(repo_path)
        self.git_dir = root / ".git" if (root / ".git").is_dir() else root
        if not (self.git_dir / "objects").is_dir():
            raise SourceError("no git repository to read here")
        self.timeout = timeout
        self.git_processes_started = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._entries: dict[str, _TreeEntry] | None = None
        self.commit = self._resolve_commit(commit)

    # -- plumbing ---------------------------------------------------------

    def _argv(self, *args: str) -> list[str]:
        return ["git", f"--git-dir={self.git_dir}", "-c", "core.fsmonitor=false", *args]

    def _env(self) -> dict[str, str]:
        # Only the repository's own config counts; nothing of the user's.
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.git_dir),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
        }

    def _run(self, *args: str) -> bytes:
        self.git_processes_started += 1
        try:
            done = subprocess.run(
                self._argv(*args),
                capture_output=True,
                env=self._env(),
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SourceError("the repository could not be read") from exc
        if done.returncode != 0:
            raise SourceError("the repository could not be read")
        return done.stdout

    def _resolve_commit(self, commit: str) -> str:
        try:
            out = self._run(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}"
            )
        except SourceError as exc:
            raise SourceError(f"commit {commit!r} does not exist in the repository") from exc
        return out.decode().strip()

    def commit_time(self) -> datetime | None:
        """When the commit was made (committer date, UTC); ``None`` if git cannot say."""
        try:
            out = self._run("show", "-s", "--format=%ct", self.commit, "--")
            return datetime.fromtimestamp(int(out.decode().strip()), tz=UTC)
        except (SourceError, ValueError):
            return None

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self.git_processes_started += 1
            self._proc = subprocess.Popen(
                self._argv("cat-file", "--batch"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self._env(),
            )
        return self._proc

    def _fetch(self, oids: list[str], *, max_bytes: int) -> dict[str, bytes | None]:
        """Read blobs by id; a blob over ``max_bytes`` maps to None, unread.

        Requests are written from a second thread while this one reads the
        answers: git answers as it reads, so writing everything first could
        fill both pipes and deadlock.
        """
        unique = list(dict.fromkeys(oids))
        if not unique:
            return {}
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        stdin = proc.stdin
        write_errors: list[OSError] = []

        def write_requests() -> None:
            try:
                stdin.write("".join(f"{oid}\n" for oid in unique).encode())
                stdin.flush()
            except OSError as exc:
                write_errors.append(exc)

        writer = threading.Thread(target=write_requests, daemon=True)
        writer.start()
        found: dict[str, bytes | None] = {}
        try:
            for oid in unique:
                found[oid] = self._read_one(proc.stdout, max_bytes)
        except (OSError, ValueError) as exc:
            proc.kill()  # first, so a writer blocked on a full pipe is released
            writer.join()
            self.close()
            raise SourceError("the repository could not be read") from exc
        writer.join()
        if write_errors:
            self.close()
            raise SourceError("the repository could not be read") from write_errors[0]
        return found

    @staticmethod
    def _read_one(stdout: IO[bytes], max_bytes: int) -> bytes | None:
        header = stdout.readline().decode("utf-8", "replace").split()
        if len(header) != 3:  # "<oid> missing" or a broken stream
            if len(header) == 2 and header[1] == "missing":
                return None
            raise ValueError("unexpected cat-file output")
        size = int(header[2])
        if size > max_bytes:
            # Drain without keeping it: the stream must stay in step.
            left = size + 1
            while left:
                left -= len(stdout.read(min(left, _DISCARD_CHUNK))) or left
            return None
        data = stdout.read(size)
        stdout.read(1)  # the newline after the content
        return data

    # -- tree ---------------------------------------------------------------

    def _tree(self) -> dict[str, _TreeEntry]:
        if self._entries is None:
            raw = self._run("ls-tree", "-r", "-l", "-z", "--full-tree", self.commit)
            entries: dict[str, _TreeEntry] = {}
            for record in raw.split(b"\0"):
                if not record:
                    continue
                meta, _, name = record.partition(b"\t")
                mode, kind, oid, size = meta.decode().split()
                if mode == _MODE_SUBMODULE or kind != "blob":
                    continue
                path = name.decode("utf-8", "replace")
                entries[path] = _TreeEntry(path, mode, oid, int(size))
            self._entries = entries
        return self._entries

    def list_files(self) -> list[FileEntry]:
        """Every blob of the commit with its size from the tree, sorted by path.

        Symlinks are listed with ``is_symlink=True`` and the size of their
        target text; submodules are left out.
        """
        return [
            FileEntry(e.path, e.size, e.is_symlink)
            for e in sorted(self._tree().values(), key=lambda e: e.path)
        ]

    def _entry(self, path: str) -> _TreeEntry:
        rel = normalise_relative_path(path)
        tree = self._tree()
        entry = tree.get(rel)
        if entry is None:
            if any(p.startswith(rel + "/") for p in tree):
                raise SourceError(f"{path} is a directory")
            raise SourceError(f"{path} does not exist")
        hops = 0
        while entry.is_symlink:
            hops += 1
            if hops > _MAX_LINK_HOPS:
                raise UnsafePathError(f"{path} is a symlink loop")
            target = self._fetch([entry.oid], max_bytes=_MAX_LINK_BYTES).get(entry.oid)
            entry = self._follow(path, entry, target)
        return entry

    def _follow(self, asked: str, link: _TreeEntry, target: bytes | None) -> _TreeEntry:
        text = (target or b"").decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(link.path), text))
        if not text or text.startswith("/") or joined == ".." or joined.startswith("../"):
            raise UnsafePathError(f"{asked} is a symlink leading outside the repository")
        found = self._tree().get(joined)
        if found is None:
            raise SourceError(f"{asked} is a symlink to a missing file")
        return found

    # -- RepoSource -----------------------------------------------------------

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        """One file's content. Links are followed inside the tree only.

        Raises ``FileTooLargeError`` past ``max_bytes`` (decided from the
        tree's size, so the blob is never read), ``UnsafePathError`` for a
        link leading out, ``SourceError`` for a missing path.
        """
        entry = self._entry(path)
        if entry.size > max_bytes:
            raise FileTooLargeError(f"{path} is larger than {max_bytes} bytes")
        data = self._fetch([entry.oid], max_bytes=max_bytes).get(entry.oid)
        if data is None:
            raise SourceError(f"{path} cannot be read")
        return data

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        """Several files in one batch; missing, unsafe or oversized ones are left out."""
        wanted: dict[str, str] = {}
        for path in paths:
            try:
                entry = self._entry(path)
            except SourceError:
                continue
            if entry.size <= max_bytes:
                wanted[path] = entry.oid
        blobs = self._fetch(list(wanted.values()), max_bytes=max_bytes) if wanted else {}
        return {p: blobs[oid] for p, oid in wanted.items() if blobs.get(oid) is not None}  # type: ignore[misc]

    def close(self) -> None:
        """Stop the ``cat-file`` process; reading again starts a new one."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()

    def __enter__(self) -> GitCommitSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
