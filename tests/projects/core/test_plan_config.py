"""repotrackr.yml: validated values, clear errors, no YAML bombs."""

from __future__ import annotations

import pytest

from projects.core.plan_config import MAX_CONFIG_BYTES, PlanConfigError, parse_plan_config
from projects.core.plan_model import BLOCKED, DOING, DONE, TODO


def test_full_config_is_read():
    config = parse_plan_config(
        "plan_paths: [planning/, docs/extra.md]\n"
        "status_markers:\n  checkboxes: {'?': blocked}\n  emoji: {'🟢': done}\n  '[>]': doing\n"
        "stale_after_days: 30\nthresholds: {green: 80, yellow: '40%'}\n"
    )
    assert config.plan_paths == ("planning/", "docs/extra.md")
    assert config.markers.checkboxes["?"] == BLOCKED
    assert config.markers.checkboxes[">"] == DOING
    assert config.markers.checkboxes["x"] == DONE  # defaults stay
    assert config.markers.emoji["🟢"] == DONE
    assert (config.stale_after_days, config.green_at, config.yellow_at) == (30, 80.0, 40.0)


def test_empty_file_is_an_empty_config():
    config = parse_plan_config("")
    assert config.plan_paths == () and config.stale_after_days is None and config.green_at is None


def test_single_plan_path_string_is_accepted():
    assert parse_plan_config("plan_paths: docs/roadmap.md\n").plan_paths == ("docs/roadmap.md",)


def test_unknown_keys_are_warnings_not_errors():
    config = parse_plan_config("plan_pahts: [x.md]\n")
    assert "plan_pahts" in config.warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "top level must be a mapping"),
        ("plan_paths: 3\n", "plan_paths must be"),
        ("stale_after_days: 0\n", "stale_after_days"),
        ("stale_after_days: true\n", "stale_after_days"),
        ("stale_after_days: ten\n", "stale_after_days"),
        ("thresholds: {green: 120}\n", "thresholds.green"),
        ("thresholds: {green: 20, yellow: 40}\n", "yellow may not be above"),
        ("thresholds: {red: 5}\n", "unknown key"),
        ("status_markers: {'[?]': maybe}\n", "must map to one of"),
        ("status_markers: {checkboxes: {'ab': done}}\n", "one character"),
        ("plan_paths: [a\n", "line"),
        ("x: !!python/object:os.system {}\n", "repotrackr.yml"),
    ],
)
def test_invalid_config_raises_a_clear_error(text, message):
    with pytest.raises(PlanConfigError, match=message) as info:
        parse_plan_config(text, source_path="repotrackr.yml")
    assert str(info.value).startswith("repotrackr.yml: ")


def test_yaml_anchors_are_accepted_and_an_alias_bomb_is_refused():
    config = parse_plan_config("x: &paths [plan.md]\nplan_paths: *paths\n")
    assert config.plan_paths == ("plan.md",)
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"b{i}: &b{i} [{', '.join([('*a' if i == 0 else f'*b{i - 1}')] * 9)}]\n" for i in range(7)
    )
    with pytest.raises(PlanConfigError, match="refused as an alias bomb"):
        parse_plan_config(bomb)


def test_oversized_config_is_refused_before_parsing():
    with pytest.raises(PlanConfigError, match="larger than"):
        parse_plan_config("# " + "x" * MAX_CONFIG_BYTES + "\n")


def test_todo_marker_can_be_configured():
    assert parse_plan_config("status_markers: {'⚪': todo}\n").markers.emoji["⚪"] == TODO
