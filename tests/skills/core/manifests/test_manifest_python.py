import pytest

from skills.core.manifests import python
from skills.core.manifests.types import ManifestError


def by_name(deps):
    return {d.name: d for d in deps}


def test_requirement_lines_keep_extras_markers_bounds_and_urls_from_hiding_names():
    text = (
        "# comment\n"
        "Django[argon2]>=5.0,<5.1  # inline\n"
        'psycopg[binary]>=3.1 ; python_version >= "3.10"\n'
        "requests @ https://example.com/requests-2.0.tar.gz\n"
        "git+https://github.com/org/celery.git@main#egg=celery\n"
        "-e git+https://github.com/org/thing.git#egg=thing-lib\n"
        "--index-url https://pypi.example.com/simple\n"
        "numpy==1.26.4 \\\n"
        "    --hash=sha256:abc\n"
        "-e .\n"
    )
    deps = by_name(python.parse("requirements.txt", text.encode()))
    assert set(deps) == {
        "Django",
        "psycopg",
        "requests",
        "celery",
        "thing-lib",
        "numpy",
    }
    assert deps["Django"].spec == "<5.1,>=5.0"
    assert deps["Django"].line == 2
    assert deps["numpy"].line == 8
    assert all(d.kind == "runtime" for d in deps.values())


def test_includes_are_followed_within_the_source_and_cycles_stop():
    files = {
        "reqs/base.txt": b"django==5.0\n-r dev.txt\n",
        "reqs/dev.txt": b"-r base.txt\npytest\n",
    }
    deps = python.parse("requirements-dev.txt", b"-r reqs/dev.txt\n", read_include=files.get)
    assert {(d.name, d.file) for d in deps} == {
        ("django", "reqs/base.txt"),
        ("pytest", "reqs/dev.txt"),
    }
    assert {d.name: d.kind for d in deps}["pytest"] == "dev"


def test_an_include_escaping_the_repository_is_ignored():
    seen = []
    deps = python.parse(
        "requirements.txt",
        b"-r ../../etc/passwd\nflask\n",
        read_include=lambda p: seen.append(p),
    )
    assert [d.name for d in deps] == ["flask"]
    assert seen == []


def test_a_dev_named_requirements_file_gives_dev_dependencies():
    deps = python.parse("requirements/test.txt", b"pytest==8.0\n")
    assert deps[0].kind == "dev"


def test_a_requirements_file_with_no_valid_line_is_malformed():
    with pytest.raises(ManifestError):
        python.parse("requirements.txt", b"this is not ] a requirement\n<<<>>>\n")


def test_pyproject_reads_pep621_groups_build_backend_and_tool_sections():
    text = b"""
[project]
name = "x"
dependencies = ["fastapi[all]>=0.110", "SQLAlchemy<3"]
[project.optional-dependencies]
test = ["pytest>=8"]
postgres = ["psycopg"]
[dependency-groups]
lint = ["ruff"]
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[tool.ruff]
line-length = 100
[tool.pytest.ini_options]
addopts = "-q"
"""
    deps = python.parse("pyproject.toml", text)
    kinds = {(d.name, d.kind) for d in deps}
    assert ("fastapi", "runtime") in kinds
    assert ("SQLAlchemy", "runtime") in kinds
    assert ("pytest", "dev") in kinds
    assert ("psycopg", "runtime") in kinds
    assert ("ruff", "dev") in kinds
    assert ("hatchling", "build") in kinds
    assert ("ruff", "config") in kinds and ("pytest", "config") in kinds
    assert next(d for d in deps if d.name == "fastapi").line == 4


def test_pyproject_reads_poetry_and_pdm_tables():
    text = b"""
[tool.poetry.dependencies]
python = "^3.12"
Django = "^5.0"
uvicorn = {extras = ["standard"], version = "^0.29"}
[tool.poetry.group.dev.dependencies]
pytest = "^8"
[tool.pdm.dev-dependencies]
lint = ["black>=24"]
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
"""
    deps = python.parse("pyproject.toml", text)
    kinds = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert ("pypi", "Django", "runtime") in kinds
    assert ("pypi", "uvicorn", "runtime") in kinds
    assert ("pypi", "pytest", "dev") in kinds
    assert ("pypi", "black", "dev") in kinds
    assert ("skill", "Python", "config") in kinds
    assert ("pypi", "poetry", "config") in kinds
    assert next(d for d in deps if d.name == "uvicorn").spec == "^0.29"


def test_invalid_toml_is_malformed_with_a_reason():
    with pytest.raises(ManifestError, match="invalid TOML"):
        python.parse("pyproject.toml", b"[project\nname = 1")


def test_setup_cfg_reads_install_requires_extras_and_tool_sections():
    text = b"""
[options]
install_requires =
    requests>=2
    click
[options.extras_require]
dev = pytest
[flake8]
max-line-length = 100
"""
    deps = python.parse("setup.cfg", text)
    assert {(d.name, d.kind) for d in deps} == {
        ("requests", "runtime"),
        ("click", "runtime"),
        ("pytest", "dev"),
        ("flake8", "config"),
        ("setuptools", "build"),
    }


def test_pipfile_reads_packages_and_dev_packages():
    text = b'[packages]\nflask = "*"\n[dev-packages]\npytest = ">=8"\n[requires]\npython_version = "3.12"\n'
    deps = python.parse("Pipfile", text)
    kinds = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert {
        ("pypi", "flask", "runtime"),
        ("pypi", "pytest", "dev"),
        ("skill", "Pipenv", "config"),
    } <= kinds


def test_environment_yml_reads_conda_and_pip_lists():
    text = b"dependencies:\n  - python=3.12\n  - conda-forge::numpy>=1.26\n  - pip:\n      - seaborn==0.13\n"
    deps = python.parse("environment.yml", text)
    assert {(d.ecosystem, d.name) for d in deps} == {
        ("skill", "Conda"),
        ("skill", "Python"),
        ("pypi", "numpy"),
        ("pypi", "seaborn"),
    }
