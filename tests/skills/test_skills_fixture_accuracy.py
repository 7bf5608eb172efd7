"""Precision and recall of the extraction over the real fixture trees, with the shipped catalogue.

Each fixture's ``expected.yml`` lists every skill an engineer reading the
tree would name. Over all fixtures together, at least 95 % of what we
report must be expected (precision) and at least 95 % of what is expected
must be reported (recall).
"""

from pathlib import Path

import pytest
import yaml

from projects.core.source import DirectorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills

FIXTURES = Path(__file__).parent / "fixtures"
TREES = sorted(p for p in FIXTURES.iterdir() if (p / "expected.yml").is_file())


def found_and_expected(tree: Path) -> tuple[set[str], set[str]]:
    expected = set(yaml.safe_load((tree / "expected.yml").read_text())["skills"])
    result = extract_skills(DirectorySource(tree), catalogue=cached_catalogue())
    return {s.name for s in result.skills}, expected


def test_there_are_twelve_fixture_trees():
    assert [t.name for t in TREES] == [
        "android_app",
        "django_app",
        "django_vendored",
        "go_service",
        "laravel_app",
        "ml_research",
        "monorepo",
        "nextjs_app",
        "rails_app",
        "rust_crate",
        "spring_boot_app",
        "terraform_k8s",
    ]


def test_expected_names_all_exist_in_the_catalogue():
    catalogue = cached_catalogue()
    missing = {
        (tree.name, name)
        for tree in TREES
        for name in yaml.safe_load((tree / "expected.yml").read_text())["skills"]
        if catalogue.by_name(name) is None
    }
    assert sorted(missing) == []


def test_each_rule_s_fixture_names_nothing_it_does_not_use():
    # The trees built for the evidence rules: a wrong name there is the rule broken.
    for name, absent in [
        ("android_app", {"Java", "Prolog"}),
        ("django_vendored", {"Less", "Make", "setuptools", "Sprockets"}),
        ("ml_research", {"Jupyter Notebook"}),
    ]:
        found, _ = found_and_expected(FIXTURES / name)
        assert found & absent == set(), name


def test_precision_and_recall_over_all_fixtures_are_at_least_95_percent():
    true_positives = reported = expected_total = 0
    misses: list[str] = []
    extras: list[str] = []
    for tree in TREES:
        found, expected = found_and_expected(tree)
        true_positives += len(found & expected)
        reported += len(found)
        expected_total += len(expected)
        misses += [f"{tree.name}: {n}" for n in sorted(expected - found)]
        extras += [f"{tree.name}: {n}" for n in sorted(found - expected)]
    precision = true_positives / reported
    recall = true_positives / expected_total
    assert precision >= 0.95, f"precision {precision:.3f}; not expected: {extras}"
    assert recall >= 0.95, f"recall {recall:.3f}; missed: {misses}"


@pytest.mark.parametrize("tree", TREES, ids=lambda t: t.name)
def test_each_fixture_reads_every_manifest_without_skipping_any(tree):
    result = extract_skills(DirectorySource(tree), catalogue=cached_catalogue())
    assert result.manifests_skipped == ()
    # The research tree has no manifest at all: its skills come from imports.
    assert bool(result.manifests_read) == (tree.name != "ml_research")
