"""Python manifests: requirements files, pyproject.toml, setup.cfg, Pipfile, environment.yml.

Requirement lines go through ``packaging.requirements.Requirement`` so that
extras (``celery[redis]``), markers, upper bounds and URLs never hide the
name. Lines ``packaging`` refuses are skipped one by one (a single odd line
must not lose the rest of the file); a file where no line is valid while
some lines look like requirements is reported as malformed.
"""

from __future__ import annotations

import configparser
import posixpath
import re
from collections.abc import Callable
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from skills.core.manifests._load import (
    TextLines,
    as_dict,
    as_list,
    decode_text,
    line_of,
    load_toml,
    load_yaml,
)
from skills.core.manifests.types import Dependency, ManifestError

ReadInclude = Callable[[str], bytes | None]

_DEV_WORDS = re.compile(
    r"(^|[^a-z])(dev|test|tests|testing|lint|docs?|typing|ci|qa|check)([^a-z]|$)"
)
_MAX_INCLUDE_DEPTH = 5

#: Build backends named by their module; mapped to the distribution that ships them.
_BACKENDS = {
    "setuptools.build_meta": "setuptools",
    "setuptools.build_meta:__legacy__": "setuptools",
    "poetry.core.masonry.api": "poetry-core",
    "poetry.masonry.api": "poetry",
    "hatchling.build": "hatchling",
    "pdm.backend": "pdm-backend",
    "pdm.pep517.api": "pdm-pep517",
    "flit_core.buildapi": "flit-core",
    "maturin": "maturin",
    "scikit_build_core.build": "scikit-build-core",
    "mesonpy": "meson-python",
}


def is_dev_group(name: str) -> bool:
    """True when a group or file name says it is for development or tests."""
    return bool(_DEV_WORDS.search(name.lower()))


def parse(path: str, data: bytes, *, read_include: ReadInclude | None = None) -> list[Dependency]:
    """Dependencies of one Python manifest, chosen by file name.

    ``read_include`` resolves ``-r``/``-c`` includes of requirements files
    (a path relative to the repository root → bytes, or ``None`` when the
    file is missing or unsafe); without it includes are ignored.
    """
    name = posixpath.basename(path).lower()
    if name == "pyproject.toml":
        return parse_pyproject(path, data)
    if name == "setup.cfg":
        return parse_setup_cfg(path, data)
    if name == "pipfile":
        return parse_pipfile(path, data)
    if name in ("environment.yml", "environment.yaml"):
        return parse_environment(path, data)
    return parse_requirements(path, data, read_include=read_include)


# -- requirements files -------------------------------------------------------


def parse_requirements(
    path: str,
    data: bytes,
    *,
    read_include: ReadInclude | None = None,
    kind: str | None = None,
    _seen: frozenset[str] = frozenset(),
) -> list[Dependency]:
    """Parse a pip requirements file, following ``-r``/``-c`` includes.

    Edge cases: line continuations, inline comments, options (``-e``,
    ``--hash``, ``--index-url``) and URL requirements (``name @ url``,
    ``git+...#egg=name``). Include cycles and depth beyond five stop quietly.
    """
    text = decode_text(path, data)
    kind = kind or ("dev" if is_dev_group(posixpath.basename(path)) else "runtime")
    deps: list[Dependency] = []
    candidates = valid = 0
    for lineno, line in _logical_lines(text):
        if line.startswith(("-r", "--requirement", "-c", "--constraint")):
            deps.extend(_include(path, line, read_include, _seen | {path}))
            continue
        if line.startswith("-e ") or line.startswith("--editable"):
            line = line.split(None, 1)[1] if " " in line else ""
        elif line.startswith("-"):
            continue
        if not line or line.startswith((".", "/", "~")):
            continue  # a local path ("-e .") names no package
        candidates += 1
        dep = _requirement(line, path, lineno, kind)
        if dep is not None:
            deps.append(dep)
            valid += 1
    if candidates and not valid:
        raise ManifestError("no valid requirement line")
    return deps


def _logical_lines(text: str):
    """(first line number, content) with comments stripped and continuations joined."""
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            yield start, buffer.strip()
        buffer = ""
    if buffer.strip():
        yield start, buffer.strip()


def _include(
    path: str, line: str, read_include: ReadInclude | None, seen: frozenset[str]
) -> list[Dependency]:
    if read_include is None or len(seen) > _MAX_INCLUDE_DEPTH:
        return []
    parts = line.replace("=", " ", 1).split(None, 1) if line.startswith("--") else None
    target = parts[1] if parts and len(parts) > 1 else line[2:].strip()
    target = target.strip()
    if not target or "://" in target:
        return []
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined in seen or joined.startswith("../") or joined == "..":
        return []
    data = read_include(joined)
    if data is None:
        return []
    try:
        return parse_requirements(joined, data, read_include=read_include, _seen=seen)
    except ManifestError:
        return []


_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement(line: str, path: str, lineno: int, kind: str) -> Dependency | None:
    if "://" in line and " @ " not in line and not re.match(r"^[A-Za-z0-9._-]+\s*@", line):
        egg = _EGG.search(line)
        if egg:
            return Dependency("pypi", egg.group(1), "", kind, path, lineno)
        return None
    line = line.split(" --hash", 1)[0].strip()
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    return Dependency("pypi", req.name, str(req.specifier), kind, path, lineno)


def requirement_dependency(
    text_line: str, *, path: str, line: int | None, kind: str
) -> Dependency | None:
    """One PEP 508 string as a ``Dependency``, or ``None`` when it is not valid."""
    if not isinstance(text_line, str):
        return None
    return _requirement(text_line.strip(), path, line or 0, kind) if text_line.strip() else None


def _fix_line(dep: Dependency | None, line: int | None) -> Dependency | None:
    if dep is None:
        return None
    return Dependency(dep.ecosystem, dep.name, dep.spec, dep.kind, dep.file, line)


# -- pyproject.toml -----------------------------------------------------------


def parse_pyproject(path: str, data: bytes) -> list[Dependency]:
    """PEP 621 dependencies and optional groups, PEP 735 groups, Poetry, PDM,
    the build backend and the ``[tool.*]`` sections (each names a tool in use)."""
    doc = load_toml(path, data)
    text = data.decode("utf-8", "replace")
    lines = TextLines(text)
    deps: list[Dependency] = []

    def add_pep508(items: Any, kind: str) -> None:
        for item in as_list(items):
            if isinstance(item, str):
                dep = _requirement(item.strip(), path, 0, kind)
                deps.extend(d for d in [_fix_line(dep, lines.next(item))] if d)

    project = as_dict(doc.get("project"))
    add_pep508(project.get("dependencies"), "runtime")
    for group, items in as_dict(project.get("optional-dependencies")).items():
        add_pep508(items, "dev" if is_dev_group(group) else "runtime")
    for group, items in as_dict(doc.get("dependency-groups")).items():
        add_pep508(items, "dev" if is_dev_group(group) else "runtime")

    build = as_dict(doc.get("build-system"))
    add_pep508(build.get("requires"), "build")
    backend = build.get("build-backend")
    if isinstance(backend, str) and backend in _BACKENDS:
        deps.append(
            Dependency("pypi", _BACKENDS[backend], "", "build", path, line_of(text, backend))
        )

    tool = as_dict(doc.get("tool"))
    deps.extend(_poetry(as_dict(tool.get("poetry")), path, text))
    pdm = as_dict(tool.get("pdm"))
    for items in as_dict(pdm.get("dev-dependencies")).values():
        add_pep508(items, "dev")
    uv = as_dict(tool.get("uv"))
    add_pep508(uv.get("dev-dependencies"), "dev")
    for name in tool:
        # [tool.pytest.ini_options], [tool.ruff], [tool.poetry]...: the tool is configured here.
        deps.append(
            Dependency("pypi", str(name), "", "config", path, line_of(text, f"[tool.{name}"))
        )
    return deps


def _poetry(poetry: dict[str, Any], path: str, text: str) -> list[Dependency]:
    deps: list[Dependency] = []

    def add_table(table: Any, kind: str) -> None:
        for name, value in as_dict(table).items():
            if name.lower() == "python":
                deps.append(Dependency("skill", "Python", _spec(value), "config", path, None))
                continue
            deps.append(
                Dependency("pypi", name, _spec(value), kind, path, line_of(text, f"{name} ="))
            )

    add_table(poetry.get("dependencies"), "runtime")
    add_table(poetry.get("dev-dependencies"), "dev")
    for group, body in as_dict(poetry.get("group")).items():
        add_table(as_dict(body).get("dependencies"), "runtime" if group == "main" else "dev")
    return deps


def _spec(value: Any) -> str:
    if isinstance(value, str):
        return value if value != "*" else ""
    if isinstance(value, dict) and isinstance(value.get("version"), str):
        return value["version"]
    return ""


# -- setup.cfg ----------------------------------------------------------------


def parse_setup_cfg(path: str, data: bytes) -> list[Dependency]:
    """``[options] install_requires``/``setup_requires``/``tests_require``,
    ``[options.extras_require]`` and tool sections (``[tool:pytest]``, ``[flake8]``)."""
    text = decode_text(path, data)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ManifestError(f"invalid setup.cfg: {exc.__class__.__name__}") from None
    lines = TextLines(text)
    deps: list[Dependency] = []

    def add_block(value: str, kind: str) -> None:
        for item in value.splitlines():
            item = item.split("#", 1)[0].strip()
            if item:
                dep = _requirement(item, path, 0, kind)
                deps.extend(d for d in [_fix_line(dep, lines.next(item))] if d)

    # Only the packaging sections are setuptools'; a file holding just
    # [flake8] or [tool:pytest] is that tool's configuration.
    for section in ("metadata", "options"):
        if parser.has_section(section):
            deps.append(
                Dependency("pypi", "setuptools", "", "build", path, line_of(text, f"[{section}]"))
            )
            break
    if parser.has_section("options"):
        options = parser["options"]
        add_block(options.get("install_requires", ""), "runtime")
        add_block(options.get("setup_requires", ""), "build")
        add_block(options.get("tests_require", ""), "dev")
    if parser.has_section("options.extras_require"):
        for group, value in parser["options.extras_require"].items():
            add_block(value, "dev" if is_dev_group(group) else "runtime")
    for section in parser.sections():
        tool = section.split(":", 1)[1] if section.startswith("tool:") else section
        if tool in (
            "flake8",
            "pytest",
            "mypy",
            "isort",
            "pycodestyle",
            "coverage:run",
            "tox",
        ):
            deps.append(
                Dependency(
                    "pypi",
                    tool.split(":")[0],
                    "",
                    "config",
                    path,
                    line_of(text, f"[{section}]"),
                )
            )
    return deps


# -- Pipfile ------------------------------------------------------------------


def parse_pipfile(path: str, data: bytes) -> list[Dependency]:
    """``[packages]`` (runtime) and ``[dev-packages]`` (dev) of a Pipfile; names Pipenv."""
    doc = load_toml(path, data)
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Pipenv", "", "config", path, 1)]
    for section, kind in (("packages", "runtime"), ("dev-packages", "dev")):
        for name, value in as_dict(doc.get(section)).items():
            deps.append(
                Dependency("pypi", name, _spec(value), kind, path, line_of(text, f"{name} ="))
            )
    python = as_dict(doc.get("requires")).get("python_version")
    if isinstance(python, str):
        deps.append(
            Dependency(
                "skill",
                "Python",
                python,
                "config",
                path,
                line_of(text, "python_version"),
            )
        )
    return deps


# -- environment.yml ----------------------------------------------------------

_CONDA_SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def parse_environment(path: str, data: bytes) -> list[Dependency]:
    """A conda environment: conda packages and the nested ``pip:`` list; names Conda."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("environment file is not a mapping")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Conda", "", "config", path, 1)]
    for item in as_list(doc.get("dependencies")):
        if isinstance(item, str):
            name_part = item.split("::")[-1]
            match = _CONDA_SPEC.match(name_part.strip())
            if match:
                name, spec = match.group(1), match.group(2).strip()
                if name.lower() == "python":
                    deps.append(
                        Dependency("skill", "Python", spec, "config", path, line_of(text, item))
                    )
                else:
                    deps.append(
                        Dependency("pypi", name, spec, "runtime", path, line_of(text, item))
                    )
        elif isinstance(item, dict):
            for pip_line in as_list(item.get("pip")):
                dep = requirement_dependency(pip_line, path=path, line=None, kind="runtime")
                deps.extend(d for d in [_fix_line(dep, line_of(text, str(pip_line)))] if d)
    return deps
