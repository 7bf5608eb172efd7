"""Every plan in the corpus yields the counts written by hand in expected.yml."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm
import pytest
import yaml

from projects.core.plan_discovery import load_plan
from projects.core.plan_parser import parse_plan
from projects.core.progress import compute_progress
from projects.core.source import DirectorySource

PLANS = Path(__file__).parent / "plans"
EXPECTED = yaml.safe_load((PLANS / "expected.yml").read_text(encoding="utf-8"))
COUNT_KEYS = ("total", "done", "doing", "blocked", "todo")


def _load(name: str):
    path = PLANS / name
    if path.is_dir():
        return load_plan(DirectorySource(path)).plan
    return parse_plan(path.read_text(encoding="utf-8"), source_path=name)


def test_corpus_holds_at_least_thirty_plans():
    assert len(EXPECTED) >= 30
    on_disk = {p.name for p in PLANS.iterdir() if p.name != "expected.yml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plan_yields_the_expected_counts(name):
    expected = EXPECTED[name]
    progress = compute_progress(_load(name))
    got = {key: getattr(progress, key) for key in COUNT_KEYS}
    assert got == {key: expected[key] for key in COUNT_KEYS}
    assert len(progress.phases) == expected["phases"]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e.get("gfm_only")))
def test_checkbox_only_plan_counts_as_github_does(name):
    text = (PLANS / name).read_text(encoding="utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    assert len(parse_plan(text, source_path=name).tasks) == html.count('type="checkbox"')


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "warnings" in e))
def test_each_counting_rule_explains_itself_in_the_warnings(name):
    warnings = list(_load(name).warnings)
    assert len(warnings) == len(EXPECTED[name]["warnings"]), warnings
    for expected, got in zip(EXPECTED[name]["warnings"], warnings, strict=True):
        assert got.startswith(name + expected), (expected, got)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".md")))
def test_every_difference_from_github_comes_with_a_warning(name):
    text = (PLANS / name).read_text(encoding="utf-8")
    github = cmarkgfm.github_flavored_markdown_to_html(text).count('type="checkbox"')
    plan = parse_plan(text, source_path=name)
    if len(plan.tasks) != github:
        assert plan.warnings, f"{name}: {len(plan.tasks)} tasks, GitHub {github}, no warning"
