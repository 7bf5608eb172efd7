from pathlib import Path

import pytest

from skills.core.catalogue import (
    CatalogueError,
    cached_catalogue,
    load_catalogue,
    normalise_name,
)

FIXTURE = Path(__file__).parent / "catalogue_fixture"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(FIXTURE)


def write(tmp_path, text):
    path = tmp_path / "cat.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("ecosystem", "raw", "expected"),
    [
        ("pypi", "Django", "Django"),
        ("pypi", "DJANGO", "Django"),
        ("pypi", "psycopg2_binary", "PostgreSQL"),
        ("npm", "@nestjs/core", "NestJS"),
        ("npm", "@NestJS/Testing", "NestJS"),
        ("maven", "org.springframework.boot:spring-boot-starter-web", "Spring Boot"),
        (
            "maven",
            "org.springframework.boot:spring-boot-starter-security",
            "Spring Security",
        ),
        ("gradle_plugin", "org.springframework.boot", "Spring Boot"),
        ("go", "github.com/gin-gonic/gin", "Gin"),
        ("go", "github.com/gin-gonic/gin/binding", "Gin"),
        ("nuget", "Microsoft.AspNetCore.Mvc", "ASP.NET Core"),
        ("docker_image", "postgres:16-alpine", "PostgreSQL"),
        ("docker_image", "docker.io/library/postgres", "PostgreSQL"),
        ("docker_image", "bitnami/redis:7", "Redis"),
        ("docker_image", "quay.io/someone/redis@sha256:abc", "Redis"),
        ("github_action", "actions/setup-python@v5", "Python"),
        ("github_action", "github/codeql-action/init@v3", "CodeQL"),
        ("terraform_provider", "hashicorp/aws", "AWS"),
        ("terraform_provider", "registry.terraform.io/hashicorp/aws", "AWS"),
        ("apt", "libpq-dev", "PostgreSQL"),
        ("skill", "rails", "Ruby on Rails"),
        ("skill", "docker compose", "Docker Compose"),
    ],
)
def test_match_resolves_names_case_insensitively_with_wildcards(
    catalogue, ecosystem, raw, expected
):
    skill = catalogue.match(ecosystem, raw)
    assert skill is not None and skill.name == expected


@pytest.mark.parametrize(
    ("ecosystem", "raw"),
    [
        ("pypi", "djangorestframework"),
        ("npm", "@nestjsx/crud"),
        ("go", "github.com/gin-gonic/ginx"),
        ("docker_image", "mongo"),
        ("cargo", "serde"),
        ("unknown", "django"),
    ],
)
def test_match_returns_none_for_names_not_catalogued(catalogue, ecosystem, raw):
    assert catalogue.match(ecosystem, raw) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", {"Docker"}),
        ("deploy/Dockerfile.prod", {"Docker"}),
        ("docker-compose.override.yml", {"Docker Compose"}),
        (".github/workflows/ci.yml", {"GitHub Actions"}),
        ("infra/main.tf", {"Terraform"}),
        ("web/yarn.lock", {"Yarn"}),
        ("src/main.py", set()),
        ("docs/workflows/ci.yml", set()),
    ],
)
def test_match_file_applies_name_extension_and_path_globs(catalogue, path, expected):
    assert {s.name for s in catalogue.match_file(path)} == expected


def test_pypi_names_are_normalised_as_pep_503():
    assert normalise_name("pypi", "Zope.Interface__Extra") == "zope-interface-extra"


def test_unknown_category_is_rejected_with_the_entry_named(tmp_path):
    path = write(tmp_path, "- name: Foo\n  category: gadgets\n")
    with pytest.raises(CatalogueError, match="Foo"):
        load_catalogue(path)


def test_unknown_match_key_is_rejected(tmp_path):
    path = write(tmp_path, "- name: Foo\n  category: tool\n  match:\n    pip: [foo]\n")
    with pytest.raises(CatalogueError, match="unknown match keys"):
        load_catalogue(path)


def test_match_values_must_be_lists_of_strings(tmp_path):
    path = write(tmp_path, "- name: Foo\n  category: tool\n  match:\n    pypi: foo\n")
    with pytest.raises(CatalogueError, match="list of non-empty strings"):
        load_catalogue(path)


def test_a_file_that_is_not_a_list_is_rejected(tmp_path):
    path = write(tmp_path, "name: Foo\n")
    with pytest.raises(CatalogueError, match="expected a list"):
        load_catalogue(path)


def test_a_name_claimed_twice_is_listed_as_a_conflict_and_the_first_wins(tmp_path):
    path = write(
        tmp_path,
        "- name: Foo\n  category: tool\n  match: {pypi: [foo]}\n"
        "- name: Bar\n  category: tool\n  aliases: [foo]\n  match: {pypi: [Foo]}\n",
    )
    catalogue = load_catalogue(path)
    assert catalogue.match("pypi", "foo").name == "Foo"
    assert catalogue.by_name("foo").name == "Foo"
    assert len(catalogue.conflicts) == 2


def test_cached_catalogue_reloads_only_when_a_file_changes(tmp_path):
    path = write(tmp_path, "- name: Foo\n  category: tool\n")
    first = cached_catalogue(path)
    assert cached_catalogue(path) is first
    import os

    path.write_text("- name: Foo\n  category: tool\n- name: Bar\n  category: tool\n")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    assert len(cached_catalogue(path)) == 2


def test_the_shipped_catalogue_loads_without_conflicts():
    catalogue = cached_catalogue()
    assert len(catalogue) > 100
    assert catalogue.conflicts == []
