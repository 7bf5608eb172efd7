"""Versions from lock files and toolchain version files, shown as people write them."""

import json

import pytest

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from skills.core.manifests import locks

GEMFILE = 'source "https://rubygems.org"\ngem "rails", "~> 7.2.2"\ngem "pg"\n'
GEMFILE_LOCK = """\
GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.2.2.1)
      rack (>= 2.2.4)
    pg (1.5.9)
    rails (7.2.2.1)
      actionpack (= 7.2.2.1)
    sidekiq (7.3.0)

PLATFORMS
  ruby

BUNDLED WITH
   2.5.22
"""


def skills(files):
    return {
        s.name: s for s in extract_skills(MemorySource(files), catalogue=cached_catalogue()).skills
    }


def test_gemfile_lock_gives_the_resolved_version_and_names_nothing_by_itself():
    found = skills({"Gemfile": GEMFILE, "Gemfile.lock": GEMFILE_LOCK, "app/x.rb": "class X; end\n"})
    assert found["Ruby on Rails"].version == "7.2.2.1"
    assert "Sidekiq" not in found  # locked (transitively) but not declared
    assert "Bundler" in found


def test_package_lock_versions_for_declared_packages():
    package = json.dumps({"dependencies": {"react": "^18.2.0"}})
    lock = json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"dependencies": {"react": "^18.2.0"}},
                "node_modules/a/node_modules/react": {"version": "16.14.0"},
                "node_modules/react": {"version": "18.3.1"},
                "node_modules/lodash": {"version": "4.17.21"},
                "node_modules/x/node_modules/react": {"version": "17.0.2"},
            },
        },
        indent=2,
    )
    found = skills(
        {"package.json": package, "package-lock.json": lock, "src/a.js": "import 'react'\n"}
    )
    assert found["React"].version == "18.3.1"
    assert "Lodash" not in found


@pytest.mark.parametrize(
    ("name", "text", "version"),
    [
        ("poetry.lock", '[[package]]\nname = "Django"\nversion = "5.0.6"\n', ("Django", "5.0.6")),
        ("Cargo.lock", '[[package]]\nname = "serde"\nversion = "1.0.210"\n', ("serde", "1.0.210")),
        (
            "composer.lock",
            '{"packages": [{"name": "laravel/framework", "version": "v11.9.2"}]}',
            ("laravel/framework", "11.9.2"),
        ),
        ("yarn.lock", '"@nestjs/core@^10.0.0":\n  version "10.3.8"\n', ("@nestjs/core", "10.3.8")),
    ],
)
def test_each_lock_format_yields_exact_versions(name, text, version):
    deps = locks.parse_lock(name, text.encode())
    assert [(d.name, d.spec, d.kind) for d in deps][:1] == [(*version, "lock")]


@pytest.mark.parametrize(
    ("path", "text", "skill", "version", "code"),
    [
        (".ruby-version", "ruby-3.3.0\n", "Ruby", "3.3.0", ("a.rb", "x = 1\n")),
        (".python-version", "3.12.4\n", "Python", "3.12.4", ("a.py", "x = 1\n")),
        (".nvmrc", "v20.11.1\n", "Node.js", "20.11.1", ("a.js", "let x = 1\n")),
        (".nvmrc", "lts/iron\n", "Node.js", "lts/iron", ("a.js", "let x = 1\n")),
        (
            "rust-toolchain.toml",
            '[toolchain]\nchannel = "1.78.0"\n',
            "Rust",
            "1.78.0",
            ("a.rs", "fn main() {}\n"),
        ),
        (
            "global.json",
            '{"sdk": {"version": "8.0.100"}}',
            ".NET",
            "8.0.100",
            ("a.cs", "class A {}\n"),
        ),
    ],
)
def test_toolchain_version_files(path, text, skill, version, code):
    found = skills({path: text, code[0]: code[1]})
    assert found[skill].version == version


def test_an_image_tag_like_latest_is_not_a_version():
    compose = "services:\n  db:\n    image: postgres:latest\n  cache:\n    image: redis:alpine\n"
    found = skills({"docker-compose.yml": compose})
    assert (found["PostgreSQL"].version, found["Redis"].version) == ("", "")
