"""Discovery on real git repositories: one test per rule of docs/plan-format.md,
"Where RepoTrackr looks"."""

from __future__ import annotations

import pytest

from projects.core.git_source import GitCommitSource
from projects.core.plan_discovery import PlanNotFoundError, load_plan
from tests.conftest import RepoBuilder

BOXES = "- [x] one\n- [ ] two\n"


@pytest.fixture
def repo_with(tmp_path):
    """Commit the given files to a fresh repository and load its plan from the commit."""
    counter = {"n": 0}

    def load(files: dict[str, str], **kwargs):
        counter["n"] += 1
        repo = RepoBuilder(tmp_path / f"r{counter['n']}")
        for path, text in files.items():
            repo.write(path, text)
        repo.commit("plan")
        with GitCommitSource(repo.bare) as source:
            return load_plan(source, **kwargs)

    return load


def _labels(loaded) -> list[str]:
    return [c.label for c in loaded.candidates]


def test_names_match_in_any_case_with_their_variants(repo_with):
    loaded = repo_with({"docs/To-Do.markdown": BOXES, "src/app.py": "print()\n"})
    assert loaded.files == ("docs/To-Do.markdown",)


@pytest.mark.parametrize("folder", ["", "docs/", "documentation/", ".github/"])
def test_plans_are_found_at_the_root_and_in_the_usual_folders(repo_with, folder):
    assert repo_with({f"{folder}ROADMAP.md": BOXES}).files == (f"{folder}ROADMAP.md",)


def test_monorepo_plans_are_found_three_folders_down_but_not_four(repo_with):
    loaded = repo_with(
        {"packages/web/app/TODO.md": BOXES, "packages/api/src/deep/er/ROADMAP.md": BOXES}
    )
    assert _labels(loaded) == ["packages/web/app/TODO.md"]


def test_at_most_twenty_candidates_are_read(repo_with):
    files = {f"services/s{i:02}/TODO.md": BOXES for i in range(30)}
    loaded = repo_with(files)
    assert len(loaded.candidates) == 20
    assert loaded.files == ("services/s00/TODO.md",)


@pytest.mark.parametrize(
    "path",
    [
        "vendor/lib/ROADMAP.md",
        "third_party/x/TODO.md",
        "node_modules/pkg/TODO.md",
        ".github/ISSUE_TEMPLATE/tasks.md",
        "tests/fixtures/plan.md",
        ".cache/plan.md",
    ],
)
def test_vendored_dependency_template_and_fixture_folders_are_never_read(repo_with, path):
    loaded = repo_with({path: BOXES, "TODO.md": "- [ ] real\n"})
    assert _labels(loaded) == ["TODO.md"]


def test_template_files_are_skipped_by_name_and_by_what_they_say(repo_with):
    loaded = repo_with(
        {
            "docs/PLAN_TEMPLATE.md": BOXES,
            "plan.md": "# Plan template\n\nCopy this file.\n\n- [ ] Phase goal\n",
            "ROADMAP.md": "- [ ] real\n",
        }
    )
    assert _labels(loaded) == ["ROADMAP.md"]
    assert "plan.md: not read: a template" in loaded.warnings


def test_the_name_outranks_the_task_count(repo_with):
    loaded = repo_with({"ROADMAP.md": BOXES, "TODO.md": BOXES * 20})
    assert loaded.files == ("ROADMAP.md",)
    assert _labels(loaded) == ["ROADMAP.md", "TODO.md"]
    assert [c.chosen for c in loaded.candidates] == [True, False]
    assert loaded.candidates[1].plan_path == "TODO.md" and loaded.candidates[1].tasks == 40


def test_the_task_count_breaks_a_tie_between_the_root_and_docs(repo_with):
    loaded = repo_with({"plan.md": BOXES, "docs/plan.md": BOXES * 3})
    assert loaded.files == ("docs/plan.md",)


def test_a_candidate_with_tasks_comes_before_one_without(repo_with):
    loaded = repo_with({"plan.md": "# Plan\n\nSee the issue tracker.\n", "TODO.md": BOXES})
    assert loaded.files == ("TODO.md",)
    assert [c.tasks for c in loaded.candidates] == [2, 0]


def test_readme_section_skips_a_table_of_contents_and_takes_the_next_with_tasks(repo_with):
    readme = (
        "# Tool\n\n## Table of contents\n\n- [Roadmap](#roadmap)\n\n"
        "## Roadmap\n\n- [Status](#status)\n- [Later](#later)\n\n"
        "## Status\n\n- [x] Parser\n- [ ] Exporter\n\n## License\n\nMIT\n"
    )
    loaded = repo_with({"README.md": readme})
    assert (loaded.kind, loaded.section) == ("readme-section", "Status")
    assert len(loaded.plan.tasks) == 2
    assert any("section 'Roadmap' (line 7): a table of contents" in w for w in loaded.warnings)


def test_a_features_section_counts_only_with_checkboxes(repo_with):
    emoji = "# Tool\n\n## Features\n\n- ✅ Fast\n- ✅ Small\n\n## Usage\n\nRun it.\n"
    with pytest.raises(PlanNotFoundError):
        repo_with({"README.md": emoji})
    boxes = "# Tool\n\n## Features\n\n- [x] Import\n- [ ] Export\n"
    assert repo_with({"README.md": boxes}).section == "Features"


def test_the_whole_readme_is_read_when_its_plan_section_has_no_tasks(repo_with):
    readme = (
        "# Tool\n\n## Roadmap\n\nSee the milestones on the tracker.\n\n"
        "## Parser\n\n- [x] Lexer\n- [ ] Grammar\n\n## Output\n\n- [ ] HTML\n"
    )
    loaded = repo_with({"README.md": readme})
    assert loaded.kind == "readme" and len(loaded.plan.tasks) == 3
    assert loaded.candidates[0].plan_path == "README.md"


def test_planning_folder_leaves_out_its_index_and_templates_and_says_so(repo_with):
    loaded = repo_with(
        {
            "planning/README.md": "# Phases\n\n- [x] [Setup](01-setup.md)\n- [ ] [Core](02-core.md)\n",
            "planning/00-overview-of-phases.md": "See 01-setup.md and 02-core.md.\n- [ ] x\n",
            "planning/01-setup.md": "# Setup\n\n- [x] Repo\n- [x] CI\n",
            "planning/02-core.md": "# Core\n\n- [ ] Model\n",
            "planning/phase-template.md": "# Phase N\n\n- [ ] Goal\n",
            "planning/03-next.md": "<!-- This is a template: copy it -->\n# Next\n- [ ] a\n",
        }
    )
    assert loaded.kind == "folder" and loaded.label == "planning/"
    assert loaded.files == ("planning/01-setup.md", "planning/02-core.md")
    assert len(loaded.plan.tasks) == 3
    assert "planning/README.md: not counted: index of the phases" in loaded.warnings
    assert "planning/00-overview-of-phases.md: not counted: index of the phases" in loaded.warnings
    assert "planning/phase-template.md: not counted: template" in loaded.warnings
    assert "planning/03-next.md: not counted: template" in loaded.warnings
    assert loaded.candidates[0].plan_path == "planning/"


def test_a_hidden_planning_folder_holds_plan_files_too(repo_with):
    loaded = repo_with({".planning/ROADMAP.md": BOXES, ".cache/ROADMAP.md": BOXES})
    assert _labels(loaded) == [".planning/ROADMAP.md"]


def test_a_plans_folder_two_levels_down_is_read_as_phase_files(repo_with):
    loaded = repo_with(
        {
            "Plans/subplans/phase-1-setup.md": "# Setup\n- [x] a\n",
            "Plans/subplans/phase-2-core.md": "# Core\n- [ ] b\n",
            "Plans/subplans/TEMPLATE.md": "# Phase N\n- [ ] goal\n",
        }
    )
    assert loaded.label == "Plans/subplans/" and len(loaded.plan.tasks) == 2


def test_a_root_file_titled_as_a_roadmap_is_a_candidate(repo_with):
    loaded = repo_with(
        {"CHANGELOG.md": "# Project roadmap / changelog\n\n- [x] a\n- [ ] b\n", "NOTES.md": BOXES}
    )
    assert _labels(loaded) == ["CHANGELOG.md"]
