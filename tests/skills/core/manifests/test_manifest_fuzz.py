import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.core.manifests import find_parser
from skills.core.manifests.types import (
    ECOSYSTEMS,
    KINDS,
    ManifestError,
    NotAManifestError,
)

PATHS = [
    "requirements.txt",
    "pyproject.toml",
    "setup.cfg",
    "Pipfile",
    "environment.yml",
    "package.json",
    "Dockerfile",
    "docker-compose.yml",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "app.gemspec",
    "composer.json",
    "pom.xml",
    "build.gradle.kts",
    "Api.csproj",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "Jenkinsfile",
    "main.tf",
    "k8s/app.yaml",
    "charts/x/Chart.yaml",
    "Procfile",
    "fly.toml",
    "vercel.json",
    "netlify.toml",
    "serverless.yml",
    ".pre-commit-config.yaml",
    "tsconfig.json",
    "prisma/schema.prisma",
]

# Text that looks a little like manifests, so the parsers get past their first checks.
TOKENS = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ":",
        "=",
        '"',
        "'",
        "\n",
        "  ",
        "- ",
        "image",
        "FROM",
        "RUN",
        "gem",
        "require",
        "dependencies",
        "services",
        "jobs",
        "uses",
        "apiVersion",
        "kind",
        "<project>",
        "</project>",
        "provider",
        "resource",
        "&a",
        "*a",
        "-r",
        "x",
        "1.0",
        "@",
        "#",
        "\\",
        "(",
        ")",
        "%q(",
        "<!ENTITY",
    ]
)
CONTENT = st.one_of(
    st.binary(max_size=300),
    st.lists(TOKENS, max_size=80).map(lambda t: "".join(t).encode()),
)


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=60, deadline=None)
@given(data=CONTENT)
def test_parsers_raise_nothing_but_manifest_errors(path, data):
    spec = find_parser(path)
    assert spec is not None
    try:
        deps = spec.parse(path, data)
    except (ManifestError, NotAManifestError):
        return
    assert all(dep.kind in KINDS and dep.ecosystem in ECOSYSTEMS for dep in deps)
