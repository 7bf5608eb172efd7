"""JavaScript manifests: package.json and the lock files that name a package manager.

A ``package.json`` needs no ``name`` (applications rarely have one). Script
commands are read for the tools they run (``next build``, ``jest``), which
counts as configuration-strength evidence (kind ``script``): a script word
is only ever an npm package name, never a technology's name (``echo`` is not
the Go framework Echo). Lock files are recognised by name
alone; their content is never read.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from skills.core.manifests._load import TextLines, as_dict, line_of, load_json
from skills.core.manifests.types import Dependency, ManifestError

#: Lock file name → the package manager it proves.
LOCK_FILES = {
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "Yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "Bun",
    "bun.lock": "Bun",
}

_SECTIONS = (
    ("dependencies", "runtime"),
    ("devDependencies", "dev"),
    ("peerDependencies", "peer"),
    ("optionalDependencies", "runtime"),
)
_SCRIPT_SPLIT = re.compile(r"&&|\|\||[;|&]")
_ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*$")
_RUNNERS = {
    "npx",
    "pnpx",
    "bunx",
    "yarn",
    "pnpm",
    "npm",
    "bun",
    "run",
    "exec",
    "dlx",
    "cross-env",
    "dotenv",
    "--",
}
_ENGINE_SKILLS = {
    "node": "Node.js",
    "npm": "npm",
    "yarn": "Yarn",
    "pnpm": "pnpm",
    "bun": "Bun",
}


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of ``package.json`` or the package manager of a lock file."""
    name = posixpath.basename(path).lower()
    if name in LOCK_FILES:
        return parse_lockfile(path)
    return parse_package_json(path, data)


def parse_lockfile(path: str) -> list[Dependency]:
    """The package manager a lock file proves (by file name; content is not read)."""
    manager = LOCK_FILES[posixpath.basename(path).lower()]
    return [Dependency("skill", manager, "", "build", path, None)]


def parse_package_json(path: str, data: bytes) -> list[Dependency]:
    """dependencies/dev/peer/optional, scripts, engines, packageManager, workspaces.

    Edge cases: a non-object document or a non-object section is malformed;
    ``workspace:``/``file:``/``link:`` specs still name the package.
    """
    doc = load_json(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("package.json is not a JSON object")
    text = data.decode("utf-8", "replace")
    deps: list[Dependency] = [Dependency("skill", "Node.js", "", "config", path, None)]
    for section, kind in _SECTIONS:
        value = doc.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise ManifestError(f"{section} is not an object")
        start = max(text.find(f'"{section}"'), 0)
        lines = TextLines(text)
        for name, spec in value.items():
            line = lines.next(name, start)
            deps.append(
                Dependency("npm", name, spec if isinstance(spec, str) else "", kind, path, line)
            )
    deps.extend(_scripts(as_dict(doc.get("scripts")), path, text))
    for engine, spec in as_dict(doc.get("engines")).items():
        if engine in _ENGINE_SKILLS:
            deps.append(
                Dependency(
                    "skill",
                    _ENGINE_SKILLS[engine],
                    str(spec),
                    "config",
                    path,
                    line_of(text, engine),
                )
            )
    manager = doc.get("packageManager")
    if isinstance(manager, str) and "@" in manager:
        tool, _, version = manager.partition("@")
        if tool in _ENGINE_SKILLS:
            deps.append(
                Dependency(
                    "skill",
                    _ENGINE_SKILLS[tool],
                    version,
                    "build",
                    path,
                    line_of(text, "packageManager"),
                )
            )
    workspaces = doc.get("workspaces")
    if workspaces is not None and not isinstance(workspaces, (list, dict)):
        raise ManifestError("workspaces is neither a list nor an object")
    return deps


def _scripts(scripts: dict[str, Any], path: str, text: str) -> list[Dependency]:
    deps: list[Dependency] = []
    seen: set[str] = set()
    lines = TextLines(text)
    for key, command in scripts.items():
        if not isinstance(command, str):
            continue
        for segment in _SCRIPT_SPLIT.split(command):
            words = [w for w in segment.split() if not _ENV_ASSIGNMENT.match(w)]
            while words and words[0] in _RUNNERS:
                words = words[1:]
            if not words:
                continue
            tool = words[0].strip("'\"")
            if tool and tool not in seen and re.match(r"^@?[a-z0-9][\w./-]*$", tool):
                seen.add(tool)
                deps.append(Dependency("npm", tool, "", "script", path, lines.next(key)))
    return deps
