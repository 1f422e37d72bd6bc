"""Alert rules: CAI bands with hysteresis, night-only noise, restoring levels from the records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.records.alerts import AlertRow
from subscriptions.alerts import AlertTracker, Observation, at_night

NOON_KST = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
MIDNIGHT_KST = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 00:00 in Seoul


def states(tracker: AlertTracker, data_type: str, values: list[float], at: datetime) -> list[str]:
    changes = []
    for step, value in enumerate(values):
        reading = Observation("s-1", "11680", at + timedelta(minutes=2 * step), {data_type: value})
        changes += [f"{a.state}:{a.severity}" for a in tracker.observe(reading)]
    return changes


def test_a_value_flapping_at_the_limit_raises_once_and_clears_once() -> None:
    tracker = AlertTracker()
    flapping = [30, 36, 35, 37, 34, 36, 33, 35, 30]
    assert states(tracker, "pm25", flapping, NOON_KST) == ["raised:warning", "cleared:warning"]


def test_bands_escalate_and_ease() -> None:
    tracker = AlertTracker()
    assert states(tracker, "pm25", [20, 80, 70, 65, 40, 10], NOON_KST) == [
        "raised:critical",
        "eased:warning",
        "cleared:warning",
    ]
    assert states(tracker, "pm10", [90, 160], NOON_KST) == ["raised:warning", "escalated:critical"]


def test_noise_alerts_only_at_night() -> None:
    tracker = AlertTracker()
    assert states(tracker, "noise", [70, 75], NOON_KST) == []
    assert states(tracker, "noise", [50, 58], MIDNIGHT_KST) == [
        "raised:warning",
        "escalated:critical",
    ]
    assert at_night(MIDNIGHT_KST)
    assert not at_night(NOON_KST)


def test_untracked_data_types_raise_nothing() -> None:
    assert states(AlertTracker(), "humidity", [100, 0, 100], NOON_KST) == []


def test_levels_resume_from_the_last_alert_of_each_sensor() -> None:
    tracker = AlertTracker()
    tracker.restore(
        [AlertRow("s-1", "11680", "pm25", "critical", "raised", 90.0, 76.0, "CAI", NOON_KST)]
    )
    later = NOON_KST + timedelta(minutes=2)
    assert states(tracker, "pm25", [80], later) == []  # still critical: nothing new
    assert states(tracker, "pm25", [10], later + timedelta(minutes=2)) == ["cleared:critical"]


def test_a_reading_not_newer_than_the_last_one_changes_no_level() -> None:
    # given: a warning raised by the 12:02 reading
    tracker = AlertTracker()
    assert states(tracker, "pm25", [20, 40], NOON_KST) == ["raised:warning"]
    # when: readings from before it arrive, clean ones
    backfill = states(tracker, "pm25", [5, 5, 5], NOON_KST - timedelta(hours=1))
    # then: the warning stands; the next live reading still clears it
    assert backfill == []
    assert tracker.levels[("s-1", "pm25")] == 1
    assert states(tracker, "pm25", [5], NOON_KST + timedelta(minutes=4)) == ["cleared:warning"]


def test_a_restored_level_is_not_cleared_by_a_reading_older_than_its_alert() -> None:
    tracker = AlertTracker()
    tracker.restore(
        [AlertRow("s-1", "11680", "pm25", "warning", "raised", 40.0, 36.0, "CAI", NOON_KST)]
    )
    assert states(tracker, "pm25", [5], NOON_KST - timedelta(days=4)) == []
    assert tracker.levels[("s-1", "pm25")] == 1
