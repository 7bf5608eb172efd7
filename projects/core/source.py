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
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol


class SourceError(Exception):
    """A path cannot be read from the source; the message is safe to show."""


class UnsafePathError(SourceError):
    """The path is absolute, climbs out with ``..`` or leads out through a link."""


class FileTooLargeError(SourceError):
    """The file is larger than the caller's cap."""


class TooManyFilesError(SourceError):
    """The listing stopped at a cap: too many entries, or paths too long in total.

    ``partial`` holds what was listed before the cap (sorted by path), for
    callers that can work on part of a tree (plan discovery); callers that
    need the whole tree (the skills scan) fail with the message.
    """

    def __init__(self, message: str, *, partial: Sequence[FileEntry] = ()) -> None:
        super().__init__(message)
        self.partial = tuple(partial)


class CorruptRepositoryError(SourceError):
    """Git itself cannot read the repository's objects; the message quotes git."""


#: Default caps of a listing (the pipeline passes its settings instead).
DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_MAX_LISTING_BYTES = 64 * 1024 * 1024


def too_many_entries(limit: int, partial: Sequence[FileEntry] = ()) -> TooManyFilesError:
    return TooManyFilesError(f"the repository has more than {limit} files", partial=partial)


def listing_too_long(limit_bytes: int, partial: Sequence[FileEntry] = ()) -> TooManyFilesError:
    return TooManyFilesError(
        f"the repository's file list is longer than {limit_bytes / 1_048_576:g} MiB of paths",
        partial=partial,
    )


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size: int
    is_symlink: bool = False


class RepoSource(Protocol):
    def list_files(self) -> list[FileEntry]:
        """Every regular file (and symlink, flagged) in the tree, sorted by path.

        Raises ``TooManyFilesError`` (with the ``partial`` listing) when the
        source's entry or path-byte cap stops the walk.
        """

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        """One file's content; ``FileTooLargeError`` past ``max_bytes``."""

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        """Several files at once; files over the cap or unreadable are left out."""


def _path(entry: FileEntry) -> str:
    return entry.path


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
    """A plain directory. Symlinks are listed but never followed out of the root.

    The walk is breadth first and stops at ``max_entries`` entries (files,
    links and folders) or ``max_listing_bytes`` bytes of paths, raising
    ``TooManyFilesError`` with what it listed so far.
    """

    SKIP_DIRS = frozenset({".git", ".hg", ".svn"})

    def __init__(
        self,
        root: Path | str,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_listing_bytes: int = DEFAULT_MAX_LISTING_BYTES,
    ) -> None:
        self.root = Path(root).resolve()
        self.max_entries = max_entries
        self.max_listing_bytes = max_listing_bytes
        self.warnings: list[str] = []

    def list_files(self) -> list[FileEntry]:
        # Only regular files and links are listed, as the protocol says: a
        # FIFO, socket or device in the folder would block or misbehave when
        # read. ``scandir`` gives the type without an extra system call.
        entries: list[FileEntry] = []
        pending = deque([("", str(self.root))])
        seen = used_bytes = 0
        while pending:
            rel_base, folder = pending.popleft()
            try:
                with os.scandir(folder) as items:
                    for item in items:
                        rel = item.name if not rel_base else f"{rel_base}/{item.name}"
                        seen += 1
                        used_bytes += len(rel)
                        if seen > self.max_entries:
                            raise too_many_entries(self.max_entries, sorted(entries, key=_path))
                        if used_bytes > self.max_listing_bytes:
                            raise listing_too_long(
                                self.max_listing_bytes, sorted(entries, key=_path)
                            )
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
        entries.sort(key=_path)
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


@dataclass(frozen=True, slots=True)
class Listing:
    """What ``list_files_or_partial`` found: the entries, whether that is all, and why not."""

    entries: tuple[FileEntry, ...]
    complete: bool
    warnings: tuple[str, ...] = ()


def list_files_or_partial(source: RepoSource) -> Listing:
    """The source's listing; past a cap, the part listed before it, with a warning.

    For callers that can work on part of a huge tree (plan discovery looks
    where plans live, which a breadth-first walk reaches first). Warnings
    the source gathered while listing (files whose content is missing from
    a git object store) come along too.
    """
    try:
        entries: Sequence[FileEntry] = source.list_files()
        complete, notes = True, []
    except TooManyFilesError as exc:
        entries, complete = exc.partial, False
        notes = [f"{exc}; only the first {len(exc.partial)} were looked at"]
    notes = [*getattr(source, "warnings", ()), *notes]
    return Listing(tuple(entries), complete, tuple(notes))
