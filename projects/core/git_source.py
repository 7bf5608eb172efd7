"""Read one commit of a git repository straight from its object database, via GitPython.

No working tree is ever written. GitPython reads the objects through its two
persistent ``git cat-file`` processes (``--batch-check`` for type and size,
``--batch`` for content), so reading a thousand files costs a thousand pipe
writes, not a thousand git processes. Commit metadata is parsed by GitPython
from the raw commit object, as ``git cat-file commit`` prints it: nothing
ever computes a diff.

Trees are walked here, breadth first, one tree object at a time, so that the
caps stop the walk *before* the work: a 200 KB "git bomb" whose trees fan out
to millions of paths is listed up to ``max_entries`` entries (files, links
and folders) or ``max_listing_bytes`` bytes of paths, and no further. Every
object's size is asked for before it is read; nothing larger than the
caller's cap is ever read into memory.

Symlinks stay blobs: they are listed (flagged) and, when read, followed only
while they stay inside the tree. Submodules are not part of the listing. A
file whose content is missing from the object store (a partial clone, a
damaged pack) is left out of the listing with a warning in ``warnings``; an
object git itself cannot read raises ``CorruptRepositoryError`` quoting git.
"""

from __future__ import annotations

import configparser
import os
import posixpath
import resource
import subprocess
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import git
from git.db import GitDB

from projects.core.git_hardening import ADDRESS_SPACE_CONFIG
from projects.core.source import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_LISTING_BYTES,
    CorruptRepositoryError,
    FileEntry,
    FileTooLargeError,
    SourceError,
    TooManyFilesError,
    UnsafePathError,
    listing_too_long,
    normalise_relative_path,
    too_many_entries,
)

_MODE_TREE = 0o040000
_MODE_SYMLINK = 0o120000
_MODE_SUBMODULE = 0o160000
_MAX_LINK_HOPS = 8
_MAX_LINK_BYTES = 4096
#: A commit object is a few hundred bytes; a huge one is an attack on the parser.
MAX_COMMIT_BYTES = 1024 * 1024
#: Trees up to this size are parsed whole and cached, up to this many entries in all.
_CACHED_TREE_BYTES = 256 * 1024
_CACHED_ENTRIES = 200_000
_MAX_WARNINGS = 200
_STDERR_KEEP = 4096
#: Requests up to this size fit in an empty pipe (64 KiB on Linux) and are written inline.
_INLINE_REQUEST_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class _Blob:
    path: str
    mode: int
    hexsha: str
    size: int

    @property
    def is_symlink(self) -> bool:
        return self.mode == _MODE_SYMLINK


@dataclass(frozen=True, slots=True)
class _Header:
    kind: str
    size: int


class _HardenedGit(git.cmd.Git):
    """GitPython's command wrapper whose persistent ``cat-file`` runs on our terms.

    The two long-lived ``cat-file`` processes are started here rather than by
    GitPython's own spawner so that they get a minimal environment (nothing
    of the worker's, no user or system config) and, when asked, an address
    space limit (``RLIMIT_AS``), set before the first request is written.
    GitPython's protocol code (headers, content streams) is used unchanged.
    """

    git_dir: str = ""
    memory_limit_bytes: int = 0

    def harden(self, git_dir: Path, *, memory_limit_bytes: int) -> None:
        self.git_dir = str(git_dir)
        self.memory_limit_bytes = memory_limit_bytes
        self.update_environment(**_environment(git_dir))

    def _get_persistent_cmd(self, attr_name: str, cmd_name: str, *args: Any, **kwargs: Any):
        current = getattr(self, attr_name)
        if current is not None:
            return current
        flag = "--batch-check" if kwargs.get("batch_check") else "--batch"
        argv = ["git", f"--git-dir={self.git_dir}", "-c", "core.fsmonitor=false"]
        for setting in ADDRESS_SPACE_CONFIG:
            argv += ["-c", setting]
        argv += ["cat-file", flag]
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(Path(self.git_dir)),
        )
        if self.memory_limit_bytes:
            # The process waits for its first request: nothing ran unlimited.
            limit = self.memory_limit_bytes
            resource.prlimit(proc.pid, resource.RLIMIT_AS, (limit, limit))
        cmd = self.AutoInterrupt(proc, argv)
        setattr(self, attr_name, cmd)
        return cmd


class _Repo(git.Repo):
    GitCommandWrapperType = _HardenedGit


def _is_partial(repo: git.Repo) -> bool:
    """Whether the repository is a partial clone (objects may live only on a promisor)."""
    try:
        reader = repo.config_reader("repository")
        if reader.has_option("extensions", "partialclone"):
            return True
        return any(
            section.startswith("remote ") and reader.get_value(section, "promisor", False) is True
            for section in reader.sections()
        )
    except (configparser.Error, OSError, ValueError):
        return True  # unreadable config: check presence, it costs little


def _environment(git_dir: Path) -> dict[str, str]:
    # Only the repository's own objects and config count; nothing of the user's.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(git_dir),
        "LC_ALL": "C",
        "LANGUAGE": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OBJECT_DIRECTORY": str(git_dir / "objects"),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
        "GIT_CONFIG_PARAMETERS": "",
        "GIT_CONFIG_COUNT": "0",
        # A partial clone would fetch a missing object from its promisor remote
        # on first read: no transport is allowed, so a missing object stays
        # missing (and is reported) instead of reaching out to the network.
        "GIT_ALLOW_PROTOCOL": "none",
        "GIT_NO_LAZY_FETCH": "1",
        "MALLOC_ARENA_MAX": "2",
    }


class GitCommitSource:
    """A ``RepoSource`` over ``commit`` of the repository at ``repo_path``.

    ``repo_path`` may be a bare repository (what ``shallow_clone`` makes) or a
    working copy with a ``.git`` directory. ``max_entries`` and
    ``max_listing_bytes`` cap the tree walk (``TooManyFilesError``);
    ``git_memory_bytes`` (0 = none) caps the address space of the git
    processes. Use it as a context manager, or call ``close()``, to stop the
    ``cat-file`` processes.
    """

    def __init__(
        self,
        repo_path: Path | str,
        commit: str = "HEAD",
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_listing_bytes: int = DEFAULT_MAX_LISTING_BYTES,
        git_memory_bytes: int = 0,
    ) -> None:
        root = Path(repo_path)
        self.git_dir = root / ".git" if (root / ".git").is_dir() else root
        if not (self.git_dir / "objects").is_dir():
            raise SourceError("no git repository to read here")
        self.max_entries = max_entries
        self.max_listing_bytes = max_listing_bytes
        self._warnings: list[str] = []
        self._more_warnings = 0
        try:
            self._repo = _Repo(self.git_dir, odbt=git.GitCmdObjectDB)
        except (git.exc.GitError, OSError, ValueError) as exc:
            raise SourceError("no git repository to read here") from exc
        # _Repo.GitCommandWrapperType makes this a _HardenedGit; the stubs say Git.
        self._git = cast(_HardenedGit, self._repo.git)
        self._git.harden(self.git_dir, memory_limit_bytes=git_memory_bytes)
        # In a partial clone, asking cat-file for an absent object makes it
        # fetch from the promisor remote (refused here, so it dies instead):
        # presence is checked first in the object files themselves.
        self._local = GitDB(str(self.git_dir / "objects")) if _is_partial(self._repo) else None
        self._trees: OrderedDict[bytes, list[tuple[str, int, bytes]]] = OrderedDict()
        self._cached_entries = 0
        self._listing: list[FileEntry] | None = None
        self._index: dict[str, _Blob] = {}
        self._missing: set[str] = set()
        self._cap: TooManyFilesError | None = None
        try:
            self._commit = self._resolve_commit(commit)
        except BaseException:
            self.close()  # the cat-file processes must not outlive a refused source
            raise
        self.commit: str = self._commit.hexsha

    @property
    def warnings(self) -> list[str]:
        """Files left out of the listing, and why (missing content, unreadable folders)."""
        if self._more_warnings:
            return [*self._warnings, f"and {self._more_warnings} more such warnings"]
        return list(self._warnings)

    def _warn(self, message: str) -> None:
        # A bomb can repeat one damaged folder a million times: keep the first few.
        if len(self._warnings) < _MAX_WARNINGS:
            self._warnings.append(message)
        else:
            self._more_warnings += 1

    # -- GitPython and its persistent cat-file ---------------------------------------

    @property
    def git_processes(self) -> list[subprocess.Popen[bytes]]:
        """The running ``cat-file`` processes (for tests and diagnostics)."""
        cmds = (self._git.cat_file_header, self._git.cat_file_all)
        return [cmd.proc for cmd in cmds if cmd is not None and cmd.proc is not None]

    def _resolve_commit(self, commit: str) -> git.Commit:
        try:
            found = self._repo.rev_parse(f"{commit}^{{commit}}")
        except CorruptRepositoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - GitPython raises a dozen kinds for a bad name
            raise SourceError(f"commit {commit!r} does not exist in the repository") from exc
        header = self._headers([found.hexsha]).get(found.hexsha)
        if header is None or header.kind != "commit":
            raise SourceError(f"commit {commit!r} does not exist in the repository")
        if header.size > MAX_COMMIT_BYTES:
            raise SourceError(f"the commit object is larger than {MAX_COMMIT_BYTES} bytes")
        return found

    def commit_time(self) -> datetime | None:
        """When the commit was made (committer date, UTC), read from the commit object."""
        try:
            return datetime.fromtimestamp(self._commit.committed_date, tz=UTC)
        except (ValueError, OverflowError, OSError, git.exc.GitError):
            return None

    def _process(self, batch_check: bool) -> subprocess.Popen[bytes]:
        attr = "cat_file_header" if batch_check else "cat_file_all"
        cmd = self._git._get_persistent_cmd(attr, "cat_file", batch_check=batch_check)
        return cmd.proc

    def _pipelined(self, hexshas: list[str], *, batch_check: bool, read_one) -> dict:
        """Send the requests (a large batch from a second thread) and read the answers.

        git answers as it reads, so writing everything first could fill both
        pipes and deadlock. A process that dies (a corrupt object makes
        ``cat-file`` exit) raises ``CorruptRepositoryError`` quoting git.
        """
        unique = list(dict.fromkeys(hexshas))
        if not unique:
            return {}
        proc = self._process(batch_check)
        assert proc.stdin is not None and proc.stdout is not None
        stdin = proc.stdin
        write_errors: list[OSError] = []

        def write_requests() -> None:
            try:
                stdin.write(requests)
                stdin.flush()
            except OSError as exc:
                write_errors.append(exc)

        requests = "".join(f"{h}\n" for h in unique).encode()
        # A request that fits in the (empty) pipe cannot block: no thread needed.
        writer = threading.Thread(target=write_requests, daemon=True)
        if len(requests) <= _INLINE_REQUEST_BYTES:
            write_requests()
        else:
            writer.start()
        found: dict = {}
        try:
            for hexsha in unique:
                found[hexsha] = read_one(proc.stdout)
        except (OSError, ValueError) as exc:
            proc.kill()  # first, so a writer blocked on a full pipe is released
            if writer.is_alive():
                writer.join()
            raise self._broken(proc) from exc
        if writer.ident is not None:
            writer.join()
        if write_errors:
            raise self._broken(proc) from write_errors[0]
        return found

    def _broken(self, proc: subprocess.Popen[bytes]) -> SourceError:
        """The error for a ``cat-file`` that stopped answering, quoting git's last words."""
        try:
            proc.wait(timeout=5)
            said = proc.stderr.read(_STDERR_KEEP).decode("utf-8", "replace") if proc.stderr else ""
        except (OSError, ValueError, subprocess.TimeoutExpired):
            said = ""
        self._git.clear_cache()
        lines = [ln.strip() for ln in said.splitlines() if ln.startswith(("fatal:", "error:"))]
        fatal = [ln for ln in lines if ln.startswith("fatal:")] or lines
        if fatal:
            return CorruptRepositoryError(f"the repository is damaged; git says: {fatal[0]}")
        return SourceError("the repository could not be read")

    def _headers(self, hexshas: list[str]) -> dict[str, _Header | None]:
        """Type and size of each object; ``None`` for one missing from the store."""
        absent: dict[str, _Header | None] = {}
        if self._local is not None:
            absent = {h: None for h in hexshas if not self._local.has_object(bytes.fromhex(h))}
            hexshas = [h for h in hexshas if h not in absent]
        return {**absent, **self._present_headers(hexshas)}

    def _present_headers(self, hexshas: list[str]) -> dict[str, _Header | None]:

        def read_one(stdout: IO[bytes]) -> _Header | None:
            tokens = stdout.readline().decode("ascii", "replace").split()
            if len(tokens) == 2 and tokens[1] == "missing":
                return None
            if len(tokens) != 3:
                raise ValueError("unexpected cat-file output")
            return _Header(tokens[1], int(tokens[2]))

        return self._pipelined(hexshas, batch_check=True, read_one=read_one)

    def _contents(self, hexshas: list[str]) -> dict[str, bytes | None]:
        """Content of objects whose sizes were checked; ``None`` for a missing one."""

        def read_one(stdout: IO[bytes]) -> bytes | None:
            tokens = stdout.readline().decode("ascii", "replace").split()
            if len(tokens) == 2 and tokens[1] == "missing":
                return None
            if len(tokens) != 3:
                raise ValueError("unexpected cat-file output")
            size = int(tokens[2])
            data = stdout.read(size)
            if len(data) != size or stdout.read(1) != b"\n":
                raise ValueError("truncated cat-file output")
            return data

        return self._pipelined(hexshas, batch_check=False, read_one=read_one)

    # -- trees ------------------------------------------------------------------------

    def _tree_data(self, binsha: bytes, where: str, *, budget: int) -> bytes | None:
        """One tree object's raw bytes, or ``None`` (with a warning) if it is missing.

        ``budget`` is how many bytes the caller can still afford: a tree object
        larger than that is never read (the listing stops at its cap instead).
        """
        hexsha = binsha.hex()
        header = self._headers([hexsha]).get(hexsha)
        if header is None or header.kind != "tree":
            self._warn(
                f"{where or 'the root folder'}: missing from the repository's object store "
                "(a partial clone or a damaged pack); skipped"
            )
            return None
        if header.size > budget:
            raise _OverBudget()
        return self._contents([hexsha]).get(hexsha)

    def _tree_entries(
        self, binsha: bytes, where: str, *, budget: int
    ) -> Iterator[tuple[str, int, bytes]]:
        """(name, mode, id) of each entry of one tree object, read as they are needed.

        Small trees are parsed whole and kept (a bomb repeats the same few);
        a large one is parsed as the caller iterates, so a walk that stops at
        its cap never holds more of it than the raw object.
        """
        cached = self._trees.get(binsha)
        if cached is not None:
            self._trees.move_to_end(binsha)
            yield from cached
            return
        data = self._tree_data(binsha, where, budget=budget)
        if data is None:
            return
        entries = _parse_tree(data, where, self._warn)
        if len(data) > _CACHED_TREE_BYTES:
            yield from entries
            return
        parsed = list(entries)
        self._trees[binsha] = parsed
        self._cached_entries += len(parsed)
        while self._cached_entries > _CACHED_ENTRIES and len(self._trees) > 1:
            self._cached_entries -= len(self._trees.popitem(last=False)[1])
        yield from parsed

    def _walk(self) -> list[_Blob]:
        """Every blob of the commit, breadth first, until a cap stops the walk."""
        blobs: list[_Blob] = []
        pending: deque[tuple[str, bytes]] = deque([("", self._commit.tree.binsha)])
        seen = used = 0
        try:
            while pending:
                prefix, binsha = pending.popleft()
                budget = self.max_listing_bytes - used
                for name, mode, sha in self._tree_entries(binsha, prefix, budget=budget):
                    path = f"{prefix}/{name}" if prefix else name
                    seen += 1
                    used += len(path)
                    if seen > self.max_entries:
                        self._cap = too_many_entries(self.max_entries)
                        return blobs
                    if used > self.max_listing_bytes:
                        raise _OverBudget()
                    if mode == _MODE_TREE:
                        pending.append((path, sha))
                    elif mode != _MODE_SUBMODULE:
                        blobs.append(_Blob(path, mode, sha.hex(), -1))
        except _OverBudget:
            self._cap = listing_too_long(self.max_listing_bytes)
        return blobs

    def _list(self) -> list[FileEntry]:
        if self._listing is None:
            walked = self._walk()
            headers = self._headers([b.hexsha for b in walked])
            listing: list[FileEntry] = []
            for blob in walked:
                header = headers.get(blob.hexsha)
                if header is None:
                    self._missing.add(blob.path)
                    self._warn(
                        f"{blob.path}: its content is missing from the repository "
                        "(a partial clone or a damaged pack); skipped"
                    )
                    continue
                sized = _Blob(blob.path, blob.mode, blob.hexsha, header.size)
                self._index[blob.path] = sized
                listing.append(FileEntry(sized.path, sized.size, sized.is_symlink))
            listing.sort(key=lambda e: e.path)
            self._listing = listing
        return self._listing

    def list_files(self) -> list[FileEntry]:
        """Every blob of the commit with its size, sorted by path.

        Symlinks are listed with ``is_symlink=True`` and the size of their
        target text; submodules are left out, and so are files whose content
        is missing (see ``warnings``). Past ``max_entries`` entries or
        ``max_listing_bytes`` bytes of paths, raises ``TooManyFilesError``
        carrying the part listed so far.
        """
        listing = self._list()
        if self._cap is not None:
            error = type(self._cap)(str(self._cap), partial=listing)
            raise error
        return list(listing)

    # -- single paths ----------------------------------------------------------------

    def _lookup(self, path: str) -> _Blob:
        """The blob at ``path``, by the listing or, past a cap, by walking its folders."""
        rel = normalise_relative_path(path)
        listed = self._index.get(rel)
        if listed is not None:
            return listed
        if rel in self._missing:
            raise SourceError(f"{path}: its content is missing from the repository")
        if self._listing is not None and self._cap is None:
            if any(e.path.startswith(rel + "/") for e in self._listing):
                raise SourceError(f"{path} is a directory")
            raise SourceError(f"{path} does not exist")
        binsha = self._commit.tree.binsha
        parts = rel.split("/")
        for depth, name in enumerate(parts):
            where = "/".join(parts[:depth])
            found = next(
                (
                    (mode, sha)
                    for entry_name, mode, sha in self._tree_entries(
                        binsha, where, budget=self.max_listing_bytes
                    )
                    if entry_name == name
                ),
                None,
            )
            if found is None:
                raise SourceError(f"{path} does not exist")
            mode, binsha = found
            if mode == _MODE_TREE:
                if depth == len(parts) - 1:
                    raise SourceError(f"{path} is a directory")
                continue
            if depth != len(parts) - 1 or mode == _MODE_SUBMODULE:
                raise SourceError(f"{path} does not exist")
        header = self._headers([binsha.hex()]).get(binsha.hex())
        if header is None:
            raise SourceError(f"{path}: its content is missing from the repository")
        return _Blob(rel, mode, binsha.hex(), header.size)

    def _entry(self, path: str) -> _Blob:
        entry = self._lookup(path)
        hops = 0
        while entry.is_symlink:
            hops += 1
            if hops > _MAX_LINK_HOPS:
                raise UnsafePathError(f"{path} is a symlink loop")
            target = b""
            if entry.size <= _MAX_LINK_BYTES:
                target = self._contents([entry.hexsha]).get(entry.hexsha) or b""
            entry = self._follow(path, entry, target)
        return entry

    def _follow(self, asked: str, link: _Blob, target: bytes) -> _Blob:
        text = target.decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(link.path), text))
        if not text or text.startswith("/") or joined == ".." or joined.startswith("../"):
            raise UnsafePathError(f"{asked} is a symlink leading outside the repository")
        try:
            return self._lookup(joined)
        except UnsafePathError:
            raise UnsafePathError(f"{asked} is a symlink leading outside the repository") from None
        except SourceError:
            raise SourceError(f"{asked} is a symlink to a missing file") from None

    # -- RepoSource --------------------------------------------------------------------

    def read_bytes(self, path: str, *, max_bytes: int) -> bytes:
        """One file's content. Links are followed inside the tree only.

        Raises ``FileTooLargeError`` past ``max_bytes`` (decided from the
        object's size, so the blob is never read), ``UnsafePathError`` for a
        link leading out, ``SourceError`` for a missing path or content.
        """
        entry = self._entry(path)
        if entry.size > max_bytes:
            raise FileTooLargeError(f"{path} is larger than {max_bytes} bytes")
        data = self._contents([entry.hexsha]).get(entry.hexsha)
        if data is None:
            raise SourceError(f"{path}: its content is missing from the repository")
        return data

    def read_many(self, paths: Iterable[str], *, max_bytes: int) -> dict[str, bytes]:
        """Several files in one batch; missing, unsafe or oversized ones are left out."""
        wanted: dict[str, str] = {}
        for path in paths:
            try:
                entry = self._entry(path)
            except CorruptRepositoryError:
                raise
            except SourceError:
                continue
            if entry.size <= max_bytes:
                wanted[path] = entry.hexsha
        blobs = self._contents(list(wanted.values()))
        return {p: data for p, h in wanted.items() if (data := blobs.get(h)) is not None}

    def close(self) -> None:
        """Stop the ``cat-file`` processes; reading again starts new ones."""
        self._repo.close()

    def __enter__(self) -> GitCommitSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _parse_tree(
    data: bytes, where: str, warn: Callable[[str], None]
) -> Iterator[tuple[str, int, bytes]]:
    """The entries of a raw tree object, in order, as (name, mode, 20-byte id).

    Entries a checkout would refuse (an empty name, ``.``, ``..``, a ``/`` in
    it) are skipped with a warning; a truncated object ends the folder with one.
    """
    folder = where or "the root folder"
    offset, end = 0, len(data)
    while offset < end:
        space = data.find(b" ", offset, offset + 8)
        nul = data.find(b"\0", space + 1) if space > 0 else -1
        mode_digits = data[offset:space] if space > 0 else b""
        if nul < 0 or nul + 21 > end or not mode_digits or mode_digits.strip(b"01234567"):
            warn(f"{folder}: a damaged folder; the rest of it was skipped")
            return
        mode = int(mode_digits, 8)
        name = data[space + 1 : nul].decode("utf-8", "replace")
        binsha = data[nul + 1 : nul + 21]
        offset = nul + 21
        if name in ("", ".", "..") or "/" in name:
            warn(f"{folder}: an entry named {name!r} was skipped")
            continue
        yield name, mode, binsha


class _OverBudget(Exception):
    """The listing's path bytes would pass ``max_listing_bytes``."""
