"""Placing progress snapshots on the small inline SVG chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projects.core.progress_chart import build_progress_chart

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_no_samples_give_an_empty_chart():
    assert build_progress_chart([]).is_empty


def test_time_runs_left_to_right_and_100_percent_is_at_the_top():
    chart = build_progress_chart(
        [(T0, 0.0), (T0 + timedelta(days=1), 100.0)], width=100, height=50, pad=0
    )
    assert chart.polyline == "0.0,50.0 100.0,0.0"


def test_points_are_spaced_by_real_time_gaps():
    samples = [(T0, 10.0), (T0 + timedelta(hours=1), 20.0), (T0 + timedelta(hours=4), 30.0)]
    chart = build_progress_chart(samples, width=100, height=50, pad=0)
    assert [p.x for p in chart.points] == [0.0, 25.0, 100.0]


def test_a_single_sample_sits_in_the_middle():
    chart = build_progress_chart([(T0, 50.0)], width=100, height=50, pad=0)
    assert (chart.points[0].x, chart.points[0].y) == (50.0, 25.0)


def test_out_of_range_percentages_are_clamped_inside_the_box():
    chart = build_progress_chart(
        [(T0, -5.0), (T0 + timedelta(1), 150.0)], width=100, height=50, pad=0
    )
    assert [p.y for p in chart.points] == [50.0, 0.0]


def test_label_margins_shift_the_plot_area():
    chart = build_progress_chart(
        [(T0, 0.0), (T0 + timedelta(1), 100.0)], width=100, height=50, pad=5, left=20, bottom=10
    )
    assert (chart.left, chart.right, chart.top, chart.bottom) == (20, 95, 5, 40)
    assert chart.polyline == "20.0,40.0 95.0,5.0"
