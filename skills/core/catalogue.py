"""The skills catalogue: canonical technologies and the names that prove them.

The catalogue is data (``skills/catalogue/*.yml``, one YAML list per
category). ``load_catalogue`` validates every entry and builds one lookup
index per ecosystem so that matching a dependency is a dict look-up:

* names are normalised per ecosystem (PEP 503 for PyPI, lower case
  everywhere, image and action names stripped of registry, tag and ref);
* a trailing ``*`` is a prefix wildcard (``@nestjs/*``), tried longest first;
* Go entries are module path prefixes ending at a path segment;
* ``skill`` looks a technology up by its own name or an alias, for parsers
  that recognise a technology directly (a compose file names Docker Compose).

``match_file`` tests repository paths against the entries' ``file`` globs:
a glob without ``/`` is tested on the file name, one with ``/`` on the whole
path and on every sub-path that starts at a folder boundary.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skills.core.manifests.types import ECOSYSTEMS

CATEGORIES = frozenset(
    {
        "language",
        "framework",
        "runtime",
        "library",
        "database",
        "testing",
        "build",
        "ci_cd",
        "cloud",
        "infrastructure",
        "package_manager",
        "tool",
    }
)

# What an entry may match on: every ecosystem a parser reports, and file paths.
MATCH_KEYS = (ECOSYSTEMS - {"skill"}) | {"file"}

#: The catalogue shipped with the project.
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "catalogue"


class CatalogueError(Exception):
    """The catalogue data is invalid; the message names the file and entry."""


@dataclass(frozen=True, slots=True)
class SkillDef:
    """One technology of the catalogue."""

    name: str
    category: str
    description: str = ""
    homepage: str = ""
    aliases: tuple[str, ...] = ()
    match: tuple[tuple[str, tuple[str, ...]], ...] = ()


def normalise_name(ecosystem: str, raw: str) -> str:
    """The comparable form of a package, image, action or provider name.

    PyPI: PEP 503 (``Django_REST.framework`` → ``django-rest-framework``).
    Images: registry host, ``library/``, tag and digest dropped. Actions:
    ``@ref`` dropped. Everything lower case and trimmed.
    """
    name = raw.strip().lower()
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name)
    if ecosystem == "docker_image":
        name = name.split("@", 1)[0]
        slash, colon = name.rfind("/"), name.rfind(":")
        if colon > slash:
            name = name[:colon]
        parts = name.split("/")
        if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
            parts = parts[1:]
        if len(parts) > 1 and parts[0] == "library":
            parts = parts[1:]
        return "/".join(parts)
    if ecosystem == "github_action":
        return name.split("@", 1)[0].rstrip("/")
    if ecosystem == "terraform_provider":
        return name.removeprefix("registry.terraform.io/")
    return name


@dataclass
class _Index:
    exact: dict[str, SkillDef] = field(default_factory=dict)
    prefixes: list[tuple[str, SkillDef]] = field(default_factory=list)


@dataclass
class Catalogue:
    """The loaded catalogue with its lookup indexes. Build it with ``load_catalogue``."""

    skills: tuple[SkillDef, ...]
    _indexes: dict[str, _Index] = field(default_factory=dict, repr=False)
    _by_name: dict[str, SkillDef] = field(default_factory=dict, repr=False)
    _file_names: dict[str, list[SkillDef]] = field(default_factory=dict, repr=False)
    _file_exts: dict[str, list[SkillDef]] = field(default_factory=dict, repr=False)
    _file_globs: list[tuple[str, SkillDef]] = field(default_factory=list, repr=False)
    _path_globs: list[tuple[str, SkillDef]] = field(default_factory=list, repr=False)
    #: Names, aliases or package names claimed by two entries (the first wins).
    conflicts: list[str] = field(default_factory=list)
    _name_buckets: dict[str, list[tuple[re.Pattern[str], SkillDef]]] = field(
        default_factory=dict, repr=False
    )
    _name_always: list[tuple[re.Pattern[str], SkillDef]] = field(default_factory=list, repr=False)
    _path_buckets: dict[str, list[tuple[re.Pattern[str], SkillDef]]] = field(
        default_factory=dict, repr=False
    )
    _folder_memo: dict[str, list[tuple[re.Pattern[str], SkillDef, int]]] = field(
        default_factory=dict, repr=False
    )
    _path_always: list[tuple[re.Pattern[str], re.Pattern[str], SkillDef]] = field(
        default_factory=list, repr=False
    )

    def __len__(self) -> int:
        return len(self.skills)

    def _folder_globs(self, folder: str) -> list[tuple[re.Pattern[str], SkillDef, int]]:
        # Files of one folder share the answer. The catalogue outlives many
        # extractions in a worker, so the memo is emptied when it grows large.
        cached = self._folder_memo.get(folder)
        if cached is None:
            if len(self._folder_memo) >= _FOLDER_MEMO_MAX:
                self._folder_memo.clear()
            cached = self._folder_memo[folder] = _folder_globs_uncached(self._path_buckets, folder)
        return cached

    def by_name(self, name: str) -> SkillDef | None:
        """The skill whose canonical name or alias is ``name`` (case-insensitive)."""
        return self._by_name.get(name.strip().lower())

    def match(self, ecosystem: str, raw_name: str) -> SkillDef | None:
        """The skill a package/image/action/provider name proves, or ``None``.

        ``ecosystem`` ``skill`` resolves a technology's own name or alias.
        Images and actions fall back from the full name to shorter forms
        (``bitnami/redis`` → ``redis``; ``github/codeql-action/init`` →
        ``github/codeql-action``), Terraform providers from ``hashicorp/aws``
        to ``aws``; Go modules match the longest catalogued path prefix.
        """
        if ecosystem == "skill":
            return self.by_name(raw_name)
        index = self._indexes.get(ecosystem)
        if index is None:
            return None
        name = normalise_name(ecosystem, raw_name)
        for candidate in _candidates(ecosystem, name):
            hit = index.exact.get(candidate)
            if hit is not None:
                return hit
        for prefix, skill in index.prefixes:
            if name.startswith(prefix):
                return skill
        return None

    def match_file(self, path: str) -> tuple[SkillDef, ...]:
        """Every skill whose ``file`` globs match the repository path ``path``."""
        lower = path.lower()
        name = lower.rpartition("/")[2]
        found: list[SkillDef] = list(self._file_names.get(name, ()))
        dot = name.find(".", 1)
        while dot > 0:
            found.extend(self._file_exts.get(name[dot:], ()))
            dot = name.find(".", dot + 1)
        # Globs are bucketed by their literal start so that a path is only
        # tested against the few globs that could match it.
        for pattern, skill in self._name_buckets.get(name[:_BUCKET], ()):
            if pattern.fullmatch(name):
                found.append(skill)
        for pattern, skill in self._name_always:
            if pattern.fullmatch(name):
                found.append(skill)
        folder, slash, _ = lower.rpartition("/")
        if slash and (self._path_buckets or self._path_always):
            for pattern, skill, start in self._folder_globs(folder):
                if pattern.fullmatch(lower, start):
                    found.append(skill)
            parts = lower.split("/")
            for name_pattern, pattern, skill in self._path_always:
                # The file-name part screens first; sub-paths are built only on a hit.
                if name_pattern.fullmatch(name):
                    suffixes = ["/".join(parts[i:]) for i in range(len(parts))]
                    if any(pattern.fullmatch(suffix) for suffix in suffixes):
                        found.append(skill)
        if not found:
            return ()
        unique: dict[str, SkillDef] = {}
        for skill in found:
            unique.setdefault(skill.name, skill)
        return tuple(unique.values())


_FOLDER_MEMO_MAX = 20_000
#: Length of the literal file-name start that buckets name globs.
_BUCKET = 3


def _folder_globs_uncached(
    buckets: dict[str, list[tuple[re.Pattern[str], SkillDef]]], folder: str
) -> list[tuple[re.Pattern[str], SkillDef, int]]:
    """(pattern, skill, offset) for every bucketed path glob whose first literal
    folder occurs in ``folder``; the offset is where that sub-path starts."""
    found: list[tuple[re.Pattern[str], SkillDef, int]] = []
    start = 0
    for part in folder.split("/"):
        for pattern, skill in buckets.get(part, ()):
            found.append((pattern, skill, start))
        start += len(part) + 1
    return found


def _candidates(ecosystem: str, name: str) -> Iterable[str]:
    yield name
    if ecosystem in ("docker_image", "terraform_provider") and "/" in name:
        yield name.rsplit("/", 1)[1]
    elif ecosystem == "github_action":
        parts = name.split("/")
        for end in range(len(parts) - 1, 1, -1):
            yield "/".join(parts[:end])
    elif ecosystem == "go":
        parts = name.split("/")
        for end in range(len(parts) - 1, 0, -1):
            yield "/".join(parts[:end])
        if re.search(r"/v\d+$", name):
            yield re.sub(r"/v\d+$", "", name)
    elif ecosystem == "maven" and ":" in name:
        yield name.split(":", 1)[0] + ":*"


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _entry(raw: Any, where: str) -> SkillDef:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: entry is not a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: missing name")
    where = f"{where} ({name})"
    category = raw.get("category")
    if category not in CATEGORIES:
        raise CatalogueError(f"{where}: unknown category {category!r}")
    match = raw.get("match") or {}
    if not isinstance(match, dict):
        raise CatalogueError(f"{where}: match is not a mapping")
    unknown = set(match) - MATCH_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown match keys {sorted(unknown)}")
    for key in ("description", "homepage"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise CatalogueError(f"{where}: {key} is not a string")
    return SkillDef(
        name=name.strip(),
        category=category,
        description=(raw.get("description") or "").strip(),
        homepage=(raw.get("homepage") or "").strip(),
        aliases=_str_list(raw.get("aliases"), f"{where} aliases"),
        match=tuple((k, _str_list(v, f"{where} match.{k}")) for k, v in sorted(match.items())),
    )


def build_catalogue(entries: Iterable[SkillDef]) -> Catalogue:
    """Index validated entries.

    When two entries share a name or alias, or claim the same package name in
    one ecosystem, the first wins and the clash is listed in ``conflicts``
    (the catalogue's data tests keep that list empty; a slip in the data
    must not stop every extraction).
    """
    skills = tuple(entries)
    catalogue = Catalogue(skills=skills)
    for skill in skills:
        for label in (skill.name, *skill.aliases):
            key = label.lower()
            other = catalogue._by_name.get(key)
            if other is not None and other is not skill:
                catalogue.conflicts.append(f"{label!r} names both {other.name} and {skill.name}")
                continue
            catalogue._by_name[key] = skill
        for ecosystem, names in skill.match:
            if ecosystem == "file":
                _index_file_globs(catalogue, skill, names)
                continue
            index = catalogue._indexes.setdefault(ecosystem, _Index())
            for raw in names:
                if raw.endswith("*") and not raw.endswith(":*"):
                    index.prefixes.append((normalise_name(ecosystem, raw[:-1]), skill))
                    continue
                key = normalise_name(ecosystem, raw) if ecosystem != "maven" else raw.lower()
                other = index.exact.get(key)
                if other is not None and other is not skill:
                    catalogue.conflicts.append(
                        f"{ecosystem} name {raw!r} claimed by {other.name} and {skill.name}"
                    )
                    continue
                index.exact[key] = skill
    for index in catalogue._indexes.values():
        index.prefixes.sort(key=lambda item: len(item[0]), reverse=True)
    _bucket_globs(catalogue)
    return catalogue


def _bucket_globs(catalogue: Catalogue) -> None:
    for glob, skill in catalogue._file_globs:
        pattern = re.compile(fnmatch.translate(glob))
        literal = re.split(r"[*?\[]", glob, maxsplit=1)[0]
        if len(literal) >= _BUCKET:
            catalogue._name_buckets.setdefault(literal[:_BUCKET], []).append((pattern, skill))
        else:
            catalogue._name_always.append((pattern, skill))
    for glob, skill in catalogue._path_globs:
        pattern = re.compile(fnmatch.translate(glob))
        first = glob.split("/", 1)[0]
        if any(c in first for c in "*?["):
            name_pattern = re.compile(fnmatch.translate(glob.rsplit("/", 1)[1]))
            catalogue._path_always.append((name_pattern, pattern, skill))
        else:
            catalogue._path_buckets.setdefault(first, []).append((pattern, skill))


def _index_file_globs(catalogue: Catalogue, skill: SkillDef, globs: tuple[str, ...]) -> None:
    for glob in globs:
        glob = glob.lower().removeprefix("**/")
        if "/" in glob:
            catalogue._path_globs.append((glob, skill))
        elif not any(c in glob for c in "*?["):
            catalogue._file_names.setdefault(glob, []).append(skill)
        elif glob.startswith("*.") and not any(c in glob[1:] for c in "*?["):
            catalogue._file_exts.setdefault(glob[1:], []).append(skill)
        else:
            catalogue._file_globs.append((glob, skill))


def load_catalogue(path: Path) -> Catalogue:
    """Load and validate a catalogue from one YAML file or a folder of ``*.yml``.

    Each file holds a YAML list of entries. ``CatalogueError`` names the file
    and entry on any problem: bad YAML, missing name, unknown category or
    match key, non-list values. Names claimed twice go to ``conflicts``.
    """
    path = Path(path)
    files = sorted(path.glob("*.yml")) + sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise CatalogueError(f"no catalogue files in {path.name}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: list[SkillDef] = []
    for file in files:
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogueError(f"{file.name}: {exc}") from None
        if data is None:
            continue
        if not isinstance(data, list):
            raise CatalogueError(f"{file.name}: expected a list of entries")
        entries.extend(_entry(raw, f"{file.name}[{i}]") for i, raw in enumerate(data))
    return build_catalogue(entries)


@functools.lru_cache(maxsize=4)
def _cached(path: str, stamp: tuple[float, ...]) -> Catalogue:
    return load_catalogue(Path(path))


def cached_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the shipped one), loaded once per process
    and reloaded only when a file's modification time changes."""
    path = Path(path) if path is not None else DEFAULT_CATALOGUE_PATH
    files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    stamp = tuple(f.stat().st_mtime for f in files)
    return _cached(str(path), stamp)
