"""The time window of an aggregate over readings (`Sensor.readings`, `districtReadings`):
one set of checks, so every field bucketing readings refuses the same windows the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info

MAX_BUCKETS = 2000
"""Most buckets one aggregate returns."""


def aware(moment: datetime, field: str) -> datetime:
    """`moment` in UTC; raises ApiError INVALID for a time without an offset."""
    if moment.tzinfo is None:
        raise ApiError(ApiErrorCode.INVALID, f"{field} needs a time zone (e.g. +09:00 or Z)", field)
    return moment.astimezone(UTC)


def checked_window(
    info: Info, start: datetime, end: datetime, bucket_minutes: int
) -> tuple[datetime, datetime]:
    """[start, end) in UTC, after the checks of every bucketed aggregate.

    Raises ApiError: INVALID (a time without an offset, start not before end),
    WINDOW_TOO_LARGE (longer than the server's `max_window_days`, or more than MAX_BUCKETS
    buckets), OUT_OF_RANGE (bucket_minutes outside [1, 1440]).
    """
    start, end = aware(start, "from"), aware(end, "to")
    if start >= end:
        raise ApiError(ApiErrorCode.INVALID, "from must be before to", "from")
    if end - start > timedelta(days=info.context.limits.max_window_days):
        raise ApiError(
            ApiErrorCode.WINDOW_TOO_LARGE,
            f"the window may span at most {info.context.limits.max_window_days} days",
            "to",
        )
    if not 1 <= bucket_minutes <= 1440:
        raise ApiError(
            ApiErrorCode.OUT_OF_RANGE, "bucketMinutes must be in [1, 1440]", "bucketMinutes"
        )
    if (end - start) / timedelta(minutes=bucket_minutes) > MAX_BUCKETS:
        raise ApiError(
            ApiErrorCode.WINDOW_TOO_LARGE,
            f"at most {MAX_BUCKETS} buckets per query",
            "bucketMinutes",
        )
    return start, end
