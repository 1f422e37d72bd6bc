""" "Today" of the sensing indicators: the calendar day in Asia/Seoul (UTC+9, no DST)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_day_start(now: datetime) -> datetime:
    """The start, in UTC, of the Asia/Seoul calendar day holding the aware instant `now`."""
    return datetime.combine(now.astimezone(SEOUL).date(), time(), SEOUL).astimezone(UTC)
