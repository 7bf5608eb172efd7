"""Find a repository's plan, read it safely and parse it.

Discovery order (the first hit wins):

1. the project's ``plan_path``: a file, or a folder whose ``.md`` files are
   read in name order as one plan (each file is then a phase);
2. ``plan_paths`` in ``repotrackr.yml`` / ``.repotrackr.yml`` (all of them,
   in the order listed);
3. ``docs/plan.md``, ``plan.md``, ``PLAN.md``, ``docs/PLAN.md``,
   ``ROADMAP.md``, ``docs/ROADMAP.md``, ``TODO.md``, a ``planning/`` or
   ``docs/planning/`` folder;
4. the section of the README headed like "Plan", "Roadmap" or "TODO".

Paths are relative to the repository root; ``..``, absolute paths and
symbolic links are refused. Binary files and files over the size cap are
errors; invalid UTF-8 is decoded with replacement characters and a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from projects.core.plan_config import (
    CONFIG_NAMES,
    DEFAULT_CONFIG,
    PlanConfig,
    PlanConfigError,
    parse_plan_config,
)
from projects.core.plan_model import Plan, Task
from projects.core.plan_parser import parse_plan
from projects.core.source import (
    FileEntry,
    FileTooLargeError,
    RepoSource,
    SourceError,
    UnsafePathError,
    list_files_or_partial,
    normalise_relative_path,
)

DEFAULT_PLAN_FILES = (
    "docs/plan.md",
    "plan.md",
    "PLAN.md",
    "docs/PLAN.md",
    "ROADMAP.md",
    "docs/ROADMAP.md",
    "TODO.md",
)
DEFAULT_PLAN_FOLDERS = ("planning", "docs/planning")
MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_FOLDER_FILES = 200
_README = re.compile(r"^readme(\.(md|markdown|mdown|txt))?$", re.IGNORECASE)
_SECTION_WORDS = re.compile(r"\b(plan|roadmap|todo|to-do|to do)\b", re.IGNORECASE)


class PlanError(Exception):
    """The plan cannot be loaded. Retrying will not help: the repository must change."""

    retryable = False


class PlanNotFoundError(PlanError):
    """No plan where one was expected."""


class PlanInvalidError(PlanError):
    """A plan (or its config) exists but cannot be used: binary, too large, bad config."""


class UnsafePlanPathError(PlanInvalidError):
    """A plan path climbs out of the repository, is absolute or is a symbolic link."""


@dataclass(frozen=True)
class LoadedPlan:
    """A parsed plan with where it came from.

    ``kind`` is ``"file"``, ``"folder"``, ``"files"`` (several config paths)
    or ``"readme-section"``; ``section`` is the README heading in the last
    case. ``warnings`` gathers discovery and parser warnings.
    """

    plan: Plan
    config: PlanConfig
    files: tuple[str, ...]
    kind: str
    section: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How to name the plan to a user: ``docs/plan.md``, ``README.md (section Roadmap)``."""
        if self.kind == "readme-section":
            return f"{self.files[0]} (section {self.section})"
        return ", ".join(self.files)


def load_plan(
    source: RepoSource,
    *,
    plan_path: str = "",
    max_bytes: int = 2_000_000,
) -> LoadedPlan:
    """Discover, read and parse the plan of the repository behind ``source``.

    ``plan_path`` (blank = discover) comes from the project's settings.
    ``max_bytes`` caps each plan file. Raises :class:`PlanNotFoundError`
    when nothing matches, :class:`UnsafePlanPathError` for paths that leave
    the repository or are links, :class:`PlanInvalidError` for binary or
    oversized files and for a broken ``repotrackr.yml``.
    """
    finder = _Finder(source, max_bytes)
    config = finder.config()
    if plan_path.strip():
        return finder.load_targets([plan_path.strip()], config, origin="plan path")
    if config.plan_paths:
        return finder.load_targets(list(config.plan_paths), config, origin=config.source_path)
    for candidate in DEFAULT_PLAN_FILES + DEFAULT_PLAN_FOLDERS:
        if finder.exists(candidate):
            return finder.load_targets([candidate], config, origin="default")
    loaded = finder.readme_section(config)
    if loaded is not None:
        return loaded
    looked = ", ".join(DEFAULT_PLAN_FILES + tuple(f"{d}/" for d in DEFAULT_PLAN_FOLDERS))
    raise PlanNotFoundError(
        f"no plan found; looked for {looked} and a Plan, Roadmap or TODO section in the README"
    )


class _Finder:
    """Index the repository listing once and read files under the rules above."""

    def __init__(self, source: RepoSource, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes
        # A huge repository is listed up to the source's cap (breadth first, so
        # the root and shallow folders where plans live come first): discovery
        # goes on with that part, and says so.
        listing = list_files_or_partial(source)
        self.entries = list(listing.entries)
        self.index: dict[str, FileEntry] = {e.path: e for e in self.entries}
        self.warnings: list[str] = list(listing.warnings)

    # -- paths --------------------------------------------------------------
    def _check(self, path: str) -> str:
        try:
            clean = normalise_relative_path(path)
        except UnsafePathError as exc:
            raise UnsafePlanPathError(f"unsafe plan path {path!r}: {exc}") from None
        parts = clean.split("/")
        for i in range(1, len(parts) + 1):
            entry = self.index.get("/".join(parts[:i]))
            if entry is not None and entry.is_symlink:
                raise UnsafePlanPathError(
                    f"{entry.path} is a symbolic link; plans must be regular files in the repository"
                )
        return clean

    def _folder_files(self, folder: str) -> list[str]:
        prefix = folder + "/"
        found = []
        for entry in self.entries:
            rest = entry.path[len(prefix) :]
            if not entry.path.startswith(prefix) or "/" in rest:
                continue
            if not rest.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            if entry.is_symlink:
                self.warnings.append(f"{entry.path} is a symbolic link and was skipped")
                continue
            found.append(entry.path)
        return sorted(found)

    def exists(self, path: str) -> bool:
        return path in self.index or bool(self._folder_files(path))

    # -- reading ------------------------------------------------------------
    def read_text(self, path: str) -> str:
        entry = self.index[path]
        limit = self.max_bytes
        if entry.size > limit:
            raise PlanInvalidError(
                f"{path} is {entry.size:,} bytes, over the {limit:,}-byte limit for plan files"
            )
        try:
            data = self.source.read_bytes(path, max_bytes=limit)
        except FileTooLargeError:
            raise PlanInvalidError(
                f"{path} is over the {limit:,}-byte limit for plan files"
            ) from None
        except UnsafePathError as exc:
            raise UnsafePlanPathError(str(exc)) from None
        except SourceError as exc:
            raise PlanInvalidError(str(exc)) from None
        if b"\x00" in data:
            raise PlanInvalidError(f"{path} is a binary file, not Markdown text")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warnings.append(
                f"{path} is not valid UTF-8; unreadable bytes were replaced with �"
            )
            return data.decode("utf-8", "replace")

    def config(self) -> PlanConfig:
        for name in CONFIG_NAMES:
            if name not in self.index:
                continue
            self._check(name)
            try:
                config = parse_plan_config(self.read_text(name), source_path=name)
            except PlanConfigError as exc:
                raise PlanInvalidError(str(exc)) from None
            self.warnings.extend(config.warnings)
            return config
        return DEFAULT_CONFIG

    # -- loading ------------------------------------------------------------
    def _files_for(self, target: str) -> tuple[str, list[str]] | None:
        clean = self._check(target)
        if clean in self.index:
            return "file", [clean]
        files = self._folder_files(clean)
        if files:
            if len(files) > MAX_FOLDER_FILES:
                raise PlanInvalidError(
                    f"{clean}/ holds more than {MAX_FOLDER_FILES} Markdown files"
                )
            return "folder", files
        return None

    def load_targets(self, targets: list[str], config: PlanConfig, *, origin: str) -> LoadedPlan:
        kinds: list[str] = []
        files: list[str] = []
        for target in targets:
            found = self._files_for(target)
            if found is None:
                if len(targets) == 1:
                    raise PlanNotFoundError(
                        f"plan not found: {target} (from the {origin}) does not exist"
                    )
                self.warnings.append(f"{target} (from {origin}) does not exist and was skipped")
                continue
            kinds.append(found[0])
            files.extend(f for f in found[1] if f not in files)
        if not files:
            raise PlanNotFoundError(f"plan not found: none of {', '.join(targets)} exist")
        plans = [
            parse_plan(self.read_text(f), source_path=f, markers=config.markers) for f in files
        ]
        kind = kinds[0] if len(kinds) == 1 else "files"
        return self._loaded(_combine(plans), config, kind)

    def readme_section(self, config: PlanConfig) -> LoadedPlan | None:
        readmes = [e.path for e in self.entries if "/" not in e.path and _README.match(e.path)]
        for path in sorted(readmes, key=lambda p: (not p.lower().endswith(".md"), p)):
            self._check(path)
            plan = parse_plan(self.read_text(path), source_path=path, markers=config.markers)
            for i, heading in enumerate(plan.headings):
                words = heading.text.split()
                if len(words) <= 5 and _SECTION_WORDS.search(heading.text):
                    return self._loaded(_section(plan, i), config, "readme-section", heading.text)
        return None

    def _loaded(
        self, plan: Plan, config: PlanConfig, kind: str, section: str | None = None
    ) -> LoadedPlan:
        warnings = tuple(self.warnings) + plan.warnings
        return LoadedPlan(plan, config, plan.files, kind, section, warnings)


def _combine(plans: list[Plan]) -> Plan:
    """Concatenate per-file plans; task order and parent indexes are renumbered."""
    if len(plans) == 1:
        return plans[0]
    tasks: list[Task] = []
    for plan in plans:
        offset = len(tasks)
        for task in plan.tasks:
            parent = None if task.parent is None else task.parent + offset
            tasks.append(replace(task, parent=parent, order=len(tasks)))
    return Plan(
        files=tuple(f for p in plans for f in p.files),
        tasks=tuple(tasks),
        headings=tuple(h for p in plans for h in p.headings),
        warnings=tuple(w for p in plans for w in p.warnings),
    )


def _section(plan: Plan, heading_index: int) -> Plan:
    """Keep only what lies under one heading, up to the next heading of its level or above."""
    heading = plan.headings[heading_index]
    end = next(
        (h.line for h in plan.headings[heading_index + 1 :] if h.level <= heading.level),
        float("inf"),
    )
    kept: dict[int, int] = {}
    tasks: list[Task] = []
    for i, task in enumerate(plan.tasks):
        if heading.line < task.line < end:
            parent = kept.get(task.parent) if task.parent is not None else None
            depth = task.depth if parent is not None or task.parent is None else 0
            kept[i] = len(tasks)
            tasks.append(replace(task, parent=parent, depth=depth, order=len(tasks)))
    headings = tuple(h for h in plan.headings if heading.line <= h.line < end)
    return Plan(plan.files, tuple(tasks), headings, plan.warnings)
