"""PHP manifests: composer.json (names Composer; ``php`` names PHP)."""

from __future__ import annotations

from skills.core.manifests._load import TextLines, load_json
from skills.core.manifests.types import Dependency, ManifestError


def parse(path: str, data: bytes) -> list[Dependency]:
    """``require`` (runtime) and ``require-dev`` (dev) of composer.json.

    Platform packages (``ext-*``, ``lib-*``, ``composer-*``) are left out;
    ``php`` itself names the language with its constraint.
    """
    doc = load_json(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("composer.json is not a JSON object")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Composer", "", "build", path, None)]
    for section, kind in (("require", "runtime"), ("require-dev", "dev")):
        table = doc.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ManifestError(f"{section} is not an object")
        start = max(text.find(f'"{section}"'), 0)
        lines = TextLines(text)
        for name, spec in table.items():
            spec = spec if isinstance(spec, str) else ""
            lower = name.lower()
            if lower == "php":
                deps.append(
                    Dependency("skill", "PHP", spec, "config", path, lines.next(name, start))
                )
            elif lower.startswith(("ext-", "lib-", "composer-")) or "/" not in lower:
                continue
            else:
                deps.append(Dependency("composer", name, spec, kind, path, lines.next(name, start)))
    return deps
