"""JVM manifests: Maven ``pom.xml`` and Gradle ``build.gradle``/``build.gradle.kts``.

pom.xml is untrusted XML: a document declaring a DOCTYPE or an ENTITY is
refused before parsing (that is where entity-expansion and external-entity
attacks live), then ``xml.etree`` reads the rest. Gradle scripts are
programs; their dependency and plugin declarations are read with patterns
that cover the Groovy and Kotlin DSL spellings.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET

from skills.core.manifests._load import TextLines, as_dict, decode_text, load_toml
from skills.core.manifests.types import Dependency, ManifestError

_DEV_SCOPES = {"test"}


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of a pom.xml, a Gradle build script or a version catalog, chosen by name."""
    name = posixpath.basename(path).lower()
    if name == "pom.xml":
        return with_starters(parse_pom(path, data))
    if name.endswith(".versions.toml"):
        return parse_version_catalog(path, data)
    return with_starters(parse_gradle(path, data))


#: What a Spring Boot starter brings that is a skill of its own (the starter
#: itself already names Spring Boot). Written as the coordinates the
#: catalogue knows, so the catalogue still decides the names.
STARTER_BRINGS = {
    "spring-boot-starter-test": ("org.junit.jupiter:junit-jupiter", "org.mockito:mockito-core"),
    "spring-boot-starter-web": ("org.springframework:spring-webmvc",),
    "spring-boot-starter-webmvc": ("org.springframework:spring-webmvc",),
    "spring-boot-starter-webflux": ("org.springframework:spring-webflux",),
    "spring-boot-starter-data-jpa": (
        "org.springframework.data:spring-data-jpa",
        "org.hibernate.orm:hibernate-core",
    ),
    "spring-boot-starter-thymeleaf": ("org.thymeleaf:thymeleaf",),
    "spring-boot-starter-security": ("org.springframework.security:spring-security-core",),
}
_TEST_STARTER = STARTER_BRINGS["spring-boot-starter-test"]


def with_starters(deps: list[Dependency]) -> list[Dependency]:
    """``deps`` plus what each Spring Boot starter among them brings, at the starter's line."""
    extra = [
        Dependency("maven", brought, "", dep.kind, dep.file, dep.line)
        for dep in deps
        if dep.ecosystem == "maven" and dep.name.startswith("org.springframework.boot:")
        for brought in _brought_by(dep.name.partition(":")[2])
    ]
    return deps + extra


def _brought_by(artifact: str) -> tuple[str, ...]:
    # Spring Boot 4 gives each starter a test starter (``…-webmvc-test``);
    # every one of them brings JUnit and Mockito.
    if artifact.startswith("spring-boot-starter-") and artifact.endswith("-test"):
        return _TEST_STARTER
    return STARTER_BRINGS.get(artifact, ())


def parse_version_catalog(path: str, data: bytes) -> list[Dependency]:
    """A Gradle version catalog (``gradle/libs.versions.toml``): libraries and plugins.

    Build scripts refer to its entries as ``libs.x.y`` and ``alias(libs.plugins.z)``;
    the catalog is where the coordinates are written, so it is the evidence.
    ``version.ref`` is resolved from ``[versions]``. Aliases with ``test`` in
    their name count as test dependencies.
    """
    doc = load_toml(path, data)
    text = data.decode("utf-8", "replace")
    lines = TextLines(text)
    versions = {k: v for k, v in as_dict(doc.get("versions")).items() if isinstance(v, str)}
    deps = [Dependency("skill", "Gradle", "", "build", path, None)]
    for alias, value in as_dict(doc.get("libraries")).items():
        coordinate, version = _catalog_entry(value, versions, ("module",), ("group", "name"))
        if coordinate and ":" in coordinate:
            kind = "dev" if "test" in alias.lower() else "runtime"
            deps.append(
                Dependency("maven", coordinate, version, kind, path, lines.next(f"{alias} ="))
            )
    for alias, value in as_dict(doc.get("plugins")).items():
        plugin, version = _catalog_entry(value, versions, ("id",), ())
        if plugin:
            deps.append(
                Dependency(
                    "gradle_plugin", plugin, version, "build", path, lines.next(f"{alias} =")
                )
            )
    return with_starters(deps)


def _catalog_entry(
    value: object, versions: dict[str, str], single: tuple[str, ...], pair: tuple[str, ...]
) -> tuple[str, str]:
    """(coordinate or plugin id, version) of one catalog entry in any of its spellings."""
    if isinstance(value, str):
        # "group:artifact:version" for a library, "plugin.id:version" for a plugin.
        parts = value.split(":")
        if single == ("module",):
            return ":".join(parts[:2]), parts[2] if len(parts) > 2 else ""
        return parts[0], parts[1] if len(parts) > 1 else ""
    entry = as_dict(value)
    name = next((entry[k] for k in single if isinstance(entry.get(k), str)), "")
    if not name and pair and all(isinstance(entry.get(k), str) for k in pair):
        name = ":".join(entry[k] for k in pair)
    version = entry.get("version", "")
    if isinstance(version, dict):
        ref = version.get("ref")
        version = versions.get(ref, "") if isinstance(ref, str) else ""
    return name, version if isinstance(version, str) else ""


def parse_xml(path: str, data: bytes) -> ET.Element:
    """Parse untrusted XML, refusing DTDs and entities; ``ManifestError`` when invalid."""
    text = decode_text(path, data)
    head = text.upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in head:
        raise ManifestError("XML with a DOCTYPE or ENTITY declaration is refused")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise ManifestError(f"invalid XML: {exc}") from None
    except RecursionError:
        raise ManifestError("XML nested too deeply") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _line(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def parse_pom(path: str, data: bytes) -> list[Dependency]:
    """Parent, dependencies (``test`` scope → dev), managed dependencies and
    build plugins of a Maven POM; names Maven and, from properties, Java/Kotlin."""
    root = parse_xml(path, data)
    if _local(root.tag) != "project":
        raise ManifestError("root element is not <project>")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Maven", "", "build", path, None)]
    for element in root.iter():
        tag = _local(element.tag)
        if tag not in ("dependency", "plugin", "parent"):
            continue
        group, artifact = (
            _child_text(element, "groupId"),
            _child_text(element, "artifactId"),
        )
        if not artifact:
            continue
        if tag == "plugin" and not group:
            group = "org.apache.maven.plugins"
        version = _child_text(element, "version")
        if tag == "dependency":
            kind = "dev" if _child_text(element, "scope") in _DEV_SCOPES else "runtime"
        else:
            kind = "build" if tag == "plugin" else "runtime"
        deps.append(
            Dependency(
                "maven",
                f"{group}:{artifact}",
                version if "${" not in version else "",
                kind,
                path,
                _line(text, f"<artifactId>{artifact}</artifactId>"),
            )
        )
    for element in root.iter():
        tag = _local(element.tag)
        if (
            tag in ("java.version", "maven.compiler.source", "maven.compiler.release")
            and element.text
        ):
            deps.append(
                Dependency(
                    "skill",
                    "Java",
                    element.text.strip(),
                    "config",
                    path,
                    _line(text, f"<{tag}>"),
                )
            )
        elif tag == "kotlin.version" and element.text:
            deps.append(
                Dependency(
                    "skill",
                    "Kotlin",
                    element.text.strip(),
                    "config",
                    path,
                    _line(text, f"<{tag}>"),
                )
            )
    return deps


_GRADLE_CONFIGS = (
    "implementation|api|compile|compileOnly|runtimeOnly|runtime|annotationProcessor|kapt|ksp|"
    "developmentOnly|testImplementation|testCompile|testRuntimeOnly|testCompileOnly|"
    "androidTestImplementation|testAnnotationProcessor|classpath|compileOnlyApi|testFixturesImplementation"
)
_GRADLE_DEP = re.compile(
    r"\b("
    + _GRADLE_CONFIGS
    + r")\b\s*\(?\s*(?:platform\s*\(\s*|enforcedPlatform\s*\(\s*)?['\"]([^'\"\s]+)['\"]"
)
_GRADLE_MAP_DEP = re.compile(
    r"\b("
    + _GRADLE_CONFIGS
    + r")\b\s*\(?\s*group\s*[:=]\s*['\"]([^'\"]+)['\"]\s*,\s*name\s*[:=]\s*['\"]([^'\"]+)['\"]"
)
_PLUGIN_ID = re.compile(
    r"\bid\s*\(?\s*['\"]([\w.-]+)['\"]\s*\)?(?:\s*version\s*\(?\s*['\"]([^'\"]+)['\"])?"
)
_KOTLIN_PLUGIN = re.compile(
    r"\bkotlin\s*\(\s*['\"]([\w.-]+)['\"]\s*\)(?:\s*version\s*['\"]([^'\"]+)['\"])?"
)
_APPLY_PLUGIN = re.compile(r"\bapply\s*\(?\s*plugin\s*[:=]\s*['\"]([\w.-]+)['\"]")
_BARE_PLUGIN = re.compile(
    r"^\s*(java|application|`java-library`|java-library|groovy|war|jacoco|checkstyle|idea|eclipse|`maven-publish`|maven-publish)\s*$"
)


def parse_gradle(path: str, data: bytes) -> list[Dependency]:
    """Dependency declarations (``test*`` configurations → dev) and plugins of a
    Gradle script; names Gradle, and Kotlin for a ``.kts`` script."""
    text = decode_text(path, data)
    deps = [Dependency("skill", "Gradle", "", "build", path, None)]
    if path.endswith(".kts"):
        deps.append(Dependency("skill", "Kotlin", "", "config", path, None))
    in_plugins = False
    depth = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//", 1)[0] if "://" not in raw else raw
        if re.match(r"^\s*plugins\s*\{", line):
            in_plugins, depth = True, 0
        if in_plugins:
            depth += line.count("{") - line.count("}")
            for match in _PLUGIN_ID.finditer(line):
                deps.append(
                    Dependency(
                        "gradle_plugin",
                        match.group(1),
                        match.group(2) or "",
                        "build",
                        path,
                        number,
                    )
                )
            for match in _KOTLIN_PLUGIN.finditer(line):
                deps.append(
                    Dependency(
                        "gradle_plugin",
                        f"org.jetbrains.kotlin.{match.group(1)}",
                        match.group(2) or "",
                        "build",
                        path,
                        number,
                    )
                )
            bare = _BARE_PLUGIN.match(line)
            if bare:
                deps.append(
                    Dependency(
                        "gradle_plugin",
                        bare.group(1).strip("`"),
                        "",
                        "build",
                        path,
                        number,
                    )
                )
            if depth <= 0:
                in_plugins = False
            continue
        for match in _APPLY_PLUGIN.finditer(line):
            deps.append(Dependency("gradle_plugin", match.group(1), "", "build", path, number))
        for match in _GRADLE_DEP.finditer(line):
            config, coordinate = match.group(1), match.group(2)
            parts = coordinate.split(":")
            if len(parts) < 2:
                continue
            kind = (
                "dev"
                if config.startswith(("test", "androidTest"))
                else ("build" if config == "classpath" else "runtime")
            )
            deps.append(
                Dependency(
                    "maven",
                    f"{parts[0]}:{parts[1]}",
                    parts[2] if len(parts) > 2 else "",
                    kind,
                    path,
                    number,
                )
            )
        for match in _GRADLE_MAP_DEP.finditer(line):
            kind = "dev" if match.group(1).startswith("test") else "runtime"
            deps.append(
                Dependency(
                    "maven",
                    f"{match.group(2)}:{match.group(3)}",
                    "",
                    kind,
                    path,
                    number,
                )
            )
    return deps
