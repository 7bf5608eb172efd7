import pytest

from skills.core.manifests import config, find_parser
from skills.core.manifests.types import ManifestError


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("jest.config.ts", ("npm", "jest")),
        ("web/vitest.config.mts", ("npm", "vitest")),
        ("playwright.config.js", ("npm", "@playwright/test")),
        ("pytest.ini", ("pypi", "pytest")),
        ("tox.ini", ("pypi", "tox")),
        (".rspec", ("gem", "rspec")),
        ("phpunit.xml.dist", ("composer", "phpunit/phpunit")),
        ("tsconfig.build.json", ("skill", "TypeScript")),
        (".github/dependabot.yml", ("skill", "Dependabot")),
        ("src/app.py", None),
    ],
)
def test_config_files_are_recognised_by_name(path, expected):
    assert config.match_config(path) == expected


def test_tsconfig_with_comments_and_trailing_commas_is_accepted():
    text = b'{\n  // comment\n  "compilerOptions": {"paths": {"@/*": ["./src/*"]}, /* x */ "strict": true,},\n}\n'
    assert [(d.ecosystem, d.name) for d in config.parse("tsconfig.json", text)] == [
        ("skill", "TypeScript")
    ]


def test_broken_tsconfig_is_reported():
    with pytest.raises(ManifestError, match="invalid JSON"):
        config.parse("tsconfig.json", b'{"compilerOptions": ')


def test_prisma_schema_names_its_datasource_database():
    text = b'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
    deps = config.parse("prisma/schema.prisma", text)
    assert [(d.ecosystem, d.name, d.line) for d in deps] == [
        ("npm", "prisma", None),
        ("skill", "PostgreSQL", 2),
    ]


@pytest.mark.parametrize(
    ("path", "ecosystem", "candidate"),
    [
        ("requirements/base.txt", "python", False),
        ("static/package.json", "node", False),
        ("tests/fixtures/Gemfile", "ruby", False),
        ("deploy/Dockerfile.prod", "docker", False),
        ("compose.yml", "docker", False),
        ("infra/docker-compose.prod.yaml", "docker", False),
        (".github/workflows/release.yaml", "ci", False),
        ("src/Api/Api.csproj", "dotnet", False),
        ("k8s/deployment.yaml", "infra", True),
    ],
)
def test_find_parser_routes_paths_anywhere_in_the_tree(path, ecosystem, candidate):
    spec = find_parser(path)
    assert spec is not None and (spec.ecosystem, spec.candidate) == (
        ecosystem,
        candidate,
    )
