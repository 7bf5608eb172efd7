import pytest

from skills.core.manifests import php, ruby
from skills.core.manifests.types import ManifestError


def test_gemfile_reads_every_quoting_style_and_dev_groups():
    text = b"""source "https://rubygems.org"
ruby "3.3.1"
gem "rails", "~> 7.1"
gem 'pg', '>= 1.1', '< 2.0'
gem %q(sidekiq)
gem %q{puma}, require: false
gem :bootsnap
gem "rubocop", group: :development
platforms :jruby do
  gem "jdbc-postgres"
end
group :development, :test do
  gem "rspec-rails" # tests
end
group :production do
  gem "lograge"
end
"""
    deps = ruby.parse("Gemfile", text)
    gems = {d.name: d for d in deps if d.ecosystem == "gem"}
    assert list(gems) == [
        "rails",
        "pg",
        "sidekiq",
        "puma",
        "bootsnap",
        "rubocop",
        "jdbc-postgres",
        "rspec-rails",
        "lograge",
    ]
    assert gems["pg"].spec == ">= 1.1, < 2.0"
    assert gems["rails"].line == 3
    assert {n for n, d in gems.items() if d.kind == "dev"} == {"rubocop", "rspec-rails"}
    assert ("skill", "Ruby", "3.3.1") in {(d.ecosystem, d.name, d.spec) for d in deps}


def test_gemspec_reads_runtime_and_development_dependencies():
    text = b"""Gem::Specification.new do |spec|
  spec.add_dependency "activesupport", ">= 6"
  spec.add_runtime_dependency('nokogiri')
  spec.add_development_dependency "rspec", "~> 3.0"
end
"""
    deps = ruby.parse("x.gemspec", text)
    assert [(d.name, d.kind) for d in deps] == [
        ("activesupport", "runtime"),
        ("nokogiri", "runtime"),
        ("rspec", "dev"),
    ]


def test_composer_json_reads_require_and_require_dev_without_platform_packages():
    text = b"""{
  "require": {"php": "^8.2", "ext-pdo": "*", "laravel/framework": "^11.0"},
  "require-dev": {"phpunit/phpunit": "^11"}
}"""
    deps = php.parse("composer.json", text)
    got = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert got == {
        ("skill", "Composer", "build"),
        ("skill", "PHP", "config"),
        ("composer", "laravel/framework", "runtime"),
        ("composer", "phpunit/phpunit", "dev"),
    }


def test_composer_json_with_a_list_for_require_is_reported():
    with pytest.raises(ManifestError, match="require"):
        php.parse("composer.json", b'{"require": ["laravel/framework"]}')
