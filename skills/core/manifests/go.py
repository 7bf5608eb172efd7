"""Go manifests: go.mod, including ``require ( … )`` blocks.

``// indirect`` requirements are left out: they are what dependencies
pull in, not choices of the project, and would report a framework's own
helpers as skills.
"""

from __future__ import annotations

import re

from skills.core.manifests._load import decode_text
from skills.core.manifests.types import Dependency, ManifestError

_REQUIRE_LINE = re.compile(r"^(\S+)\s+(\S+)(.*)$")


def parse(path: str, data: bytes) -> list[Dependency]:
    """Modules required by ``go.mod`` (single lines and blocks) and the Go version.

    A file without a ``module`` directive is malformed.
    """
    text = decode_text(path, data)
    deps: list[Dependency] = [Dependency("skill", "Go Modules", "", "build", path, None)]
    has_module = False
    in_block = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if in_block:
            if line.startswith(")"):
                in_block = False
                continue
            deps.extend(_require(line, path, number))
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "module":
            has_module = True
        elif word == "go" and rest:
            deps.append(Dependency("skill", "Go", rest, "config", path, number))
        elif word == "require":
            if rest.startswith("("):
                in_block = rest[1:].strip() != ")"
                inner = rest[1:].strip()
                if inner and inner != ")":
                    deps.extend(_require(inner, path, number))
            else:
                deps.extend(_require(rest, path, number))
    if not has_module:
        raise ManifestError("no module directive")
    return deps


def _require(line: str, path: str, number: int) -> list[Dependency]:
    match = _REQUIRE_LINE.match(line)
    if not match or "indirect" in match.group(3):
        return []
    return [Dependency("go", match.group(1).strip('"'), match.group(2), "runtime", path, number)]
