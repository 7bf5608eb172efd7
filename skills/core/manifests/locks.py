"""Lock files: the exact versions a project resolved.

A lock file lists every package installed, direct or transitive, so it never
names a skill by itself: its entries (kind ``lock``) only give a skill that
a manifest, an import or a file already names its resolved version
(``rails`` declared ``~> 7.2.2`` is locked at ``7.2.2.1``).

Lock files can be large, so they are read with one regular expression over
the text, never parsed into a document: memory stays the size of the file.
"""

from __future__ import annotations

import posixpath
import re

from skills.core.manifests._load import decode_text
from skills.core.manifests.types import Dependency

#: Lock file name → the ecosystem whose packages it pins.
LOCK_ECOSYSTEMS = {
    "gemfile.lock": "gem",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "npm",
    "poetry.lock": "pypi",
    "uv.lock": "pypi",
    "pdm.lock": "pypi",
    "cargo.lock": "cargo",
    "composer.lock": "composer",
}
MAX_LOCK_BYTES = 16 * 1024 * 1024

_GEM_SPEC = re.compile(r"^    ([A-Za-z0-9_.-]+) \(([^)\s]+)\)$", re.M)
# Only top-level entries ("node_modules/x", not nested copies "node_modules/a/node_modules/x").
_NPM_PACKAGE = re.compile(
    r'"node_modules/((?:@[^/"\n]+/)?[^/"\n]+)":\s*\{\s*"version":\s*"([^"\n]+)"'
)
_YARN_ENTRY = re.compile(
    r'^"?((?:@[^@/\s"]+/)?[^@\s",]+)@[^\n]*:\n\s+version:?\s+"?([^"\s]+)"?', re.M
)
_TOML_PACKAGE = re.compile(
    r'^\[\[package\]\]\s*\nname\s*=\s*"([^"]+)"\s*\nversion\s*=\s*"([^"]+)"', re.M
)
_COMPOSER_PACKAGE = re.compile(r'"name":\s*"([^"]+)",\s*"version":\s*"v?([^"]+)"')


def is_lock_file(path: str) -> bool:
    return posixpath.basename(path).lower() in LOCK_ECOSYSTEMS


def parse_lock(path: str, data: bytes) -> list[Dependency]:
    """(package, exact version) pairs of a lock file, as ``lock`` dependencies.

    The first version seen for a package wins; in package-lock.json only
    the top-level copy counts (nested copies are other packages' choices).
    """
    name = posixpath.basename(path).lower()
    ecosystem = LOCK_ECOSYSTEMS[name]
    text = decode_text(path, data, max_bytes=MAX_LOCK_BYTES)
    pattern = {
        "gemfile.lock": _GEM_SPEC,
        "package-lock.json": _NPM_PACKAGE,
        "npm-shrinkwrap.json": _NPM_PACKAGE,
        "yarn.lock": _YARN_ENTRY,
        "composer.lock": _COMPOSER_PACKAGE,
    }.get(name, _TOML_PACKAGE)
    seen: dict[str, str] = {}
    for match in pattern.finditer(text):
        package, version = match.group(1), match.group(2)
        if package not in seen:
            seen[package] = version
    return [
        Dependency(ecosystem, pkg, version, "lock", path, None) for pkg, version in seen.items()
    ]
