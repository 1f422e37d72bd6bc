"""The city's calendar day: "today" of every indicator (cases, sensing, catalogue, trust) is the
day in Asia/Seoul (UTC+9, no DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def city_day(at: datetime) -> date:
    """The Seoul calendar day of the aware instant `at`."""
    return at.astimezone(SEOUL).date()


def day_start(at: datetime) -> datetime:
    """The start, as an aware UTC instant, of the Seoul calendar day holding the aware `at`."""
    return day_span(city_day(at))[0]


def day_span(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the Seoul day `day`, as aware UTC instants."""
    start = datetime.combine(day, time(), SEOUL)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def in_hours(at: datetime, hours: tuple[int, int]) -> bool:
    """Whether the aware `at` falls in `hours`, [from, to) hours of the Seoul clock; a `to`
    below `from` wraps past midnight ((22, 6) is the night)."""
    start, end = hours
    hour = at.astimezone(SEOUL).hour
    return start <= hour < end if start < end else hour >= start or hour < end
