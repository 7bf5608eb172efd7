"""Find a repository's plan, read it safely and parse it.

Discovery order (docs/plan-format.md, "Where RepoTrackr looks"):

1. the project's ``plan_path``: a file, or a folder whose ``.md`` files are
   read in name order as one plan (each file is then a phase);
2. ``plan_paths`` in ``repotrackr.yml`` / ``.repotrackr.yml`` (all of them,
   in the order listed);
3. the best candidate: files named plan, roadmap, todo, tasks, milestones
   or status, planning folders and README plan sections, ranked by
   ``plan_candidates`` (a candidate with tasks first, then name, place,
   and the task count to break ties). Every candidate is returned with the
   plan so that users can switch to another in one click.

Paths are relative to the repository root; ``..``, absolute paths and
symbolic links are refused. Binary files and files over the size cap are
errors; invalid UTF-8 is decoded with replacement characters and a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from projects.core.plan_candidates import (
    MARKDOWN_SUFFIXES,
    README_RANK,
    TITLED_RANK,
    CandidatePath,
    candidate_paths,
    choose_readme_section,
    planning_folder_split,
    root_markdown,
    root_readmes,
    says_it_is_a_template,
    section_end,
    titled_plan,
)
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

MAX_FOLDER_FILES = 200
SEARCHED = (
    "plan, roadmap, todo, to-do, tasks, milestones or status (.md/.markdown) at the root, "
    "in docs/, documentation/ and .github/",
    "the same names up to 3 folders down",
    "planning/, docs/planning/ and .planning/ folders",
    "a Roadmap, Plan, TODO, Tasks, Status, Progress, Milestones or Future plans section "
    "of the README",
)
LOOKED_FOR = "; ".join(SEARCHED)


class PlanError(Exception):
    """The plan cannot be loaded. Retrying will not help: the repository must change."""

    retryable = False


class PlanNotFoundError(PlanError):
    """No plan where one was expected."""


class NoPlanFoundError(PlanNotFoundError):
    """Discovery looked everywhere it knows and found no plan: a normal state, not a failure.

    Raised only when no plan path was configured (a configured path that is
    missing is a plain :class:`PlanNotFoundError`). ``searched`` names the
    places looked at, for people: files, folders and README sections.
    """

    def __init__(self, message: str, *, searched: tuple[str, ...]) -> None:
        super().__init__(message)
        self.searched = searched


class PlanInvalidError(PlanError):
    """A plan (or its config) exists but cannot be used: binary, too large, bad config."""


class UnsafePlanPathError(PlanInvalidError):
    """A plan path climbs out of the repository, is absolute or is a symbolic link."""


@dataclass(frozen=True, slots=True)
class PlanCandidate:
    """A plan discovery found. ``plan_path`` is what the project's plan path
    would be set to for it; blank for a README section, which only
    discovery can pick."""

    label: str
    plan_path: str
    kind: str
    tasks: int
    done: int
    chosen: bool = False

    def as_json(self) -> dict:
        return {
            "label": self.label,
            "plan_path": self.plan_path,
            "kind": self.kind,
            "tasks": self.tasks,
            "done": self.done,
            "chosen": self.chosen,
        }


@dataclass(frozen=True)
class LoadedPlan:
    """A parsed plan with where it came from.

    ``kind`` is ``"file"``, ``"folder"``, ``"files"`` (several config paths),
    ``"readme-section"`` or ``"readme"`` (the whole README); ``section`` is
    the README heading of a section. ``warnings`` gathers discovery and
    parser warnings. ``candidates`` lists what discovery found, the chosen
    plan first (empty when the plan path or repotrackr.yml chose).
    """

    plan: Plan
    config: PlanConfig
    files: tuple[str, ...]
    kind: str
    section: str | None = None
    warnings: tuple[str, ...] = ()
    candidates: tuple[PlanCandidate, ...] = ()

    @property
    def label(self) -> str:
        """How to name the plan to a user: ``docs/plan.md``, ``README.md (section Roadmap)``."""
        if self.kind == "readme-section":
            return f"{self.files[0]} (section {self.section})"
        if self.kind == "folder" and self.files:
            return self.files[0].rsplit("/", 1)[0] + "/"
        return ", ".join(self.files)


def load_plan(
    source: RepoSource,
    *,
    plan_path: str = "",
    max_bytes: int = 2_000_000,
) -> LoadedPlan:
    """Discover, read and parse the plan of the repository behind ``source``.

    ``plan_path`` (blank = discover) comes from the project's settings.
    ``max_bytes`` caps each plan file. Raises :class:`NoPlanFoundError`
    when discovery finds nothing, :class:`PlanNotFoundError` when a
    configured path does not exist, :class:`UnsafePlanPathError` for paths that leave
    the repository or are links, :class:`PlanInvalidError` for binary or
    oversized files and for a broken ``repotrackr.yml``.
    """
    finder = _Finder(source, max_bytes)
    config = finder.config()
    if plan_path.strip():
        return finder.load_targets([plan_path.strip()], config, origin="plan path")
    if config.plan_paths:
        return finder.load_targets(list(config.plan_paths), config, origin=config.source_path)
    return finder.discover(config)


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
        extra: list[str] = []
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
        texts = {f: self.read_text(f) for f in files}
        if "folder" in kinds:
            files, left_out = planning_folder_split(texts)
            extra += [f"{path}: not counted: {reason}" for path, reason in left_out]
        plans = [parse_plan(texts[f], source_path=f, markers=config.markers) for f in files]
        kind = kinds[0] if len(kinds) == 1 else "files"
        return self._loaded(_combine(plans), config, kind, extra=extra)

    # -- discovery ----------------------------------------------------------
    def discover(self, config: PlanConfig) -> LoadedPlan:
        """Read every candidate, rank them and return the best with the others listed."""
        paths = [e.path for e in self.entries]
        ranked: list[tuple[tuple, LoadedPlan, str]] = []
        errors: list[PlanInvalidError] = []
        for candidate in candidate_paths(paths):
            try:
                loaded = self._candidate(candidate, config)
            except PlanInvalidError as exc:
                errors.append(exc)
                self.warnings.append(f"{candidate.path}: skipped: {exc}")
                continue
            if loaded is not None:
                plan_path = candidate.path + ("/" if candidate.kind == "folder" else "")
                key = self._rank(loaded, candidate.name_rank, candidate.place_rank, candidate.path)
                ranked.append((key, loaded, plan_path))
        for path in root_markdown(paths):
            try:
                text = self.read_text(path)
            except PlanInvalidError:
                continue
            if titled_plan(path, text):
                plan = parse_plan(text, source_path=path, markers=config.markers)
                loaded = self._loaded(plan, config, "file", shared=False)
                ranked.append((self._rank(loaded, TITLED_RANK, 0, path), loaded, path))
        readme = self._readme(config)
        if readme is not None:
            key = self._rank(readme, README_RANK, 0, readme.files[0])
            plan_path = readme.files[0] if readme.kind == "readme" else ""
            ranked.append((key, readme, plan_path))
        if not ranked:
            if errors:
                raise errors[0]
            raise NoPlanFoundError(f"no plan found; looked for {LOOKED_FOR}", searched=SEARCHED)
        ranked.sort(key=lambda entry: entry[0])
        candidates = tuple(
            PlanCandidate(
                label=loaded.label,
                plan_path=plan_path,
                kind=loaded.kind,
                tasks=len(loaded.plan.tasks),
                done=sum(1 for t in loaded.plan.tasks if t.status == "done"),
                chosen=i == 0,
            )
            for i, (_key, loaded, plan_path) in enumerate(ranked)
        )
        best = ranked[0][1]
        return replace(best, warnings=tuple(self.warnings) + best.warnings, candidates=candidates)

    @staticmethod
    def _rank(loaded: LoadedPlan, name_rank: int, place_rank: int, path: str) -> tuple:
        tasks = len(loaded.plan.tasks)
        return (0 if tasks else 1, name_rank, place_rank, -tasks, path)

    def _candidate(self, candidate: CandidatePath, config: PlanConfig) -> LoadedPlan | None:
        """One candidate read and parsed on its own; None for a template."""
        self._check(candidate.path)
        if candidate.kind == "folder":
            texts = {
                f: self.read_text(f) for f in self._folder_files(candidate.path)[:MAX_FOLDER_FILES]
            }
            files, left_out = planning_folder_split(texts)
            if not files:
                return None
            plans = [parse_plan(texts[f], source_path=f, markers=config.markers) for f in files]
            extra = [f"{path}: not counted: {reason}" for path, reason in left_out]
            return self._loaded(_combine(plans), config, "folder", extra=extra, shared=False)
        text = self.read_text(candidate.path)
        if says_it_is_a_template(text):
            self.warnings.append(f"{candidate.path}: not read: a template")
            return None
        plan = parse_plan(text, source_path=candidate.path, markers=config.markers)
        return self._loaded(plan, config, "file", shared=False)

    def _readme(self, config: PlanConfig) -> LoadedPlan | None:
        for path in root_readmes([e.path for e in self.entries]):
            self._check(path)
            text = self.read_text(path)
            plan = parse_plan(text, source_path=path, markers=config.markers)
            choice = choose_readme_section(plan, text)
            if choice is None:
                continue
            extra = [f"{path}: skipped {reason}" for reason in choice.skipped]
            if choice.heading is None:
                extra.append(f"{path}: no plan section has tasks; the whole README is read")
                return self._loaded(plan, config, "readme", extra=extra, shared=False)
            heading = plan.headings[choice.heading]
            return self._loaded(
                _section(plan, choice.heading),
                config,
                "readme-section",
                heading.text,
                extra=extra,
                shared=False,
            )
        return None

    def _loaded(
        self,
        plan: Plan,
        config: PlanConfig,
        kind: str,
        section: str | None = None,
        *,
        extra: list[str] | None = None,
        shared: bool = True,
    ) -> LoadedPlan:
        """``shared``: include the finder's own warnings (config, unreadable files)."""
        warnings = (tuple(self.warnings) if shared else ()) + tuple(extra or ()) + plan.warnings
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
    end = section_end(plan.headings, heading_index)
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
