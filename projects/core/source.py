"""The read-only view of a repository that the plan and skills engines share.

Two implementations: ``DirectorySource`` (a plain folder, for the command
line and tests) and the git-commit source in ``git_source`` (what the
pipeline uses). ``MemorySource`` serves tests that need no files at all.
Paths are always POSIX, relative to the repository root, never starting
with ``/`` and never containing ``..``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol


class SourceError(Exception):
    """A path cannot be read from the source; the message is safe to show."""


class UnsafePathError(SourceError):
    """The path is absolute, climbs out with ``..`` or leads out through a link."""


class FileTooLargeError(SourceError):
    """The file is larger than the caller's cap."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size: int
    is_symlink: bool = False


class RepoSource(Protocol):
    def list_files(self) -> list[FileEntry]:
        """Every regular file (and symlink, flagged) in the tree, sorted by path."""

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        """One file's content; ``FileTooLargeError`` past ``max_bytes``."""

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        """Several files at once; files over the cap or unreadable are left out."""


def normalise_relative_path(path: str) -> str:
    """Return ``path`` as a clean relative POSIX path or raise ``UnsafePathError``."""
    if not path or "\x00" in path:
        raise UnsafePathError("empty path")
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        raise UnsafePathError(f"absolute path not allowed: {path}")
    parts = [p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnsafePathError(f"path may not contain '..': {path}")
    if not parts:
        raise UnsafePathError("path names the repository root")
    return "/".join(parts)


class DirectorySource:
    """A plain directory. Symlinks are listed but never followed out of the root."""

    SKIP_DIRS = frozenset({".git", ".hg", ".svn"})

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def list_files(self) -> list[FileEntry]:
        # Only regular files and links are listed, as the protocol says: a
        # FIFO, socket or device in the folder would block or misbehave when
        # read. ``scandir`` gives the type without an extra system call.
        entries: list[FileEntry] = []
        pending = [("", str(self.root))]
        while pending:
            rel_base, folder = pending.pop()
            try:
                with os.scandir(folder) as items:
                    for item in items:
                        rel = item.name if not rel_base else f"{rel_base}/{item.name}"
                        try:
                            if item.is_symlink():
                                # A symlinked directory is reported as a link, never walked.
                                size = item.stat(follow_symlinks=False).st_size
                                entries.append(FileEntry(rel, size, True))
                            elif item.is_dir(follow_symlinks=False):
                                if item.name not in self.SKIP_DIRS:
                                    pending.append((rel, item.path))
                            elif item.is_file(follow_symlinks=False):
                                size = item.stat(follow_symlinks=False).st_size
                                entries.append(FileEntry(rel, size))
                        except OSError:
                            continue
            except OSError:
                continue
        entries.sort(key=lambda e: e.path)
        return entries

    def _resolve(self, path: str) -> Path:
        rel = normalise_relative_path(path)
        full = (self.root / rel).resolve()
        if full != self.root and self.root not in full.parents:
            raise UnsafePathError(f"{rel} leads outside the repository")
        return full

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        full = self._resolve(path)
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer.
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError as exc:
            raise SourceError(f"{path} does not exist") from exc
        except OSError as exc:
            raise SourceError(f"{path} cannot be read") from exc
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise SourceError(f"{path} is a directory")
            if not stat.S_ISREG(mode):
                raise SourceError(f"{path} is not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise SourceError(f"{path} cannot be read") from exc
        finally:
            os.close(fd)
        if len(data) > max_bytes:
            raise FileTooLargeError(f"{path} is larger than {max_bytes} bytes")
        return data

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for path in paths:
            try:
                out[path] = self.read_bytes(path, max_bytes=max_bytes)
            except SourceError:
                continue
        return out


class MemorySource:
    """Files held in a dict; for tests and for callers that already have bytes."""

    def __init__(self, files: Mapping[str, bytes | str]) -> None:
        self.files = {
            normalise_relative_path(k): v.encode() if isinstance(v, str) else v
            for k, v in files.items()
        }

    def list_files(self) -> list[FileEntry]:
        return [FileEntry(p, len(b)) for p, b in sorted(self.files.items())]

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        rel = normalise_relative_path(path)
        if rel not in self.files:
            raise SourceError(f"{path} does not exist")
        data = self.files[rel]
        if len(data) > max_bytes:
            raise FileTooLargeError(f"{path} is larger than {max_bytes} bytes")
        return data

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        return {
            p: self.files[p] for p in paths if p in self.files and len(self.files[p]) <= max_bytes
        }
