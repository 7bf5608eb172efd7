"""The small display filters used by the project pages."""

from __future__ import annotations

import pytest

from projects.templatetags import repotrackr_ui as f


@pytest.mark.parametrize(
    ("value", "text"), [(42.46, "42.5 %"), (100.0, "100 %"), (0, "0 %"), (None, "–"), ("x", "–")]
)
def test_pct_formats_percentages_for_people(value, text):
    assert f.pct(value) == text


@pytest.mark.parametrize(
    ("value", "css"), [(50, "50.0%"), (-3, "0.0%"), (250, "100.0%"), ("1;color:red", "0.0%")]
)
def test_bar_width_is_always_a_clamped_number(value, css):
    assert f.bar_width(value) == css


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.92, "high (92 %)"), (0.5, "medium (50 %)"), (0.1, "low (10 %)"), (None, "unknown")],
)
def test_confidence_reads_as_words_and_percentage(value, text):
    assert f.confidence(value) == text


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ({"file": "pyproject.toml", "line": 7}, "pyproject.toml:7"),
        ({"file": "setup.cfg"}, "setup.cfg"),
        ({"file": "a.yml", "line": 2, "detail": "image postgres"}, "a.yml:2 (image postgres)"),
        ("Dockerfile", "Dockerfile"),
    ],
)
def test_evidence_label_reads_dicts_and_strings(item, text):
    assert f.evidence_label(item) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.42, "0.4 s"), (75, "1 min 15 s"), (3725, "1 h 2 min"), (None, "–")]
)
def test_duration_is_short_and_readable(seconds, text):
    assert f.duration(seconds) == text


def test_indent_is_capped_for_deep_nesting():
    assert (f.indent(0), f.indent(2), f.indent(50)) == ("0.00rem", "2.50rem", "10.00rem")
