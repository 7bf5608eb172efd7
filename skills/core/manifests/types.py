"""The values every manifest parser returns, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass

#: How a dependency is used; the extraction weighs evidence by it.
KINDS = frozenset(
    {
        "runtime",
        "dev",
        "peer",
        "build",
        "config",
        "image",
        "action",
        "provider",
        "os_package",
        "vendored",
        "script",
        "import",
    }
)

#: Ecosystems a catalogue entry can match, plus ``skill``: a parser that
#: recognises a technology itself (``Docker Compose`` for a compose file)
#: names it directly and the catalogue resolves the name or an alias.
ECOSYSTEMS = frozenset(
    {
        "pypi",
        "npm",
        "gem",
        "composer",
        "maven",
        "gradle_plugin",
        "cargo",
        "go",
        "nuget",
        "docker_image",
        "github_action",
        "terraform_provider",
        "apt",
        "skill",
    }
)


class ManifestError(Exception):
    """A manifest cannot be read; the message is a short reason safe to show."""


class NotAManifestError(Exception):
    """The file looked like a candidate but is not one (a YAML file with no
    Kubernetes object in it); it is neither read nor reported as skipped."""


@dataclass(frozen=True, slots=True)
class Dependency:
    """One thing a manifest says the project uses.

    ``name`` is the raw name as written (the catalogue normalises it);
    ``spec`` the version or constraint as written, ``""`` when absent;
    ``line`` is 1-based where the parser knows it.
    """

    ecosystem: str
    name: str
    spec: str
    kind: str
    file: str
    line: int | None = None
