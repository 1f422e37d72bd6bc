"""When a reading may have been measured, and when it is still live enough to move alerts.

A reading older than the raw-reading retention (`civicgraph readings roll-up` folds those into
hourly rows) or ahead of the server's clock by more than a sensor's clock may drift is refused.
One older than the live window, or not newer than the last reading that moved a sensor's
alert level, is stored as history but never raises, eases or clears an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class RefusalCode(StrEnum):
    """Why a reading was refused (HTTP `rejected[].code`, MQTT dead letter `code`)."""

    UNKNOWN_SENSOR = "unknown_sensor"
    NOT_MEASURED = "not_measured"
    OUT_OF_RANGE = "out_of_range"
    IN_THE_FUTURE = "in_the_future"
    TOO_OLD = "too_old"
    REPEATED = "repeated"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class ReadingWindow:
    """Bounds on `measured_at` relative to the server's clock `now` (all aware datetimes)."""

    max_age: timedelta = timedelta(days=30)
    """Oldest accepted reading: CIVIC_READINGS_RETENTION_DAYS."""
    future_slack: timedelta = timedelta(minutes=5)
    """How far ahead of our clock a sensor's clock may run: CIVIC_READINGS_FUTURE_SLACK_S."""
    live: timedelta = timedelta(minutes=10)
    """Readings older than this only go into history: CIVIC_ALERTS_LIVE_WINDOW_S."""

    def refusal(self, measured_at: datetime, now: datetime) -> tuple[RefusalCode, str] | None:
        """Why a reading measured at `measured_at` cannot be stored, or None if it can.

        Works for any aware datetime (year 1 at +14:00 included): the difference of two
        aware datetimes never overflows.
        """
        age = now - measured_at
        if age < -self.future_slack:
            return RefusalCode.IN_THE_FUTURE, (
                f"measured_at is in the future (more than {_span(self.future_slack)} ahead)"
            )
        if age > self.max_age:
            return RefusalCode.TOO_OLD, (
                f"measured_at is older than the {_span(self.max_age)} raw readings are kept"
            )
        return None

    def is_live(self, measured_at: datetime, now: datetime) -> bool:
        """Recent enough to change the live alert state."""
        return now - measured_at <= self.live


def _span(span: timedelta) -> str:
    if span >= timedelta(days=1) and not span % timedelta(days=1):
        return f"{span.days} days"
    if not span % timedelta(minutes=1):
        return f"{int(span.total_seconds() // 60)} minutes"
    return f"{int(span.total_seconds())} s"
