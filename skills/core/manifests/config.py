"""Tool configuration files: tsconfig.json and test-runner / linter configs.

Most of these prove a tool by their name alone (``jest.config.ts``,
``pytest.ini``, ``.rspec``), so their content is not read: they yield one
configuration-strength dependency on the package that reads them. Only
``tsconfig*.json`` is parsed (JSON with comments) so that a malformed one
is reported like any other manifest.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from skills.core.manifests._load import decode_text, load_jsonc
from skills.core.manifests.types import Dependency, ManifestError

#: Lower-case file-name glob → (ecosystem, package the file configures).
CONFIG_FILES: tuple[tuple[str, str, str], ...] = (
    ("jest.config.*", "npm", "jest"),
    ("vitest.config.*", "npm", "vitest"),
    ("vitest.workspace.*", "npm", "vitest"),
    ("playwright.config.*", "npm", "@playwright/test"),
    ("cypress.config.*", "npm", "cypress"),
    ("cypress.json", "npm", "cypress"),
    ("karma.conf.*", "npm", "karma"),
    (".mocharc*", "npm", "mocha"),
    ("ava.config.*", "npm", "ava"),
    ("webpack.config.*", "npm", "webpack"),
    ("vite.config.*", "npm", "vite"),
    ("rollup.config.*", "npm", "rollup"),
    ("babel.config.*", "npm", "@babel/core"),
    (".babelrc*", "npm", "@babel/core"),
    (".eslintrc*", "npm", "eslint"),
    ("eslint.config.*", "npm", "eslint"),
    (".prettierrc*", "npm", "prettier"),
    ("prettier.config.*", "npm", "prettier"),
    ("tailwind.config.*", "npm", "tailwindcss"),
    ("postcss.config.*", "npm", "postcss"),
    ("next.config.*", "npm", "next"),
    ("nuxt.config.*", "npm", "nuxt"),
    ("svelte.config.*", "npm", "svelte"),
    ("astro.config.*", "npm", "astro"),
    ("angular.json", "npm", "@angular/core"),
    ("nx.json", "npm", "nx"),
    ("turbo.json", "npm", "turbo"),
    ("lerna.json", "npm", "lerna"),
    (".storybook", "npm", "storybook"),
    ("pytest.ini", "pypi", "pytest"),
    ("conftest.py", "pypi", "pytest"),
    ("tox.ini", "pypi", "tox"),
    ("noxfile.py", "pypi", "nox"),
    (".flake8", "pypi", "flake8"),
    ("mypy.ini", "pypi", "mypy"),
    (".mypy.ini", "pypi", "mypy"),
    ("ruff.toml", "pypi", "ruff"),
    (".ruff.toml", "pypi", "ruff"),
    (".coveragerc", "pypi", "coverage"),
    (".pylintrc", "pypi", "pylint"),
    ("manage.py", "pypi", "django"),
    (".rspec", "gem", "rspec"),
    (".rubocop.yml", "gem", "rubocop"),
    ("phpunit.xml", "composer", "phpunit/phpunit"),
    ("phpunit.xml.dist", "composer", "phpunit/phpunit"),
    ("artisan", "composer", "laravel/framework"),
    ("phpstan.neon", "composer", "phpstan/phpstan"),
    ("phpstan.neon.dist", "composer", "phpstan/phpstan"),
    ("mvnw", "skill", "Maven"),
    ("gradlew", "skill", "Gradle"),
    ("settings.gradle", "skill", "Gradle"),
    ("settings.gradle.kts", "skill", "Gradle"),
    ("makefile", "skill", "Make"),
    ("cmakelists.txt", "skill", "CMake"),
    ("vagrantfile", "skill", "Vagrant"),
    (".golangci.yml", "skill", "golangci-lint"),
    (".golangci.yaml", "skill", "golangci-lint"),
    ("rust-toolchain.toml", "skill", "Rust"),
    ("rust-toolchain", "skill", "Rust"),
    (".nvmrc", "skill", "Node.js"),
    (".node-version", "skill", "Node.js"),
    ("global.json", "skill", ".NET"),
    (".python-version", "skill", "Python"),
    (".ruby-version", "skill", "Ruby"),
    ("kustomization.yaml", "skill", "Kustomize"),
    ("kustomization.yml", "skill", "Kustomize"),
    ("skaffold.yaml", "skill", "Skaffold"),
    ("tiltfile", "skill", "Tilt"),
    ("ansible.cfg", "skill", "Ansible"),
    ("nginx.conf", "skill", "NGINX"),
    ("firebase.json", "skill", "Firebase"),
    ("wrangler.toml", "skill", "Cloudflare Workers"),
    ("render.yaml", "skill", "Render"),
    ("railway.json", "skill", "Railway"),
    ("heroku.yml", "skill", "Heroku"),
    ("sonar-project.properties", "skill", "SonarQube"),
    ("renovate.json", "skill", "Renovate"),
    ("codecov.yml", "skill", "Codecov"),
    (".codecov.yml", "skill", "Codecov"),
)

#: Prisma schema datasource provider → the database it names.
_PRISMA_PROVIDERS = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "mongodb": "MongoDB",
    "sqlserver": "Microsoft SQL Server",
    "cockroachdb": "CockroachDB",
}
_PRISMA_DATASOURCE = re.compile(r'datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"(\w+)"', re.S)

_EXACT = {glob: (eco, name) for glob, eco, name in CONFIG_FILES if "*" not in glob}
_GLOBS = [(glob, eco, name) for glob, eco, name in CONFIG_FILES if "*" in glob]
#: Names and literal name starts of every configuration file, for quick screening.
EXACT_NAMES = frozenset(_EXACT)
GLOB_PREFIXES = tuple(sorted({re.split(r"[*?\[]", g, maxsplit=1)[0] for g, _, _ in _GLOBS}))
_GLOBS_RE = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g, _, _ in _GLOBS))
_DEPENDABOT = ".github/dependabot.yml"


def match_config(path: str) -> tuple[str, str] | None:
    """(ecosystem, package) a configuration file name proves, or ``None``."""
    lower = path.lower()
    if lower.endswith(_DEPENDABOT) or lower.endswith(".github/dependabot.yaml"):
        return ("skill", "Dependabot")
    name = posixpath.basename(lower)
    if name.startswith("tsconfig") and name.endswith(".json"):
        return ("skill", "TypeScript")
    if name.endswith(".prisma"):
        return ("npm", "prisma")
    if name in _EXACT:
        return _EXACT[name]
    if _GLOBS_RE.fullmatch(name):
        for glob, eco, package in _GLOBS:
            if fnmatch.fnmatchcase(name, glob):
                return (eco, package)
    return None


def parse(path: str, data: bytes) -> list[Dependency]:
    """The tool a configuration file proves; tsconfig*.json is also validated."""
    found = match_config(path)
    if found is None:
        raise ManifestError("not a known configuration file")
    name = posixpath.basename(path).lower()
    if name.startswith("tsconfig") and name.endswith(".json"):
        doc = load_jsonc(path, data)
        if not isinstance(doc, dict):
            raise ManifestError("tsconfig is not a JSON object")
    ecosystem, package = found
    version = toolchain_version(name, data) if name in VERSION_FILES else ""
    deps = [Dependency(ecosystem, package, version, "config", path, 1 if version else None)]
    if name.endswith(".prisma"):
        text = decode_text(path, data)
        match = _PRISMA_DATASOURCE.search(text)
        if match and match.group(1) in _PRISMA_PROVIDERS:
            line = text.count("\n", 0, match.start(1)) + 1
            deps.append(
                Dependency(
                    "skill",
                    _PRISMA_PROVIDERS[match.group(1)],
                    "",
                    "runtime",
                    path,
                    line,
                )
            )
    return deps


#: Files that pin a toolchain version: read for the version as people write it.
VERSION_FILES = frozenset(
    {
        ".nvmrc",
        ".node-version",
        ".python-version",
        ".ruby-version",
        "rust-toolchain",
        "rust-toolchain.toml",
        "global.json",
    }
)
_VERSION_PREFIX = re.compile(r"^(?:v|ruby-|python-|node-)(?=\d)")


def toolchain_version(name: str, data: bytes) -> str:
    """The version a toolchain file pins: ``v20.11.1`` is 20.11.1, ``ruby-3.3.0`` 3.3.0,
    ``lts/iron`` stays as written; ``rust-toolchain.toml``'s channel, ``global.json``'s SDK."""
    if name == "global.json":
        doc = load_jsonc(name, data)
        sdk = doc.get("sdk") if isinstance(doc, dict) else None
        version = sdk.get("version") if isinstance(sdk, dict) else None
        return version if isinstance(version, str) else ""
    text = decode_text(name, data)
    if name == "rust-toolchain.toml" or text.lstrip().startswith("["):
        match = re.search(r'^\s*channel\s*=\s*"([^"]+)"', text, re.M)
        return match.group(1) if match else ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return _VERSION_PREFIX.sub("", line.split()[0])[:40]
    return ""


def needs_content(path: str) -> bool:
    """tsconfig files, Prisma schemas and toolchain version files are read; the
    others prove their tool by name."""
    name = posixpath.basename(path).lower()
    return (
        (name.startswith("tsconfig") and name.endswith(".json"))
        or name.endswith(".prisma")
        or name in VERSION_FILES
    )
