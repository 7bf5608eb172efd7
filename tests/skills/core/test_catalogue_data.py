"""Checks on the skills catalogue data files themselves.

These tests read the YAML files directly with a safe PyYAML loader (one that
also refuses repeated keys), so the data is validated independently of the
code that loads it into the engine.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from skills.core.catalogue import MATCH_KEYS

CATALOGUE_DIR = Path(__file__).resolve().parents[3] / "skills" / "catalogue"

CATEGORIES = {
    "language",
    "framework",
    "library",
    "database",
    "testing",
    "build",
    "ci_cd",
    "cloud",
    "infrastructure",
    "package_manager",
    "tool",
    "runtime",
}

FILE_CATEGORIES = {
    "languages.yml": "language",
    "frameworks.yml": "framework",
    "libraries.yml": "library",
    "databases.yml": "database",
    "testing.yml": "testing",
    "build.yml": "build",
    "ci_cd.yml": "ci_cd",
    "cloud.yml": "cloud",
    "infrastructure.yml": "infrastructure",
    "package_managers.yml": "package_manager",
    "tools.yml": "tool",
    "runtimes.yml": "runtime",
}


ENTRY_KEYS = {"name", "category", "description", "homepage", "aliases", "match"}

# Technologies that real projects use every day; losing any of them from the
# catalogue would be a visible regression for users.
MUST_HAVE = {
    # languages
    "Python",
    "JavaScript",
    "TypeScript",
    "Java",
    "Kotlin",
    "Go",
    "Rust",
    "Ruby",
    "PHP",
    "C#",
    "C",
    "C++",
    "Swift",
    "Scala",
    "Elixir",
    "Shell",
    "HTML",
    "CSS",
    "SQL",
    "Dart",
    # frameworks
    "Django",
    "Flask",
    "FastAPI",
    "Starlette",
    "Django REST Framework",
    "Spring Boot",
    "Spring Framework",
    "Ruby on Rails",
    "Sinatra",
    "Laravel",
    "Symfony",
    "NestJS",
    "Next.js",
    "Nuxt",
    "React",
    "Vue.js",
    "Angular",
    "Svelte",
    "SvelteKit",
    "Express",
    "Fastify",
    "Koa",
    "Remix",
    "Astro",
    "Gin",
    "Echo",
    "Fiber",
    "Actix Web",
    "Axum",
    "Rocket",
    "ASP.NET Core",
    "Phoenix",
    "Quarkus",
    "Micronaut",
    "Ktor",
    "Electron",
    "React Native",
    "Flutter",
    "Gatsby",
    "Solid",
    "htmx",
    "Tauri",
    "Node.js",
    "Deno",
    ".NET",
    "Apache Airflow",
    "Apache Spark",
    # libraries
    "SQLAlchemy",
    "Pydantic",
    "pandas",
    "NumPy",
    "Redux",
    "Axios",
    "gRPC",
    "Protocol Buffers",
    "GraphQL",
    "Apollo GraphQL",
    "Prisma",
    "TypeORM",
    "Sequelize",
    "Hibernate",
    "Tokio",
    "Serde",
    "Celery",
    "Sidekiq",
    "RQ",
    "Tailwind CSS",
    "Bootstrap",
    "jQuery",
    "TensorFlow",
    "PyTorch",
    "LangChain",
    "Hugging Face",
    "OpenAI API",
    "Stripe",
    "Mongoose",
    "Drizzle ORM",
    "scikit-learn",
    "Alembic",
    "Socket.IO",
    "Three.js",
    "D3.js",
    # databases
    "PostgreSQL",
    "MySQL",
    "MariaDB",
    "SQLite",
    "Redis",
    "MongoDB",
    "Elasticsearch",
    "Apache Cassandra",
    "Amazon DynamoDB",
    "Memcached",
    "Microsoft SQL Server",
    "Oracle Database",
    "Neo4j",
    "ClickHouse",
    "InfluxDB",
    "OpenSearch",
    # messaging (kept with databases or infrastructure)
    "Apache Kafka",
    "RabbitMQ",
    "NATS",
    # testing
    "pytest",
    "Jest",
    "Vitest",
    "Playwright",
    "Cypress",
    "Mocha",
    "RSpec",
    "PHPUnit",
    "JUnit",
    "Selenium",
    "Testing Library",
    "Storybook",
    "unittest",
    "Hypothesis",
    "coverage.py",
    "tox",
    "nox",
    "Mockito",
    "Minitest",
    "Capybara",
    "Puppeteer",
    "xUnit.net",
    "NUnit",
    # build
    "Maven",
    "Gradle",
    "webpack",
    "Vite",
    "esbuild",
    "Rollup",
    "Babel",
    "Turborepo",
    "Nx",
    "Make",
    "CMake",
    "Bazel",
    "Parcel",
    "SWC",
    "setuptools",
    "Hatch",
    "MSBuild",
    # CI/CD
    "GitHub Actions",
    "GitLab CI",
    "Jenkins",
    "CircleCI",
    "Travis CI",
    "Azure Pipelines",
    "Bitbucket Pipelines",
    "Argo CD",
    "Dependabot",
    "Renovate",
    # cloud
    "AWS",
    "Google Cloud",
    "Microsoft Azure",
    "Heroku",
    "Vercel",
    "Netlify",
    "Fly.io",
    "Cloudflare",
    "DigitalOcean",
    "Firebase",
    "Supabase",
    "AWS Lambda",
    "Amazon S3",
    "Serverless Framework",
    "Render",
    "Railway",
    # infrastructure
    "Docker",
    "Docker Compose",
    "Kubernetes",
    "Helm",
    "Terraform",
    "Ansible",
    "Nginx",
    "Apache HTTP Server",
    "Gunicorn",
    "uWSGI",
    "Uvicorn",
    "Caddy",
    "Traefik",
    "Vagrant",
    "Pulumi",
    "Prometheus",
    "Grafana",
    "Sentry",
    "OpenTelemetry",
    "Kustomize",
    "Packer",
    "Consul",
    "HashiCorp Vault",
    "Puma",
    # package managers
    "npm",
    "Yarn",
    "pnpm",
    "Bun",
    "pip",
    "Poetry",
    "uv",
    "Pipenv",
    "PDM",
    "Conda",
    "Bundler",
    "Composer",
    "Cargo",
    "Go Modules",
    "NuGet",
    # tools
    "ESLint",
    "Prettier",
    "Black",
    "Ruff",
    "Flake8",
    "mypy",
    "isort",
    "pre-commit",
    "RuboCop",
    "Pylint",
    "Stylelint",
    "Biome",
    "Husky",
    "PHPStan",
    "Checkstyle",
    "EditorConfig",
    "golangci-lint",
    "Clippy",
    "rustfmt",
    "Sphinx",
    "MkDocs",
    "Swagger / OpenAPI",
    "Sass",
    "PostCSS",
}

PEP503_SEPARATORS = re.compile(r"[-_.]+")


# libyaml's parser when PyYAML was built with it (about seven times faster on
# these files); the construction step stays PyYAML's safe constructor.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):
    """A safe loader that refuses a key repeated in one mapping.

    Plain ``safe_load`` silently keeps the last of two equal keys, which would
    hide a half-edited entry (two ``match`` blocks, say).
    """


def _construct_mapping_without_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_without_duplicates
)


def _load_entries() -> list[tuple[str, dict]]:
    entries: list[tuple[str, dict]] = []
    for path in sorted(CATALOGUE_DIR.glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
        assert isinstance(data, list), f"{path.name} must hold a YAML list"
        for item in data:
            entries.append((path.name, item))
    return entries


ENTRIES = _load_entries()


def _label(entry: tuple[str, dict]) -> str:
    file_name, item = entry
    name = item.get("name") if isinstance(item, dict) else None
    return f"{file_name}:{name}"


def _match_values(item: dict) -> dict[str, list[str]]:
    return item.get("match") or {}


def test_catalogue_directory_holds_one_yaml_file_per_category():
    assert {path.name for path in CATALOGUE_DIR.glob("*.yml")} == set(FILE_CATEGORIES)


def test_catalogue_names_at_least_five_hundred_and_fifty_technologies():
    assert len(ENTRIES) >= 550


def _shape_problems(item: object) -> list[str]:
    """Describe everything wrong with one entry's shape (empty when it is fine)."""
    if not isinstance(item, dict):
        return ["entry is not a mapping"]
    problems = [f"unknown key {key!r}" for key in set(item) - ENTRY_KEYS]
    for key in ("name", "category", "description"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            problems.append(f"{key} must be a non-empty trimmed string")
    homepage = item.get("homepage", "https://")
    if not isinstance(homepage, str) or not homepage.startswith("https://"):
        problems.append("homepage must be an https URL")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(
        isinstance(alias, str) and alias.strip() for alias in aliases
    ):
        problems.append("aliases must be a list of non-empty strings")
    return problems


def _match_problems(item: dict) -> list[str]:
    """Describe everything wrong with one entry's ``match`` block."""
    match = item.get("match", {})
    if not isinstance(match, dict):
        return ["match must be a mapping"]
    problems = [f"unknown match key {key!r}" for key in set(match) - MATCH_KEYS]
    for key, values in match.items():
        if not isinstance(values, list) or not values:
            problems.append(f"{key} must be a non-empty list")
            continue
        problems.extend(
            f"{key} value {value!r} must be a non-empty trimmed string"
            for value in values
            if not isinstance(value, str) or not value or value != value.strip()
        )
    return problems


def test_every_entry_has_the_required_fields_with_the_right_types():
    problems = {_label(entry): _shape_problems(entry[1]) for entry in ENTRIES}
    assert {label: found for label, found in problems.items() if found} == {}


def test_every_entry_category_is_one_of_the_known_categories():
    unknown = [_label(entry) for entry in ENTRIES if entry[1]["category"] not in CATEGORIES]
    assert unknown == []


def test_every_match_block_uses_known_keys_holding_lists_of_strings():
    problems = {_label(entry): _match_problems(entry[1]) for entry in ENTRIES}
    assert {label: found for label, found in problems.items() if found} == {}


def test_each_file_holds_only_its_own_category():
    misplaced = [
        (file_name, item["name"], item["category"])
        for file_name, item in ENTRIES
        if item["category"] != FILE_CATEGORIES[file_name]
    ]
    assert misplaced == []


def test_every_category_has_entries():
    present = {item["category"] for _, item in ENTRIES}
    assert present == CATEGORIES


def test_names_are_unique_ignoring_case():
    counts = Counter(item["name"].casefold() for _, item in ENTRIES)
    assert [name for name, count in counts.items() if count > 1] == []


def test_aliases_never_collide_with_another_skills_name_or_alias():
    owner: dict[str, str] = {}
    clashes = []
    for _, item in ENTRIES:
        spellings = {item["name"].casefold()}
        spellings.update(alias.casefold() for alias in item.get("aliases", []))
        for spelling in spellings:
            previous = owner.setdefault(spelling, item["name"])
            if previous != item["name"]:
                clashes.append((spelling, previous, item["name"]))
    assert clashes == []


def test_match_values_never_collide_across_skills_within_an_ecosystem():
    owner: dict[tuple[str, str], str] = {}
    clashes = []
    for _, item in ENTRIES:
        for key, values in _match_values(item).items():
            for value in values:
                slot = (key, value.casefold())
                previous = owner.setdefault(slot, item["name"])
                if previous != item["name"]:
                    clashes.append((key, value, previous, item["name"]))
    assert clashes == []


def test_match_values_are_not_repeated_within_one_skill():
    repeated = []
    for _, item in ENTRIES:
        for key, values in _match_values(item).items():
            folded = [value.casefold() for value in values]
            if len(folded) != len(set(folded)):
                repeated.append((item["name"], key))
    assert repeated == []


def test_pypi_names_are_pep503_normalised():
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("pypi", [])
        if value != PEP503_SEPARATORS.sub("-", value).lower()
    ]
    assert wrong == []


def _maven_value_is_well_formed(value: str) -> bool:
    # Either "group:artifact" (the artifact may end in "*", the group may not)
    # or a bare prefix of the coordinate such as "io.micronaut.*", which
    # covers every sub-group.
    if ":" not in value:
        return value.endswith("*") and "*" not in value[:-1]
    group, _, artifact = value.partition(":")
    return bool(group) and bool(artifact) and "*" not in group and ":" not in artifact


def test_maven_values_are_coordinates_or_coordinate_prefixes():
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("maven", [])
        if not _maven_value_is_well_formed(value)
    ]
    assert wrong == []


def test_github_actions_are_owner_and_repository_without_a_ref():
    pattern = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.*-]+$")
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("github_action", [])
        if not pattern.match(value)
    ]
    assert wrong == []


def test_docker_images_carry_no_tag_or_digest():
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("docker_image", [])
        if ":" in value or "@" in value
    ]
    assert wrong == []


def test_docker_images_carry_no_registry_host_or_library_prefix():
    # The engine strips "docker.io/library/", "ghcr.io/" and the like before
    # matching, so a catalogue value with a host would never match.
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("docker_image", [])
        if "." in value.split("/")[0] and "/" in value or value.startswith("library/")
    ]
    assert wrong == []


def test_the_strict_loader_rejects_a_repeated_key():
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("- name: A\n  name: B\n", Loader=_StrictLoader)


def _wildcard_misplaced(key: str, value: str) -> bool:
    # A wildcard is a trailing "*" only, in every ecosystem.
    return "*" in value.rstrip("*")


def test_wildcards_appear_only_at_the_end_of_a_value():
    wrong = [
        (key, value)
        for _, item in ENTRIES
        for key, values in _match_values(item).items()
        if key != "file"
        for value in values
        if _wildcard_misplaced(key, value)
    ]
    assert wrong == []


def test_file_signals_are_relative_posix_globs():
    wrong = [
        value
        for _, item in ENTRIES
        for value in _match_values(item).get("file", [])
        if value.startswith("/") or "\\" in value or value.startswith("./")
    ]
    assert wrong == []


def test_every_must_have_technology_is_present():
    names = {item["name"] for _, item in ENTRIES}
    assert sorted(MUST_HAVE - names) == []


def test_postgresql_drivers_map_to_the_engine():
    postgres = next(item for _, item in ENTRIES if item["name"] == "PostgreSQL")
    match = postgres["match"]
    assert {"psycopg", "psycopg2", "psycopg2-binary", "asyncpg"} <= set(match["pypi"])
    assert "pg" in match["npm"]
    assert "postgres" in match["docker_image"]


def test_every_non_language_entry_carries_a_match_signal():
    # A skill the engine can never detect is dead weight; only languages
    # (named from byte statistics elsewhere) may go without a signal.
    silent = [
        item["name"]
        for _, item in ENTRIES
        if item["category"] != "language" and not item.get("match")
    ]
    assert silent == []


def test_the_shape_check_reports_a_missing_description_and_a_plain_http_homepage():
    problems = _shape_problems({"name": "X", "category": "tool", "homepage": "http://x.test"})
    assert problems == [
        "description must be a non-empty trimmed string",
        "homepage must be an https URL",
    ]


def test_the_match_check_reports_an_unknown_key_and_a_non_string_value():
    problems = _match_problems({"match": {"pip": ["x"], "npm": [3]}})
    assert problems == ["unknown match key 'pip'", "npm value 3 must be a non-empty trimmed string"]


def test_descriptions_are_written_for_each_entry_not_copied_between_them():
    counts = Counter(item["description"] for _, item in ENTRIES)
    assert [text for text, count in counts.items() if count > 1] == []
