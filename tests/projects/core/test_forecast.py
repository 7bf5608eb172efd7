import math
from datetime import UTC, date, datetime, timedelta

from projects.core.forecast import COMPLETE, NO_HISTORY, NO_PLAN, NO_PROGRESS, Sample, forecast

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def weekly(done_per_week: list[int], total: int = 100) -> list[Sample]:
    """One snapshot a week, oldest first, each on a new commit."""
    samples, done = [Sample(NOW - timedelta(weeks=len(done_per_week)), 0, total, "c0")], 0
    for i, n in enumerate(done_per_week, 1):
        done += n
        samples.append(Sample(NOW - timedelta(weeks=len(done_per_week) - i), done, total, f"c{i}"))
    return samples


def test_velocity_is_the_average_of_the_last_four_weeks():
    result = forecast(weekly([2, 4, 6, 8]), now=NOW)
    assert result.weekly == (2.0, 4.0, 6.0, 8.0)
    assert result.velocity_per_week == 5.0
    # 80 left at 5/week: 16 weeks; fastest 8/week: 10 weeks; slowest 2/week: 40 weeks.
    assert result.projected == date(2026, 12, 4) + timedelta(weeks=16)
    assert result.earliest == date(2026, 12, 4) + timedelta(weeks=10)
    assert result.latest == date(2026, 12, 4) + timedelta(weeks=40)


def test_only_the_last_four_weeks_count():
    assert forecast(weekly([50, 1, 1, 1, 1]), now=NOW).velocity_per_week == 1.0


def test_a_reread_of_the_same_commit_moves_no_work():
    samples = weekly([2, 2])
    reread = Sample(NOW - timedelta(days=1), samples[-1].done + 30, 100, samples[-1].commit_sha)
    result = forecast([*samples, reread], now=NOW)
    assert result.velocity_per_week == 2.0


def test_no_progress_gives_no_forecast():
    result = forecast(weekly([0, 0, 0]), now=NOW)
    assert result.projected is None and result.note == NO_PROGRESS


def test_a_slowest_week_without_progress_leaves_the_latest_date_open():
    result = forecast(weekly([0, 4, 4, 4]), now=NOW)
    assert result.projected is not None and result.latest is None


def test_edge_cases_have_a_reason():
    assert forecast([], now=NOW).note == NO_PLAN
    assert forecast([Sample(NOW - timedelta(hours=1), 1, 5, "a")], now=NOW).note == NO_HISTORY
    assert forecast(weekly([50, 50]), now=NOW).note == COMPLETE


def test_folding_a_finished_phase_away_erases_no_progress():
    samples = weekly([3, 3])  # 6 of 100 done
    folded = Sample(NOW - timedelta(hours=12), 0, 94, "folded")  # the 6 done tasks removed
    assert forecast([*samples, folded], now=NOW).velocity_per_week == 3.0


def test_new_tasks_are_not_negative_progress():
    samples = weekly([2, 2])
    grown = Sample(NOW - timedelta(hours=12), samples[-1].done, 150, "grown")
    result = forecast([*samples, grown], now=NOW)
    assert result.velocity_per_week == 2.0
    assert result.projected == NOW.date() + timedelta(days=math.ceil((150 - 4) / 2 * 7))
