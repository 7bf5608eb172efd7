"""Skills of a repository: one pass over its files, manifests parsed, languages counted.

Stages of ``extract_skills``:

1. list the files once; past ``max_files`` the rest is not examined (and
   that is reported); symbolic links are never read;
2. classify each path: manifest (``manifests.find_parser``), code file
   (``languages``), catalogue file signal (``Catalogue.match_file``);
   vendored folders are skipped entirely, but manifests under ``static/``,
   ``tests/``, ``migrations/`` or ``docs/`` are read like any other;
3. read the manifests in batches (``source.read_many``), parse each, and
   report a malformed or oversized one in ``manifests_skipped``;
4. read the first KiB of every code file (``heads.read_heads``: generated-file
   markers, minified bundles, ambiguous extensions) and count language bytes;
5. map every dependency through the catalogue; unknown ones are kept in
   ``unmatched`` as evidence, but only catalogued technologies are skills;
6. merge evidence per canonical skill and score it.

Confidence
----------
Each evidence item has a weight by how strongly it proves use:

=========  ======  ===========================================================
kind       weight  example
=========  ======  ===========================================================
runtime    0.60    ``django`` in ``requirements.txt``
provider   0.60    ``hashicorp/aws`` in ``required_providers``
image      0.55    ``postgres:16`` in a compose file or Dockerfile ``FROM``
build      0.50    ``setuptools`` in ``build-system.requires``, a lock file
peer       0.45    ``react`` in ``peerDependencies``
action     0.45    ``actions/setup-node`` in a workflow
dev        0.40    ``pytest`` in ``devDependencies``/a dev requirements file
config     0.25    ``jest.config.ts`` alone, a ``[tool.ruff]`` section
language   0.50 + share, at most 0.95 (a language's byte share of the code)
=========  ======  ===========================================================

Within one file only the strongest item counts (a package named twice in
one file is one source). Across files the weights combine as independent
signals: ``confidence = 1 - Π(1 - wᵢ)``, rounded to two decimals and capped
at 0.99. So one runtime dependency gives 0.60, the same in two manifests
0.84, a dev dependency alone 0.40, a config file alone 0.25, a dev
dependency plus its config file 0.55: more sources always raise it, and a
stronger kind always outranks a weaker one from the same number of files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from projects.core.source import FileEntry, RepoSource, SourceError
from skills.core import imports
from skills.core import languages as lang
from skills.core.catalogue import Catalogue, SkillDef
from skills.core.heads import read_heads
from skills.core.manifests import MAX_CANDIDATE_YAML_BYTES, ParserSpec, find_parser
from skills.core.manifests.types import Dependency, ManifestError, NotAManifestError

KIND_WEIGHTS = {
    "runtime": 0.60,
    "provider": 0.60,
    "image": 0.55,
    "build": 0.50,
    "peer": 0.45,
    "action": 0.45,
    "dev": 0.40,
    "vendored": 0.45,
    "os_package": 0.35,
    "import": 0.55,
    "config": 0.25,
    "script": 0.25,
}
MAX_CONFIDENCE = 0.99
#: Bytes of manifests one extraction reads at most (settings may change it).
DEFAULT_MANIFEST_BUDGET = 32 * 1024 * 1024
_READ_BATCH = 256
#: Kinds whose unknown names are worth keeping as evidence (not script words).
_EVIDENCE_KINDS = frozenset(
    {"runtime", "dev", "peer", "build", "image", "action", "provider", "os_package"}
)
#: Categories an OS package alone never names: ``build-essential`` is not
#: Make, ``python3`` is not Python code. A Makefile, a manifest or files do.
_NEEDS_OWN_EVIDENCE = frozenset(
    {"language", "framework", "runtime", "tool", "build", "testing", "package_manager"}
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One source proving a skill: where, the name as written, its version, how it is used."""

    file: str
    line: int | None
    raw: str
    version: str
    kind: str
    ecosystem: str = ""


@dataclass(frozen=True, slots=True)
class Skill:
    """A catalogued technology the repository uses, with every piece of evidence."""

    name: str
    category: str
    confidence: float
    version: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class SkillsResult:
    """What ``extract_skills`` found.

    ``languages`` holds every counted language (use ``languages.headline``
    for the ≥ 1 % view); ``unmatched`` the dependencies the catalogue does not
    know; ``files_skipped`` non-manifest problems (links, oversized code files,
    the file-count cap).
    """

    skills: tuple[Skill, ...]
    languages: tuple[lang.LanguageShare, ...]
    manifests_read: tuple[str, ...]
    manifests_skipped: tuple[tuple[str, str], ...]
    unmatched: tuple[Dependency, ...] = ()
    files_skipped: tuple[tuple[str, str], ...] = ()
    files_examined: int = 0


@dataclass
class _Scan:
    """Working state of one extraction."""

    to_read: list[tuple[FileEntry, ParserSpec]] = field(default_factory=list)
    code_files: list[tuple[FileEntry, str]] = field(default_factory=list)
    signals: list[tuple[SkillDef, str]] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files_skipped: list[tuple[str, str]] = field(default_factory=list)
    import_candidates: list[str] = field(default_factory=list)
    assets: list[tuple[SkillDef, FileEntry]] = field(default_factory=list)
    all_paths: list[str] = field(default_factory=list)
    imports: imports.ImportScan | None = None


def extract_skills(
    source: RepoSource,
    *,
    catalogue: Catalogue,
    max_file_bytes: int = 1_000_000,
    max_files: int = 200_000,
    manifest_budget: int = DEFAULT_MANIFEST_BUDGET,
    max_import_files: int = imports.DEFAULT_MAX_FILES,
    max_import_bytes: int = imports.DEFAULT_MAX_BYTES,
) -> SkillsResult:
    """Skills, language shares and manifest report of the repository in ``source``.

    Never raises for repository content: malformed or oversized manifests
    are listed in ``manifests_skipped`` (file, reason), links and oversized
    code files in ``files_skipped``. Nothing outside the source is read:
    symbolic links are skipped and paths come only from ``list_files``.
    At most ``manifest_budget`` bytes of manifests are read in all: the
    manifests past it are reported as skipped, with the budget as the reason.
    """
    entries = source.list_files()
    scan = _Scan()
    if len(entries) > max_files:
        scan.files_skipped.append(
            (
                "",
                f"{len(entries)} files listed; only the first {max_files} were examined",
            )
        )
        entries = entries[:max_files]
    for entry in entries:
        _classify(entry, scan, catalogue, max_file_bytes)
    _read_manifests(source, scan, max_file_bytes, manifest_budget)
    import_paths = set(imports.sample(scan.import_candidates, max_import_files))
    totals, largest, import_heads = _count_languages(
        source, scan.code_files, max_file_bytes, import_paths, max_import_bytes
    )
    scan.imports = imports.scan_imports(
        import_heads,
        own_modules=imports.own_python_modules(scan.all_paths),
        complete=len(import_paths) == len(scan.import_candidates),
    )
    scan.dependencies.extend(scan.imports.dependencies)
    scan.dependencies.extend(_asset_dependencies(source, scan.assets, max_file_bytes))
    shares = lang.shares_from_totals(totals)
    skills, unmatched = _merge(scan, shares, largest, catalogue)
    return SkillsResult(
        skills=skills,
        languages=tuple(shares),
        manifests_read=tuple(sorted(scan.read)),
        manifests_skipped=tuple(sorted(scan.skipped)),
        unmatched=tuple(unmatched),
        files_skipped=tuple(scan.files_skipped),
        files_examined=len(entries),
    )


# -- stage 2: classify paths ----------------------------------------------------


def _classify(entry: FileEntry, scan: _Scan, catalogue: Catalogue, max_file_bytes: int) -> None:
    path = entry.path
    if lang.is_vendored(path):
        if path.lower().endswith(_ASSET_SUFFIXES) and "node_modules/" not in path.lower():
            scan.assets.extend((skill, entry) for skill in catalogue.match_file(path))
        return
    scan.all_paths.append(path)
    spec = find_parser(path)
    if entry.is_symlink:
        if spec is not None and not spec.candidate:
            scan.skipped.append((path, "symbolic link, not followed"))
        elif lang.language_for(path) is not None:
            scan.files_skipped.append((path, "symbolic link, not followed"))
        return
    matched = catalogue.match_file(path)
    if matched:
        lower = path.lower()
        # A copied library file (static/js/lib/jquery.min.js) is named with its version.
        copied = lower.endswith(_ASSET_SUFFIXES) and (
            lang.is_vendored_asset(path) or ".min." in lower
        )
        if copied:
            scan.assets.extend((skill, entry) for skill in matched)
        else:
            scan.signals.extend((skill, path) for skill in matched)
    if spec is not None:
        limit = MAX_CANDIDATE_YAML_BYTES if spec.candidate else (spec.max_bytes or max_file_bytes)
        if entry.size > limit:
            target = scan.files_skipped if spec.candidate else scan.skipped
            target.append((path, f"larger than {limit} bytes ({entry.size})"))
        elif not spec.needs_content:
            _parse(spec, path, b"", scan, None)
        else:
            scan.to_read.append((entry, spec))
    language = lang.language_for(path)
    if language is not None and not lang.is_excluded_path(path):
        if entry.size > max_file_bytes:
            scan.files_skipped.append((path, f"larger than {max_file_bytes} bytes, not counted"))
        else:
            scan.code_files.append((entry, language))
            if language in _IMPORT_LANGUAGES and imports.is_candidate(path):
                scan.import_candidates.append(path)


# -- stage 3: manifests -------------------------------------------------------------


def _batches(items: Sequence[Any], size: int = _READ_BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _within_budget(
    ordered: list[tuple[FileEntry, ParserSpec]], scan: _Scan, budget: int
) -> list[tuple[FileEntry, ParserSpec]]:
    """The manifests that fit in ``budget`` bytes, in reading order; the rest are reported.

    Sizes come from the listing, so nothing past the budget is ever read.
    """
    kept: list[tuple[FileEntry, ParserSpec]] = []
    spent = 0
    for entry, spec in ordered:
        if spent + entry.size > budget:
            if not spec.candidate:
                scan.skipped.append(
                    (entry.path, f"not read: the manifest byte budget ({budget} bytes) is spent")
                )
            continue
        spent += entry.size
        kept.append((entry, spec))
    return kept


def _read_manifests(source: RepoSource, scan: _Scan, max_file_bytes: int, budget: int) -> None:
    # Requirements files go first and stay in memory (they are small): a
    # ``-r`` include then usually finds its target already read, and only an
    # include with an unusual name costs a read of its own.
    known: dict[str, bytes] = {}

    def read_include(path: str) -> bytes | None:
        if path in known:
            return known[path]
        try:
            return source.read_bytes(path, max_bytes=max_file_bytes)
        except SourceError:
            return None

    ordered = sorted(scan.to_read, key=lambda item: not item[1].follows_includes)
    ordered = _within_budget(ordered, scan, budget)
    for batch in _batches(ordered):
        cap = max(spec.max_bytes or max_file_bytes for _, spec in batch)
        contents = source.read_many([entry.path for entry, _ in batch], max_bytes=cap)
        known.update(
            (entry.path, contents[entry.path])
            for entry, spec in batch
            if spec.follows_includes and entry.path in contents
        )
        for entry, spec in batch:
            data = contents.get(entry.path)
            if data is None:
                if not spec.candidate:
                    scan.skipped.append((entry.path, "could not be read"))
                continue
            _parse(
                spec,
                entry.path,
                data,
                scan,
                read_include if spec.follows_includes else None,
            )


def _parse(spec: ParserSpec, path: str, data: bytes, scan: _Scan, read_include: Any) -> None:
    try:
        if read_include is not None:
            found = spec.parse(path, data, read_include=read_include)
        else:
            found = spec.parse(path, data)
    except NotAManifestError:
        return
    except ManifestError as exc:
        scan.skipped.append((path, str(exc)))
        return
    except RecursionError:
        scan.skipped.append((path, "nested too deeply"))
        return
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop the extraction
        scan.skipped.append((path, f"could not be parsed ({exc.__class__.__name__})"))
        return
    scan.read.append(path)
    scan.dependencies.extend(found)


_ASSET_SUFFIXES = (".js", ".css", ".mjs")
#: Languages whose imports are scanned (a cheap screen before the path checks).
_IMPORT_LANGUAGES = frozenset({"Python", "JavaScript", "TypeScript", "TSX", "Go", "Vue", "Svelte"})
_HEADER_VERSION = re.compile(rb"\bv?(\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?)\b")
_NAME_VERSION = re.compile(r"-v?(\d+\.\d+(?:\.\d+)?)(?=[.-])")


def _asset_dependencies(
    source: RepoSource, assets: list[tuple[SkillDef, FileEntry]], max_file_bytes: int
) -> list[Dependency]:
    """A front-end library copied into the repository (``static/js/lib/jquery.min.js``).

    Named from the file, with the version its header comment gives
    (``/*! jQuery v3.7.1 | …``) or, failing that, its file name
    (``jquery-3.7.1.min.js``). These files never count as code.
    """
    heads = read_heads(source, [e for _, e in assets], size=512, max_file_bytes=max_file_bytes)
    deps = []
    for skill, entry in assets:
        head = heads.get(entry.path, b"")
        comment = head.split(b"*/", 1)[0] if head.lstrip().startswith(b"/*") else b""
        found = _HEADER_VERSION.search(comment)
        version = found.group(1).decode("ascii", "replace") if found else ""
        if not version:
            by_name = _NAME_VERSION.search(entry.path.rsplit("/", 1)[-1])
            version = by_name.group(1) if by_name else ""
        deps.append(Dependency("skill", skill.name, version, "vendored", entry.path, 1))
    return deps


# -- stage 4: languages -------------------------------------------------------------


def _count_languages(
    source: RepoSource,
    code_files: list[tuple[FileEntry, str]],
    max_file_bytes: int,
    import_paths: set[str],
    max_import_bytes: int,
) -> tuple[dict[str, int], dict[str, tuple[int, str]], dict[str, bytes]]:
    """Bytes per language, the largest file of each (its evidence), and the
    longer heads of the files chosen for the import scan.

    Each file is read once: the import-scan files up to ``max_import_bytes``
    (their first KiB serves the language checks too), the others 1 KiB.
    """
    totals: dict[str, int] = {}
    largest: dict[str, tuple[int, str]] = {}
    entries = [entry for entry, _ in code_files]
    longer = [entry for entry in entries if entry.path in import_paths]
    shorter = [entry for entry in entries if entry.path not in import_paths]
    import_heads = read_heads(source, longer, size=max_import_bytes, max_file_bytes=max_file_bytes)
    heads = read_heads(source, shorter, size=lang.HEAD_BYTES, max_file_bytes=max_file_bytes)
    heads.update((path, data[: lang.HEAD_BYTES]) for path, data in import_heads.items())
    compiled = lang.compiled_stylesheets(entry.path for entry in entries)
    for entry, by_name in code_files:
        if entry.path in compiled:
            continue
        head = heads.get(entry.path)
        if head is None:
            continue  # vanished or unreadable: nothing to count
        language = lang.classify_head(entry.path, entry.size, by_name, head)
        if language is None:
            continue
        totals[language] = totals.get(language, 0) + entry.size
        if entry.size > largest.get(language, (-1, ""))[0]:
            largest[language] = (entry.size, entry.path)
    return totals, largest, import_heads


# -- stages 5 and 6: match and merge ----------------------------------------------------


#: Linguist language names whose skill has another canonical name.
LANGUAGE_SKILLS = {
    "TSX": "TypeScript",
    "Vue": "Vue.js",
    "HTML+ERB": "Ruby on Rails",
    "HTML+Razor": "ASP.NET Core",
}


def _lookup(catalogue: Catalogue, dep: Dependency) -> SkillDef | None:
    skill = catalogue.match(dep.ecosystem, dep.name)
    if skill is None and dep.kind == "config" and dep.ecosystem != "skill":
        # A tool named by a config file or hook id may be catalogued under its
        # own name only; aliases are too loose here ("turbo" is not Hotwire).
        named = catalogue.by_name(dep.name)
        if named is not None and named.name.lower() == dep.name.lower():
            skill = named
    return skill


def _merge(
    scan: _Scan,
    shares: list[lang.LanguageShare],
    largest: dict[str, tuple[int, str]],
    catalogue: Catalogue,
) -> tuple[tuple[Skill, ...], list[Dependency]]:
    found: dict[str, tuple[SkillDef, list[tuple[Evidence, float]]]] = {}
    unmatched: list[Dependency] = []

    def add(skill: SkillDef, evidence: Evidence, weight: float) -> None:
        found.setdefault(skill.name, (skill, []))[1].append((evidence, weight))

    locked: dict[tuple[str, str], str] = {}
    for dep in scan.dependencies:
        if dep.kind == "lock":
            locked.setdefault((dep.ecosystem, _normalise(dep.ecosystem, dep.name)), dep.spec)
            continue
        skill = _lookup(catalogue, dep)
        if skill is None:
            if dep.ecosystem != "skill" and dep.kind in _EVIDENCE_KINDS:
                unmatched.append(dep)
            continue
        add(
            skill,
            Evidence(dep.file, dep.line, dep.name, dep.spec, dep.kind, dep.ecosystem),
            KIND_WEIGHTS.get(dep.kind, 0.25),
        )
    for skill, path in scan.signals:
        add(
            skill,
            Evidence(path, None, path.rsplit("/", 1)[-1], "", "config"),
            KIND_WEIGHTS["config"],
        )
    for share in lang.headline(shares):
        skill = catalogue.by_name(LANGUAGE_SKILLS.get(share.name, share.name))
        if skill is None:
            continue
        raw = f"{share.name}: {share.bytes} bytes, {share.share:.1%} of code"
        add(
            skill,
            Evidence(largest[share.name][1], None, raw, "", "language"),
            min(0.5 + share.share, 0.95),
        )
    with_files = {_language_skill_name(catalogue, share.name) for share in shares}
    complete = scan.imports.ecosystems if scan.imports and scan.imports.complete else frozenset()
    skills = [
        _demoted(_score(skill, items, locked))
        if _never_imported(skill, items, complete)
        else _score(skill, items, locked)
        for skill, items in found.values()
        if _has_own_evidence(skill, items, with_files, catalogue)
    ]
    skills.sort(key=lambda s: (-s.confidence, s.name.lower()))
    return tuple(skills), unmatched


#: Declared dependencies in these categories may be demoted when never imported.
_DEMOTABLE = frozenset({"library", "framework"})
#: Used without an import of their own: plugins, servers, drivers, CLI tools,
#: type stubs and Django apps (named as strings in settings).
DEMOTION_EXEMPT = re.compile(
    r"^(@types/|types-|pytest-|flake8-|eslint-|babel-|@babel/|django-|djangorestframework|"
    r"gunicorn|uvicorn|hypercorn|daphne|waitress|psycopg|mysqlclient|pymysql|"
    r"tailwindcss|@tailwindcss/|postcss|autoprefixer|bootstrap|font-awesome|@fortawesome/)"
    r"|(-plugin|-loader|-preset|-cli|-adapter|-driver)(-|$)|plugin"
)
_DEMOTION_FACTOR = 0.5


def _never_imported(
    skill: SkillDef, items: list[tuple[Evidence, float]], complete: frozenset[str]
) -> bool:
    """True for a library or framework only declared (never imported, never
    configured) in ecosystems whose whole code was scanned: transitive noise.

    An allow-list (``DEMOTION_EXEMPT``) keeps what is used without an import.
    """
    if skill.category not in _DEMOTABLE or not complete:
        return False
    for evidence, _ in items:
        if evidence.kind not in ("runtime", "peer") or evidence.ecosystem not in complete:
            return False
        if DEMOTION_EXEMPT.search(evidence.raw.lower()):
            return False
    return True


def _demoted(skill: Skill) -> Skill:
    confidence = round(skill.confidence * _DEMOTION_FACTOR, 2)
    return Skill(skill.name, skill.category, confidence, skill.version, skill.evidence)


def _language_skill_name(catalogue: Catalogue, language: str) -> str:
    skill = catalogue.by_name(LANGUAGE_SKILLS.get(language, language))
    return skill.name if skill is not None else language


def _has_own_evidence(
    skill: SkillDef,
    items: list[tuple[Evidence, float]],
    with_files: set[str],
    catalogue: Catalogue,
) -> bool:
    """The evidence rules that decide whether a skill is named at all.

    * A language the statistics can count is named only when files of it
      were counted: ``actions/setup-java`` or a ``openjdk`` image in an
      Android app with no ``.java`` file are CI and toolchain facts, not Java.
    * OS packages alone name no language, runtime, framework or tool.
    """
    if skill.category == "language" and skill.name not in with_files:
        if _countable(catalogue, skill.name):
            return False
    if skill.category in _NEEDS_OWN_EVIDENCE:
        return any(e.kind != "os_package" for e, _ in items)
    return True


def _countable(catalogue: Catalogue, name: str) -> bool:
    """True when language statistics can count files of the catalogue language ``name``."""
    countable = _countable_names(id(catalogue), catalogue)
    return name in countable


_COUNTABLE_CACHE: dict[int, frozenset[str]] = {}


def _countable_names(key: int, catalogue: Catalogue) -> frozenset[str]:
    if key not in _COUNTABLE_CACHE:
        _COUNTABLE_CACHE.clear()
        _COUNTABLE_CACHE[key] = frozenset(
            _language_skill_name(catalogue, name) for name in lang.countable_languages()
        )
    return _COUNTABLE_CACHE[key]


_PEP503_SEPARATORS = re.compile(r"[-_.]+")


def _normalise(ecosystem: str, name: str) -> str:
    lower = name.split("[", 1)[0].strip().lower()
    return _PEP503_SEPARATORS.sub("-", lower) if ecosystem == "pypi" else lower


def _score(
    skill: SkillDef,
    items: list[tuple[Evidence, float]],
    locked: dict[tuple[str, str], str] | None = None,
) -> Skill:
    unique: dict[tuple[str, int | None, str], tuple[Evidence, float]] = {}
    for evidence, weight in items:
        key = (evidence.file, evidence.line, evidence.raw)
        if key not in unique or unique[key][1] < weight:
            unique[key] = (evidence, weight)
    per_file: dict[str, float] = {}
    for evidence, weight in unique.values():
        per_file[evidence.file] = max(per_file.get(evidence.file, 0.0), weight)
    remaining = 1.0
    for weight in per_file.values():
        remaining *= 1.0 - weight
    confidence = round(min(1.0 - remaining, MAX_CONFIDENCE), 2)
    ordered = sorted(unique.values(), key=lambda item: (-item[1], item[0].file, item[0].line or 0))
    # A version belongs to the skill only when the evidence names the skill
    # itself: psycopg's version is not PostgreSQL's, nor checkout's GitHub Actions'.
    # A lock file's resolved version beats the declared range.
    locked = locked or {}
    version = ""
    for e, _ in ordered:
        if e.kind != "vendored" and not _names_skill(skill, e.raw):
            continue
        resolved = locked.get((e.ecosystem, _normalise(e.ecosystem, e.raw))) or e.version
        if resolved and _is_version(resolved):
            version = display_version(resolved)
            break
    by_place = tuple(
        e for e, _ in sorted(unique.values(), key=lambda i: (i[0].file, i[0].line or 0, i[0].raw))
    )
    return Skill(skill.name, skill.category, confidence, version, by_place)


def _is_version(value: str) -> bool:
    """True when ``value`` says which version: ``latest``, ``alpine`` or ``*`` do not
    (a named release line such as ``lts/iron`` does)."""
    return any(c.isdigit() for c in value) or value.lower().startswith("lts")


_PINNED = re.compile(r"^\s*===?\s*([^,;\s]+)\s*$")
_IMAGE_TAG_VARIANT = re.compile(r"^v?(\d+(?:\.\d+)*)-[a-z][\w.-]*$")


def display_version(spec: str) -> str:
    """A version as people write it: ``==5.0.6`` is 5.0.6, the image tag ``3.12-slim`` is 3.12.

    Ranges (``>=5,<6``, ``^18.2.0``) say more than any one number and stay as written.
    """
    pinned = _PINNED.match(spec)
    if pinned:
        return pinned.group(1)
    variant = _IMAGE_TAG_VARIANT.match(spec.strip())
    return variant.group(1) if variant else spec.strip()


def _names_skill(skill: SkillDef, raw: str) -> bool:
    own = {n.lower().replace(" ", "-") for n in (skill.name, *skill.aliases)}
    name = raw.lower().split("[", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].strip()
    return name in own


def skills_report(result: SkillsResult) -> dict[str, Any]:
    """The ``--json`` shape of the skills command (plain JSON values only).

    ``languages`` lists every counted language (the detail; shares rounded to
    four decimals), ``skills`` each skill with its evidence, ``manifests``
    what was read and what was skipped with the reason.
    """
    return {
        "languages": [
            {"name": s.name, "bytes": s.bytes, "share": round(s.share, 4)} for s in result.languages
        ],
        "skills": [
            {
                "name": skill.name,
                "category": skill.category,
                "confidence": skill.confidence,
                "version": skill.version,
                "evidence": [
                    {"file": e.file, "line": e.line, "raw": e.raw} for e in skill.evidence
                ],
            }
            for skill in result.skills
        ],
        "manifests": {
            "read": list(result.manifests_read),
            "skipped": [{"file": f, "reason": r} for f, r in result.manifests_skipped],
        },
    }
