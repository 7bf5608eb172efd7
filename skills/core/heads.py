"""Read the first bytes of many files: what generated-code detection needs.

``RepoSource.read_many`` returns whole files; for thousands of code files
only the first KiB matters. For a plain directory (``DirectorySource``) the
heads are read directly, with the same safety as ``read_bytes``: each
folder is resolved once and must stay inside the root, and the file itself
is opened with ``O_NOFOLLOW`` (a link is never followed) and ``O_NONBLOCK``
(a FIFO in the tree cannot hang the read). Any other source (a git commit)
goes through ``read_many`` in batches and the result is cut to size.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence

from projects.core.source import DirectorySource, FileEntry, RepoSource

_BATCH = 256
#: Files up to this size are fetched in one ``read_many`` batch; bigger ones separately.
_SMALL_FILE = 64 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def read_heads(
    source: RepoSource, entries: Sequence[FileEntry], *, size: int, max_file_bytes: int
) -> dict[str, bytes]:
    """The first ``size`` bytes of each entry's file, by path.

    Files that vanished, cannot be read, lead out of the repository or are
    larger than ``max_file_bytes`` are left out.
    """
    if isinstance(source, DirectorySource):
        return _directory_heads(source.root, entries, size)
    heads: dict[str, bytes] = {}
    small = [e.path for e in entries if e.size <= _SMALL_FILE]
    big = [e.path for e in entries if e.size > _SMALL_FILE]
    for paths, cap in ((small, _SMALL_FILE), (big, max_file_bytes)):
        for batch in _batches(paths):
            for path, data in source.read_many(batch, max_bytes=cap).items():
                heads[path] = data[:size]
    return heads


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _directory_heads(
    root: os.PathLike[str] | str, entries: Sequence[FileEntry], size: int
) -> dict[str, bytes]:
    root_str = os.fspath(root)
    inside = root_str.rstrip(os.sep) + os.sep
    folders: dict[str, str | None] = {}
    heads: dict[str, bytes] = {}
    for entry in entries:
        folder, _, name = entry.path.rpartition("/")
        if folder not in folders:
            folders[folder] = _safe_folder(root_str, inside, folder, folders)
        real = folders[folder]
        if real is None or not name or name in (".", ".."):
            continue
        try:
            fd = os.open(f"{real}/{name}", _OPEN_FLAGS)
        except OSError:
            continue  # a link (ELOOP), vanished or unreadable file
        try:
            heads[entry.path] = os.read(fd, size)
        except OSError:
            continue
        finally:
            os.close(fd)
    return heads


def _safe_folder(root: str, inside: str, folder: str, known: dict[str, str | None]) -> str | None:
    """The real path of ``folder`` when it stays inside ``root``, else ``None``.

    Folders are resolved from their parent: when the parent is known to be
    safe and the last component is a plain directory (not a link), the real
    path is the parent's plus that name, with one ``lstat``. Anything else
    (a link, an unknown parent) goes through ``realpath``.
    """
    if not folder:
        return root
    if folder.startswith("/") or any(part in ("", ".", "..") for part in folder.split("/")):
        return None
    parent, _, name = folder.rpartition("/")
    if parent and parent not in known:
        known[parent] = _safe_folder(root, inside, parent, known)
    real_parent = known.get(parent) if parent else root
    if real_parent is None:
        return None  # the parent already leads outside
    try:
        mode = os.lstat(f"{real_parent}/{name}").st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return f"{real_parent}/{name}"
    if not stat.S_ISLNK(mode):
        return None
    # A link: resolve it whole and keep it only if it stays inside.
    real = os.path.realpath(os.path.join(root, folder))
    return real if real == root or real.startswith(inside) else None
