"""Manifest parsers, one module per ecosystem, and the registry that picks one by path.

Each module exposes ``parse(path: str, data: bytes) -> list[Dependency]`` and
raises ``ManifestError`` on malformed input. ``find_parser`` decides from the
path alone whether a file is a manifest, so the extraction can choose what
to read before reading anything.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from skills.core.manifests import (
    ci,
    config,
    docker,
    dotnet,
    go,
    infra,
    jvm,
    locks,
    node,
    php,
    python,
    ruby,
    rust,
)
from skills.core.manifests.types import Dependency, ManifestError, NotAManifestError

__all__ = [
    "Dependency",
    "ManifestError",
    "NotAManifestError",
    "ParserSpec",
    "find_parser",
]

#: Kubernetes candidates bigger than this are not read (CRD bundles, data).
MAX_CANDIDATE_YAML_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class ParserSpec:
    """How to handle one manifest: its ecosystem module's ``parse``, whether the
    content is needed at all, whether ``-r`` includes are followed, and whether
    the file is only a candidate (silently ignored when it is not a manifest)."""

    ecosystem: str
    parse: Callable[..., list[Dependency]]
    needs_content: bool = True
    follows_includes: bool = False
    candidate: bool = False
    #: A size cap of its own (lock files are bigger than hand-written manifests).
    max_bytes: int | None = None


def _parse_lockfile(path: str, data: bytes) -> list[Dependency]:
    """The package manager a lock file proves, and its pinned versions."""
    name = posixpath.basename(path).lower()
    deps: list[Dependency] = []
    if name in node.LOCK_FILES:
        deps.extend(node.parse_lockfile(path))
    elif name == "gemfile.lock":
        deps.extend(ruby.parse(path, b""))
    return deps + locks.parse_lock(path, data)


_PYTHON = ParserSpec("python", python.parse)
_REQUIREMENTS = ParserSpec("python", python.parse, follows_includes=True)
_NODE = ParserSpec("node", node.parse)
_LOCK = ParserSpec("node", node.parse, needs_content=False)
_DOCKER = ParserSpec("docker", docker.parse)
_RUST = ParserSpec("rust", rust.parse)
_GO = ParserSpec("go", go.parse)
_RUBY = ParserSpec("ruby", ruby.parse)
_RUBY_LOCK = ParserSpec("ruby", ruby.parse, needs_content=False)
_PHP = ParserSpec("php", php.parse)
_JVM = ParserSpec("jvm", jvm.parse)
_DOTNET = ParserSpec("dotnet", dotnet.parse)
_CI = ParserSpec("ci", ci.parse)
_INFRA = ParserSpec("infra", infra.parse)
_K8S = ParserSpec("infra", infra.parse, candidate=True)
_CONFIG = ParserSpec("config", config.parse)
_CONFIG_NAME_ONLY = ParserSpec("config", config.parse, needs_content=False)
_LOCKFILE = ParserSpec("lock", _parse_lockfile, max_bytes=locks.MAX_LOCK_BYTES)

_BY_NAME: dict[str, ParserSpec] = {
    "pyproject.toml": _PYTHON,
    "setup.cfg": _PYTHON,
    "pipfile": _PYTHON,
    "environment.yml": _PYTHON,
    "environment.yaml": _PYTHON,
    "package.json": _NODE,
    "cargo.toml": _RUST,
    "go.mod": _GO,
    "gemfile": _RUBY,
    "gems.rb": _RUBY,
    "gemfile.lock": _RUBY_LOCK,
    "composer.json": _PHP,
    "pom.xml": _JVM,
    "build.gradle": _JVM,
    "build.gradle.kts": _JVM,
    "jenkinsfile": _CI,
    ".gitlab-ci.yml": _CI,
    ".travis.yml": _CI,
    "azure-pipelines.yml": _CI,
    "bitbucket-pipelines.yml": _CI,
    "chart.yaml": _INFRA,
    "procfile": _INFRA,
    "fly.toml": _INFRA,
    "vercel.json": _INFRA,
    "netlify.toml": _INFRA,
    "serverless.yml": _INFRA,
    "serverless.yaml": _INFRA,
    ".pre-commit-config.yaml": _INFRA,
    "dockerfile": _DOCKER,
    "containerfile": _DOCKER,
    **{name: _LOCK for name in node.LOCK_FILES},
    **{name: _LOCKFILE for name in locks.LOCK_ECOSYSTEMS},
}


_CANDIDATE_SUFFIXES = (
    ".txt",
    ".in",
    ".yml",
    ".yaml",
    ".gemspec",
    ".csproj",
    ".fsproj",
    ".vbproj",
    ".tf",
    ".dockerfile",
    ".containerfile",
    ".json",
    ".prisma",
    ".toml",
)
_CANDIDATE_PREFIXES = (
    "dockerfile",
    "jenkinsfile",
    "requirements",
    "constraints",
    *config.GLOB_PREFIXES,
)


def find_parser(path: str) -> ParserSpec | None:
    """The parser for ``path`` (a repository-relative POSIX path), or ``None``.

    Names are compared case-insensitively. Workflow files count only under
    ``.github/workflows/`` and CircleCI's only under ``.circleci/``; any other
    YAML file is a Kubernetes candidate.
    """
    lower = path.lower()
    name = lower.rpartition("/")[2]
    spec = _BY_NAME.get(name)
    if spec is not None:
        return spec
    # Most files are code: one suffix test and one prefix test send them away.
    if (
        not name.endswith(_CANDIDATE_SUFFIXES)
        and not name.startswith(_CANDIDATE_PREFIXES)
        and name not in config.EXACT_NAMES
    ):
        return None
    parent = posixpath.basename(posixpath.dirname(lower))
    if name.endswith((".txt", ".in")) and (
        name.startswith(("requirements", "constraints")) or parent == "requirements"
    ):
        return _REQUIREMENTS
    if name.startswith("dockerfile") or name.endswith((".dockerfile", ".containerfile")):
        return _DOCKER
    if name.endswith((".yml", ".yaml")):
        if name.startswith(("docker-compose", "compose.", "compose-")):
            return _DOCKER
        if "/.github/workflows/" in f"/{lower}" and lower.count("/") >= 2:
            return _CI
        if lower.endswith(".circleci/config.yml"):
            return _CI
    if name.endswith(".gemspec"):
        return _RUBY
    if name.endswith(".versions.toml"):
        return _JVM
    if name.endswith((".csproj", ".fsproj", ".vbproj")):
        return _DOTNET
    if name.endswith(".tf"):
        return _INFRA
    if name.startswith("jenkinsfile"):
        return _CI
    if config.match_config(path) is not None:
        return _CONFIG if config.needs_content(path) else _CONFIG_NAME_ONLY
    if name.endswith((".yml", ".yaml")):
        return _K8S
    return None
