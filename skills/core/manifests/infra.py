"""Infrastructure manifests: Terraform, Kubernetes, Helm, Procfile, fly.toml,
vercel.json, netlify.toml, serverless.yml and .pre-commit-config.yaml.

Terraform is HCL, for which the standard library has no parser; blocks are
found by scanning braces (strings and comments respected), which is enough
for ``required_providers``, ``provider`` and ``resource`` headers.
Kubernetes objects are any YAML documents with both ``apiVersion`` and
``kind``; a YAML file without them is not a manifest at all. Helm templates
are Go templates, not YAML, so their images are found line by line.
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
    load_json,
    load_toml,
    load_yaml,
    load_yaml_all,
)
from skills.core.manifests.docker import split_image
from skills.core.manifests.types import Dependency, ManifestError, NotAManifestError


def parse(path: str, data: bytes) -> list[Dependency]:
    """Dependencies of one infrastructure file, chosen by name."""
    name = posixpath.basename(path).lower()
    if name.endswith(".tf"):
        return parse_terraform(path, data)
    if name == "chart.yaml":
        return parse_helm_chart(path, data)
    if name == "procfile":
        return parse_procfile(path, data)
    if name == "fly.toml":
        return _named(path, load_toml(path, data), "Fly.io")
    if name == "vercel.json":
        return _named(path, load_json(path, data), "Vercel")
    if name == "netlify.toml":
        return _named(path, load_toml(path, data), "Netlify")
    if name in ("serverless.yml", "serverless.yaml"):
        return parse_serverless(path, data)
    if name == ".pre-commit-config.yaml":
        return parse_pre_commit(path, data)
    return parse_kubernetes(path, data)


def _named(path: str, doc: Any, skill: str) -> list[Dependency]:
    if not isinstance(doc, dict):
        raise ManifestError(f"{posixpath.basename(path)} is not a mapping")
    return [Dependency("skill", skill, "", "config", path, 1)]


# -- Terraform ----------------------------------------------------------------

_BLOCK_HEADER = re.compile(
    r'^\s*(resource|data|provider|module|terraform)\b\s*("([^"]*)")?\s*("([^"]*)")?\s*\{',
    re.M,
)
#: Terraform resource types that are a managed service of their own.
_MANAGED_SERVICES = {
    "google_container_cluster": "Google Kubernetes Engine",
    "aws_eks_cluster": "Amazon EKS",
    "azurerm_kubernetes_cluster": "Azure Kubernetes Service",
    "aws_s3_bucket": "Amazon S3",
    "google_cloudbuild_trigger": "Google Cloud Build",
}
#: Managed database resources name their engine (``engine = "postgres"``).
_ENGINE = re.compile(r'^\s*engine\s*=\s*"([\w-]+)"', re.M)
_ENGINES = {
    "postgres": "PostgreSQL",
    "aurora-postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "aurora-mysql": "MySQL",
    "aurora": "MySQL",
    "mariadb": "MariaDB",
    "redis": "Redis",
    "valkey": "Valkey",
    "memcached": "Memcached",
    "sqlserver-ex": "Microsoft SQL Server",
    "sqlserver-se": "Microsoft SQL Server",
    "sqlserver-ee": "Microsoft SQL Server",
    "sqlserver-web": "Microsoft SQL Server",
    "oracle-ee": "Oracle Database",
    "oracle-se2": "Oracle Database",
    "docdb": "MongoDB",
}
_ASSIGN = re.compile(r'^\s*([\w-]+)\s*=\s*(\{|"([^"]*)")', re.M)


def _strip_hcl_comments(text: str) -> str:
    out = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r'(?m)^((?:[^"#/\n]|"(?:\\.|[^"\\\n])*")*?)\s*(#|//).*$', r"\1", out)


def _block_body(text: str, open_brace: int) -> str:
    depth, i, in_string = 0, open_brace, False
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace + 1 : i]
        i += 1
    raise ManifestError("unbalanced braces")


def parse_terraform(path: str, data: bytes) -> list[Dependency]:
    """Providers from ``required_providers`` (source + version), ``provider``
    blocks and resource/data type prefixes; names Terraform."""
    text = _strip_hcl_comments(decode_text(path, data))
    if text.count("{") != text.count("}"):
        raise ManifestError("unbalanced braces")
    deps = [Dependency("skill", "Terraform", "", "config", path, None)]
    seen: set[str] = set()

    def add(name: str, spec: str, pos: int) -> None:
        if name and name not in seen:
            seen.add(name)
            deps.append(
                Dependency(
                    "terraform_provider",
                    name,
                    spec,
                    "provider",
                    path,
                    text.count("\n", 0, pos) + 1,
                )
            )

    for match in _BLOCK_HEADER.finditer(text):
        block, first = match.group(1), match.group(3)
        if block == "terraform":
            body = _block_body(text, match.end() - 1)
            version = re.search(r'required_version\s*=\s*"([^"]*)"', body)
            if version:
                deps[0] = Dependency("skill", "Terraform", version.group(1), "config", path, None)
            required = re.search(r"required_providers\s*\{", body)
            if required:
                offset = match.end() - 1 + 1 + required.end() - 1
                providers = _block_body(text, offset)
                for local, value, pos in _top_level_assignments(providers):
                    if isinstance(value, str):
                        add(local, value, offset + 1 + pos)
                        continue
                    source = re.search(r'source\s*=\s*"([^"]*)"', value[0])
                    version_m = re.search(r'version\s*=\s*"([^"]*)"', value[0])
                    add(
                        source.group(1) if source else local,
                        version_m.group(1) if version_m else "",
                        offset + 1 + pos,
                    )
        elif block == "provider" and first:
            if not any(d.name.split("/")[-1] == first for d in deps[1:]):
                add(first, "", match.start())
        if block == "resource" and first in _MANAGED_SERVICES:
            line = text.count("\n", 0, match.start()) + 1
            deps.append(Dependency("skill", _MANAGED_SERVICES[first], "", "provider", path, line))
        if block == "resource" and first:
            body = _block_body(text, match.end() - 1)
            engine = _ENGINE.search(body)
            database = _ENGINES.get(engine.group(1).lower()) if engine else None
            if engine and database:
                line = text.count("\n", 0, match.end() + engine.start(1)) + 1
                deps.append(Dependency("skill", database, "", "runtime", path, line))
        if block in ("resource", "data") and first and "_" in first:
            prefix = first.split("_", 1)[0]
            if not any(d.name.split("/")[-1] == prefix for d in deps[1:]):
                add(prefix, "", match.start())
    return deps


def _top_level_assignments(body: str):
    """(name, "string" or (nested body,), position) for assignments at depth 0 of ``body``."""
    pos = 0
    while True:
        match = _ASSIGN.search(body, pos)
        if match is None:
            return
        if match.group(2) == "{":
            inner = _block_body(body, match.end() - 1)
            yield match.group(1), (inner,), match.start(1)
            pos = match.end() + len(inner) + 1
        else:
            yield match.group(1), match.group(3) or "", match.start(1)
            pos = match.end()


# -- Kubernetes and Helm ------------------------------------------------------

_TEMPLATE_IMAGE = re.compile(r"""^\s*-?\s*image:\s*["']?([^\s"'{}]+)["']?\s*$""")


def parse_kubernetes(path: str, data: bytes) -> list[Dependency]:
    """Container images of every Kubernetes object in a YAML stream; names
    Kubernetes (and Kustomize for a Kustomization). ``NotAManifestError`` when
    the file holds no Kubernetes object."""
    if b"apiVersion" not in data or b"kind" not in data:
        raise NotAManifestError(path)
    text = decode_text(path, data)
    if "{{" in text:
        return _template_images(path, text)
    try:
        docs = load_yaml_all(path, data)
    except ManifestError:
        if "/templates/" in f"/{path}":
            return _template_images(path, text)
        raise
    objects = [d for d in docs if isinstance(d, dict) and "apiVersion" in d and "kind" in d]
    if not objects:
        raise NotAManifestError(path)
    deps = [Dependency("skill", "Kubernetes", "", "config", path, 1)]
    for obj in objects:
        if obj.get("kind") == "Kustomization":
            deps.append(Dependency("skill", "Kustomize", "", "config", path, 1))
        for image in _container_images(obj):
            name, tag = split_image(image)
            deps.append(Dependency("docker_image", name, tag, "image", path, line_of(text, image)))
    return deps


def _container_images(node: Any, depth: int = 0):
    if depth > 40:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in (
                "containers",
                "initContainers",
                "ephemeralContainers",
            ) and isinstance(value, list):
                for container in value:
                    image = as_dict(container).get("image")
                    if isinstance(image, str) and image:
                        yield image
            else:
                yield from _container_images(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _container_images(item, depth + 1)


def _template_images(path: str, text: str) -> list[Dependency]:
    deps = [Dependency("skill", "Kubernetes", "", "config", path, 1)]
    for number, line in enumerate(text.splitlines(), 1):
        match = _TEMPLATE_IMAGE.match(line)
        if match:
            name, tag = split_image(match.group(1))
            deps.append(Dependency("docker_image", name, tag, "image", path, number))
    return deps


def parse_helm_chart(path: str, data: bytes) -> list[Dependency]:
    """Names Helm; chart dependencies (``postgresql``, ``redis``) are read as the
    images they deploy, which is what a chart dependency means in practice."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict) or "name" not in doc:
        raise ManifestError("Chart.yaml has no name")
    text = data.decode("utf-8", "replace")
    deps = [
        Dependency("skill", "Helm", str(doc.get("apiVersion", "")), "config", path, 1),
        Dependency("skill", "Kubernetes", "", "config", path, 1),
    ]
    for dep in as_list(doc.get("dependencies")):
        name = as_dict(dep).get("name")
        if isinstance(name, str):
            deps.append(
                Dependency(
                    "docker_image",
                    name,
                    str(as_dict(dep).get("version", "")),
                    "image",
                    path,
                    line_of(text, name),
                )
            )
    return deps


# -- Platforms ----------------------------------------------------------------


def parse_procfile(path: str, data: bytes) -> list[Dependency]:
    """Names Heroku-style process management; each process's command names a tool."""
    text = decode_text(path, data)
    deps = [Dependency("skill", "Procfile", "", "config", path, None)]
    for number, line in enumerate(text.splitlines(), 1):
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        command = line.split(":", 1)[1].split()
        while command and (
            "=" in command[0]
            or command[0]
            in (
                "exec",
                "bundle",
                "python",
                "python3",
                "-m",
                "npx",
                "uv",
                "run",
                "poetry",
            )
        ):
            command = command[1:]
        if command and command[0] not in _SHELL_WORDS:
            deps.append(Dependency("skill", command[0], "", "config", path, number))
    return deps


#: Shell commands a process line may start with; they name no technology
#: (``echo`` is not the Go framework Echo).
_SHELL_WORDS = frozenset(
    {"echo", "cd", "sh", "bash", "sleep", "true", "test", "env", "cat", "printf", "set", "trap"}
)


_SERVERLESS_RUNTIMES = (
    ("python", "Python"),
    ("nodejs", "Node.js"),
    ("java", "Java"),
    ("go", "Go"),
    ("ruby", "Ruby"),
    ("dotnet", ".NET"),
    ("provided", ""),
)
_CLOUDS = {
    "aws": "AWS Lambda",
    "azure": "Azure Functions",
    "google": "Google Cloud Functions",
}


def parse_serverless(path: str, data: bytes) -> list[Dependency]:
    """Names the Serverless Framework, the cloud function service, the runtime and plugins."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict):
        raise ManifestError("serverless file is not a mapping")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("skill", "Serverless Framework", "", "config", path, 1)]
    provider = doc.get("provider")
    provider = {"name": provider} if isinstance(provider, str) else as_dict(provider)
    cloud = provider.get("name")
    if isinstance(cloud, str) and cloud in _CLOUDS:
        deps.append(Dependency("skill", _CLOUDS[cloud], "", "config", path, line_of(text, cloud)))
    runtime = provider.get("runtime")
    if isinstance(runtime, str):
        for prefix, language in _SERVERLESS_RUNTIMES:
            if runtime.startswith(prefix) and language:
                deps.append(
                    Dependency(
                        "skill",
                        language,
                        runtime[len(prefix) :],
                        "config",
                        path,
                        line_of(text, runtime),
                    )
                )
                break
    plugins = doc.get("plugins")
    plugins = as_dict(plugins).get("modules", []) if isinstance(plugins, dict) else plugins
    for plugin in as_list(plugins):
        if isinstance(plugin, str):
            deps.append(Dependency("npm", plugin, "", "build", path, line_of(text, plugin)))
    return deps


def parse_pre_commit(path: str, data: bytes) -> list[Dependency]:
    """Names pre-commit; every hook id names the tool it runs (``ruff``, ``eslint``)."""
    doc = load_yaml(path, data)
    if not isinstance(doc, dict) or not isinstance(doc.get("repos"), list):
        raise ManifestError("pre-commit config has no repos list")
    text = data.decode("utf-8", "replace")
    deps = [Dependency("pypi", "pre-commit", "", "config", path, 1)]
    for repo in doc["repos"]:
        repo = as_dict(repo)
        rev = str(repo.get("rev", ""))
        for hook in as_list(repo.get("hooks")):
            hook_id = as_dict(hook).get("id")
            if isinstance(hook_id, str):
                deps.append(
                    Dependency(
                        "pypi",
                        hook_id,
                        rev,
                        "config",
                        path,
                        line_of(text, f"id: {hook_id}"),
                    )
                )
    return deps
