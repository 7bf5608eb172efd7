"""CI manifests: GitHub Actions workflows, GitLab CI, Jenkinsfile, and the
single-file configurations of CircleCI, Travis CI, Azure Pipelines and
Bitbucket Pipelines.

Every workflow file in ``.github/workflows/`` is read, not only the first.
``uses:`` steps name actions (``owner/repo[/path]@ref``; local ``./`` actions
are the project's own and left out); ``docker://`` steps, job containers and
service containers name images.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from skills.core.manifests._load import (
    as_dict,
    as_list,
    decode_text,
    line_of,
    load_yaml,
)
from skills.core.manifests.docker import split_image
from skills.core.manifests.types import Dependency, ManifestError

#: File name → (CI service named by the file, whether it is YAML to read).
SINGLE_FILE_CI = {
    ".gitlab-ci.yml": "GitLab CI",
    ".travis.yml": "Travis CI",
    "azure-pipelines.yml": "Azure Pipelines",
    "bitbucket-pipelines.yml": "Bitbucket Pipelines",
    "config.yml": "CircleCI",  # only under .circleci/
}


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of one CI file, chosen by path."""
    name = posixpath.basename(path)
    lower = path.lower()
    if "/.github/workflows/" in f"/{lower}":
        return parse_github_workflow(path, data)
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile."):
        return parse_jenkinsfile(path, data)
    return parse_yaml_ci(path, data)


def _image(value: Any, path: str, text: str) -> list[Dependency]:
    raw = value.get("name") if isinstance(value, dict) else value
    raw = value.get("image", raw) if isinstance(value, dict) and "image" in value else raw
    if not isinstance(raw, str) or not raw.strip() or "$" in raw.split(":")[0]:
        return []
    name, tag = split_image(raw.removeprefix("docker://"))
    return [
        Dependency(
            "docker_image",
            name,
            tag if "$" not in tag else "",
            "image",
            path,
            line_of(text, raw),
        )
    ]


def parse_github_workflow(path: str, data: bytes) -> list[Dependency]:
    """Actions used by steps and reusable-workflow jobs, job and service containers."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
        raise ManifestError("workflow has no jobs mapping")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "GitHub Actions", "", "config", path, 1)]
    for job in doc["jobs"].values():
        job = as_dict(job)
        uses = job.get("uses")
        steps = [{"uses": uses}] if isinstance(uses, str) else as_list(job.get("steps"))
        for step in steps:
            action = as_dict(step).get("uses")
            if not isinstance(action, str) or action.startswith("./"):
                continue
            if action.startswith("docker://"):
                deps.extend(_image(action, path, text))
                continue
            name, _, ref = action.partition("@")
            line = line_of(text, action)
            deps.append(Dependency("github_action", name, ref, "action", path, line))
            deps.extend(_toolchain(name, as_dict(step).get("with"), path, line))
        if job.get("container") is not None:
            deps.extend(_image(job["container"], path, text))
        for service in as_dict(job.get("services")).values():
            deps.extend(_image(service, path, text))
    return deps


#: Setup actions → (the toolchain they install, the ``with:`` key of its version).
SETUP_ACTIONS = {
    "actions/setup-java": ("Java", "java-version"),
    "actions/setup-node": ("Node.js", "node-version"),
    "actions/setup-python": ("Python", "python-version"),
    "actions/setup-go": ("Go", "go-version"),
    "actions/setup-dotnet": (".NET", "dotnet-version"),
    "ruby/setup-ruby": ("Ruby", "ruby-version"),
}


def _toolchain(action: str, with_: Any, path: str, line: int | None) -> list[Dependency]:
    """The toolchain version a setup action pins (``java-version: 17``).

    Evidence for the toolchain's version only: a language is still named
    only when files of it exist (the extraction's rule).
    """
    known = SETUP_ACTIONS.get(action.lower())
    if known is None or not isinstance(with_, dict):
        return []
    skill, key = known
    version = with_.get(key)
    # An unquoted 3.10 reads as the float 3.1: only integers and strings are trusted.
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip() or "${{" in version:
        return []
    return [Dependency("skill", skill, version.strip(), "action", path, line)]


def parse_yaml_ci(path: str, data: bytes) -> list[Dependency]:
    """GitLab CI, CircleCI, Travis, Azure or Bitbucket: the service itself and every image."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("CI file is not a mapping")
    text = data.decode("utf-8", "replace")
    service = SINGLE_FILE_CI.get(posixpath.basename(path).lower(), "CI")
    deps = [Dependency("skill", service, "", "config", path, 1)]
    for _key, image in _walk_images(doc):
        deps.extend(_image(image, path, text))
    if service == "Travis CI" and isinstance(doc.get("language"), str):
        deps.append(
            Dependency("skill", doc["language"], "", "config", path, line_of(text, "language"))
        )
    return deps


def _walk_images(node: Any, depth: int = 0):
    """Yield (key, value) for every ``image``/``services`` entry in the tree."""
    if depth > 50:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image":
                yield key, value
            elif key == "services" and isinstance(value, list):
                for item in value:
                    if isinstance(item, (str, dict)):
                        yield key, item
            elif key == "docker" and isinstance(value, list):  # CircleCI executors
                for item in value:
                    yield key, item
            else:
                yield from _walk_images(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_images(item, depth + 1)


_JENKINS_IMAGE = re.compile(r"""(?:docker\.image\s*\(\s*|\bimage\s+)['"]([^'"$]+)['"]""")


def parse_jenkinsfile(path: str, data: bytes) -> list[Dependency]:
    """Names Jenkins, plus images of ``docker { image '…' }`` agents and ``docker.image('…')``."""
    text = decode_text(path, data)
    deps = [Dependency("skill", "Jenkins", "", "config", path, 1)]
    for number, line in enumerate(text.splitlines(), 1):
        for match in _JENKINS_IMAGE.finditer(line):
            name, tag = split_image(match.group(1))
            deps.append(Dependency("docker_image", name, tag, "image", path, number))
    return deps
