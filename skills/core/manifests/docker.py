"""Docker manifests: Dockerfiles and Compose files.

Every ``FROM`` stage's base image counts (not only the first), except a stage
built from an earlier stage's name. ``RUN`` lines, joined across ``\\``
continuations, are scanned for packages installed with apt-get/apt/apk
(system packages, ecosystem ``apt``), pip and npm. Every Compose file names
Docker Compose itself, and each service's ``image``.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from skills.core.manifests._load import as_dict, decode_text, line_of, load_yaml
from skills.core.manifests.types import Dependency, ManifestError

_FLAG_WITH_VALUE = re.compile(r"^--[a-z-]+=")


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of a Dockerfile or a Compose file, chosen by name."""
    name = posixpath.basename(path).lower()
    if name.endswith((".yml", ".yaml")):
        return parse_compose(path, data)
    return parse_dockerfile(path, data)


def _instructions(text: str):
    """(line number, instruction, arguments) with continuations joined."""
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buffer:
            start = number
            if not stripped or stripped.startswith("#"):
                continue
        elif stripped.startswith("#"):
            continue  # comments may sit inside a continued RUN
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        parts = buffer.split(None, 1)
        if parts:
            yield start, parts[0].upper(), parts[1] if len(parts) > 1 else ""
        buffer = ""
    if buffer.strip():
        parts = buffer.split(None, 1)
        yield start, parts[0].upper(), parts[1] if len(parts) > 1 else ""


def parse_dockerfile(path: str, data: bytes) -> list[Dependency]:
    """Base images of every stage and packages installed in ``RUN`` lines.

    Edge cases: ``--platform=`` flags, ``AS name`` aliases (a later ``FROM
    name`` is not an image), images built from ``ARG`` values are skipped,
    ``scratch`` is not an image. A file with no instruction at all is malformed.
    """
    text = decode_text(path, data)
    deps: list[Dependency] = [Dependency("skill", "Docker", "", "config", path, None)]
    stages: set[str] = set()
    count = 0
    for line, instruction, args in _instructions(text):
        count += 1
        if instruction == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            if not words:
                continue
            image = words[0]
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
            if image.lower() in stages or image.lower() == "scratch" or image.startswith("$"):
                continue
            name, tag = split_image(image)
            if name and "$" not in name:
                deps.append(
                    Dependency(
                        "docker_image",
                        name,
                        tag if "$" not in tag else "",
                        "image",
                        path,
                        line,
                    )
                )
        elif instruction == "RUN":
            deps.extend(_run_installs(args, path, line))
    if count == 0:
        raise ManifestError("no Dockerfile instruction")
    return deps


def split_image(image: str) -> tuple[str, str]:
    """``registry/name:tag@digest`` → (``registry/name``, ``tag``)."""
    image = image.strip().strip("'\"")
    name = image.split("@", 1)[0]
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag


def _run_installs(args: str, path: str, line: int) -> list[Dependency]:
    deps: list[Dependency] = []
    for command in re.split(r"&&|\|\||;|\|", args):
        try:
            words = shlex.split(command, comments=False)
        except ValueError:
            words = command.split()
        words = [w for w in words if w not in ("sudo", "env")]
        if not words:
            continue
        deps.extend(_install_command(words, path, line))
    return deps


def _install_command(words: list[str], path: str, line: int) -> list[Dependency]:
    tool = posixpath.basename(words[0])
    rest = words[1:]
    if tool in ("python", "python3") and rest[:2] == ["-m", "pip"]:
        tool, rest = "pip", rest[2:]
    if tool in ("apt-get", "apt", "apk", "yum", "dnf"):
        verbs = {"install", "add"}
        ecosystem, kind = "apt", "os_package"
    elif tool in ("pip", "pip3", "uv"):
        if tool == "uv" and rest[:1] == ["pip"]:
            rest = rest[1:]
        verbs = {"install"}
        ecosystem, kind = "pypi", "runtime"
    elif tool in ("npm", "yarn", "pnpm"):
        verbs = {"install", "i", "add"}
        ecosystem, kind = "npm", "build"
        if "global" in rest:
            rest = [w for w in rest if w != "global"]
    else:
        return []
    if not rest or rest[0] not in verbs:
        return []
    deps: list[Dependency] = []
    skip_next = False
    for word in rest[1:]:
        if skip_next:
            skip_next = False
            continue
        if word in (
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-t",
            "--target",
            "-i",
            "--index-url",
            "--repository",
            "-X",
        ):
            skip_next = True
            continue
        if (
            word.startswith("-")
            or _FLAG_WITH_VALUE.match(word)
            or "$" in word
            or word in (".", "./")
        ):
            continue
        if ecosystem == "pypi":
            name = re.split(r"[\[<>=!~;@ ]", word, maxsplit=1)[0]
            spec = word[len(name) :]
        elif ecosystem == "npm":
            at = word.rfind("@")
            name, spec = (word[:at], word[at + 1 :]) if at > 0 else (word, "")
        else:
            name, _, spec = word.partition("=")
        if name and not name.startswith((".", "/")):
            deps.append(Dependency(ecosystem, name, spec, kind, path, line))
    return deps


def parse_compose(path: str, data: bytes) -> list[Dependency]:
    """Docker Compose itself plus every service's ``image`` (and Docker for ``build``)."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("compose file is not a mapping")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Docker Compose", str(doc.get("version", "")), "config", path, 1)]
    services = doc.get("services")
    if services is None and "version" not in doc:
        services = {
            k: v for k, v in doc.items() if isinstance(v, dict) and ("image" in v or "build" in v)
        }
    if not isinstance(services, dict):
        raise ManifestError("services is not a mapping")
    for service_name, service in services.items():
        service = as_dict(service)
        image = service.get("image")
        if isinstance(image, str) and image.strip():
            name, tag = split_image(image)
            if "$" in name:
                continue
            deps.append(
                Dependency(
                    "docker_image",
                    name,
                    tag if "$" not in tag else "",
                    "image",
                    path,
                    line_of(text, image),
                )
            )
        if "build" in service:
            deps.append(
                Dependency(
                    "skill",
                    "Docker",
                    "",
                    "config",
                    path,
                    line_of(text, f"{service_name}:"),
                )
            )
    return deps
