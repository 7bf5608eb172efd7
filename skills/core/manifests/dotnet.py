""".NET manifests: ``*.csproj`` / ``*.fsproj`` / ``*.vbproj`` (SDK-style and classic)."""

from __future__ import annotations

from skills.core.manifests.jvm import parse_xml
from skills.core.manifests.types import Dependency, ManifestError

_LANGUAGE = {".csproj": "C#", ".fsproj": "F#", ".vbproj": "Visual Basic .NET"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(path: str, data: bytes) -> list[Dependency]:
    """``PackageReference`` items (``Include``/``Update`` + ``Version`` attribute or
    child), the project SDK and target framework; names .NET and the language.

    A ``PrivateAssets="all"`` reference (analysers, test adapters) counts as dev.
    """
    root = parse_xml(path, data)
    if _local(root.tag) != "Project":
        raise ManifestError("root element is not <Project>")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", ".NET", "", "build", path, None)]
    for suffix, language in _LANGUAGE.items():
        if path.lower().endswith(suffix):
            deps.append(Dependency("skill", language, "", "config", path, None))
    sdk = root.get("Sdk")
    if sdk:
        deps.append(Dependency("nuget", sdk, "", "build", path, 1))
    for element in root.iter():
        tag = _local(element.tag)
        if tag in ("TargetFramework", "TargetFrameworks") and element.text:
            deps[0] = Dependency(
                "skill",
                ".NET",
                element.text.strip(),
                "build",
                path,
                _line(text, f"<{tag}>"),
            )
        if tag != "PackageReference":
            continue
        name = element.get("Include") or element.get("Update")
        if not name:
            continue
        version = element.get("Version") or ""
        for child in element:
            if _local(child.tag) == "Version" and child.text:
                version = child.text.strip()
        private = (element.get("PrivateAssets") or "").lower() == "all"
        deps.append(
            Dependency(
                "nuget",
                name,
                version,
                "dev" if private else "runtime",
                path,
                _line(text, f'"{name}"'),
            )
        )
    return deps


def _line(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None
