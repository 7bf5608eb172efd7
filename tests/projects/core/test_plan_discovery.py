"""load_plan over real directories: the discovery order and every refusal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from projects.core.plan_discovery import (
    PlanError,
    PlanInvalidError,
    PlanNotFoundError,
    UnsafePlanPathError,
    load_plan,
)
from projects.core.plan_model import BLOCKED
from projects.core.source import DirectorySource


def _write(root: Path, files: dict[str, str | bytes]) -> DirectorySource:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return DirectorySource(root)


def _titles(loaded) -> list[str]:
    return [t.title for t in loaded.plan.tasks]


def test_given_plan_path_wins_over_everything(tmp_path):
    source = _write(tmp_path, {"docs/plan.md": "- [ ] default\n", "my/plan.md": "- [ ] mine\n"})
    loaded = load_plan(source, plan_path="my/plan.md")
    assert (loaded.files, _titles(loaded), loaded.kind) == (("my/plan.md",), ["mine"], "file")


def test_given_folder_is_read_in_name_order(tmp_path):
    source = _write(
        tmp_path,
        {
            "planning/10-last.md": "# Last\n- [ ] c\n",
            "planning/02-second.md": "# Second\n- [ ] b\n",
            "planning/01-first.md": "# First\n- [x] a\n",
            "planning/notes.txt": "- [ ] not markdown\n",
            "planning/sub/deeper.md": "- [ ] not read\n",
        },
    )
    loaded = load_plan(source, plan_path="planning/")
    assert loaded.kind == "folder"
    assert loaded.files == ("planning/01-first.md", "planning/02-second.md", "planning/10-last.md")
    assert _titles(loaded) == ["a", "b", "c"]
    assert [t.order for t in loaded.plan.tasks] == [0, 1, 2]


def test_folder_plan_keeps_parents_pointing_into_the_right_file(tmp_path):
    source = _write(tmp_path, {"p/a.md": "- [ ] a\n", "p/b.md": "- [ ] b\n  - [ ] b1\n"})
    tasks = load_plan(source, plan_path="p").plan.tasks
    assert tasks[2].parent == 1 and tasks[2].file_path == "p/b.md"


def test_config_plan_paths_come_before_the_defaults(tmp_path):
    source = _write(
        tmp_path,
        {
            "repotrackr.yml": "plan_paths: [roadmap/q1.md, roadmap/q2.md]\nstatus_markers: {'[?]': blocked}\n",
            "roadmap/q1.md": "- [?] q1\n",
            "roadmap/q2.md": "- [ ] q2\n",
            "docs/plan.md": "- [ ] default\n",
        },
    )
    loaded = load_plan(source)
    assert _titles(loaded) == ["q1", "q2"]
    assert loaded.plan.tasks[0].status == BLOCKED


def test_hidden_config_file_is_read_too(tmp_path):
    source = _write(tmp_path, {".repotrackr.yml": "plan_paths: x.md\n", "x.md": "- [ ] x\n"})
    assert _titles(load_plan(source)) == ["x"]


def test_planning_folder_is_found_after_the_default_files(tmp_path):
    source = _write(
        tmp_path, {"docs/planning/01.md": "# One\n- [ ] a\n", "README.md": "## TODO\n- [ ] r\n"}
    )
    assert load_plan(source).kind == "folder"


def test_readme_section_is_the_last_resort_and_only_that_section_counts(tmp_path):
    readme = (
        "# Tool\n- [ ] intro\n## Roadmap 🗺️\n- [x] one\n### Later\n- [ ] two\n## License\n- [ ] no\n"
    )
    loaded = load_plan(_write(tmp_path, {"README.md": readme}))
    assert loaded.kind == "readme-section"
    assert loaded.section == "Roadmap 🗺️"
    assert _titles(loaded) == ["one", "two"]
    assert loaded.label == "README.md (section Roadmap 🗺️)"
    assert [t.line for t in loaded.plan.tasks] == [4, 6]


def test_nothing_found_lists_where_it_looked(tmp_path):
    with pytest.raises(
        PlanNotFoundError, match=r"no plan found; looked for plan, roadmap, todo"
    ) as info:
        load_plan(_write(tmp_path, {"src/main.py": "print()\n", "README.md": "# Tool\n"}))
    assert info.value.retryable is False
    assert isinstance(info.value, PlanError)


def test_missing_plan_path_is_not_found(tmp_path):
    with pytest.raises(PlanNotFoundError, match="nope.md"):
        load_plan(_write(tmp_path, {"plan.md": "- [ ] a\n"}), plan_path="nope.md")


@pytest.mark.parametrize("bad", ["../outside.md", "/etc/passwd", "docs/../../x.md", "C:/plan.md"])
def test_paths_leaving_the_repository_are_refused(tmp_path, bad):
    with pytest.raises(UnsafePlanPathError):
        load_plan(_write(tmp_path / "repo", {"plan.md": "- [ ] a\n"}), plan_path=bad)


def test_symlink_escaping_the_root_is_refused(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("- [ ] secret\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    os.symlink(outside, repo / "docs" / "plan.md")
    with pytest.raises(UnsafePlanPathError, match="symbolic link"):
        load_plan(DirectorySource(repo))
    with pytest.raises(UnsafePlanPathError):
        load_plan(DirectorySource(repo), plan_path="docs/plan.md")


def test_symlinked_folder_on_the_way_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "plan.md").write_text("- [ ] x\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside, repo / "docs")
    with pytest.raises(UnsafePlanPathError, match="docs is a symbolic link"):
        load_plan(DirectorySource(repo), plan_path="docs/plan.md")


def test_symlink_inside_a_plan_folder_is_skipped_with_a_warning(tmp_path):
    _write(tmp_path / "repo", {"planning/01.md": "- [ ] a\n"})
    os.symlink("/etc/hostname", tmp_path / "repo" / "planning" / "02.md")
    loaded = load_plan(DirectorySource(tmp_path / "repo"))
    assert _titles(loaded) == ["a"]
    assert any("02.md is a symbolic link" in w for w in loaded.warnings)


def test_binary_plan_is_refused_clearly(tmp_path):
    source = _write(tmp_path, {"docs/plan.md": b"\x89PNG\r\n\x1a\n\x00\x00binary"})
    with pytest.raises(PlanInvalidError, match="docs/plan.md is a binary file"):
        load_plan(source)


def test_plan_over_the_size_cap_is_refused(tmp_path):
    big = "- [ ] task\n" * 200_000  # 2.2 MB
    source = _write(tmp_path, {"docs/plan.md": big})
    with pytest.raises(PlanInvalidError, match="over the 2,000,000-byte limit"):
        load_plan(source)


def test_size_cap_is_a_parameter(tmp_path):
    source = _write(tmp_path, {"plan.md": "- [ ] a\n" * 10})
    with pytest.raises(PlanInvalidError, match="limit"):
        load_plan(source, max_bytes=20)


def test_invalid_utf8_is_replaced_and_reported(tmp_path):
    source = _write(tmp_path, {"plan.md": b"# Plan\n- [ ] caf\xe9 \xff\n- [x] ok\n"})
    loaded = load_plan(source)
    assert _titles(loaded) == ["caf\ufffd \ufffd", "ok"]
    assert any("not valid UTF-8" in w for w in loaded.warnings)


def test_byte_order_mark_is_ignored(tmp_path):
    source = _write(tmp_path, {"plan.md": "\ufeff# Plan\n- [ ] a\n".encode()})
    loaded = load_plan(source)
    assert loaded.plan.headings[0].text == "Plan" and _titles(loaded) == ["a"]


def test_broken_config_is_a_plan_invalid_error(tmp_path):
    source = _write(tmp_path, {"repotrackr.yml": "a: &x [*x]\n", "plan.md": "- [ ] a\n"})
    with pytest.raises(PlanInvalidError, match="repotrackr.yml: YAML alias refers"):
        load_plan(source)


def test_config_thresholds_reach_the_loaded_plan(tmp_path):
    source = _write(
        tmp_path,
        {
            "repotrackr.yml": "thresholds: {green: 90}\nstale_after_days: 3\n",
            "plan.md": "- [ ] a\n",
        },
    )
    config = load_plan(source).config
    assert (config.green_at, config.stale_after_days) == (90.0, 3)
