"""The reading bands (`readingBands`) as the dashboards use them: the bands of a data type in
force at a moment (noise has day and night limits, each in force for its hours of the Seoul
day), the band holding a value, the spans of a window each set covers, and the bands named as
the standards write them, in the reader's language.

A band is one `readingBands` row: `{dataType, name, lower, upper, source, fromHour, toHour}`,
holding values in [lower, upper) (upper None: no end) during [fromHour, toHour) of the Seoul
clock (both None: all day; toHour below fromHour wraps past midnight). Source: the platform's
table (subscriptions/bands.py): Korea's CAI breakpoints and environmental noise standard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from dashboards.i18n import Lang, band_name, number
from graph.city_day import in_hours

Band = Mapping[str, Any]

SOURCES_KO: dict[str, str] = {
    "PM25": "한국환경공단 통합대기환경지수(CAI) PM2.5 지수 구간, "
    "24시간 평균 µg/m³ (airkorea.or.kr)",
    "PM10": "한국환경공단 통합대기환경지수(CAI) PM10 지수 구간, 24시간 평균 µg/m³ (airkorea.or.kr)",
    "NOISE": "환경정책기본법 시행령 별표 1 소음 환경기준, Leq dB(A): 일반지역 나 지역 "
    "낮(06:00~22:00) 55, 밤(22:00~06:00) 45, 도로변지역 낮 65, 밤 55",
}
"""Each data type's band source in Korean (the API publishes it in English)."""


def hours_of(band: Band) -> tuple[int, int] | None:
    """The band's [from, to) hours of the Seoul day, or None when it is in force all day."""
    start, end = band.get("fromHour"), band.get("toHour")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return start, end


def in_force(band: Band, at: datetime) -> bool:
    """Whether `band` applies at `at` (an aware datetime), by its hour in Seoul."""
    hours = hours_of(band)
    return hours is None or in_hours(at, hours)


def of_type(bands: Sequence[Band], data_type: str, at: datetime | None = None) -> list[Band]:
    """The bands of `data_type` (a `DataType` value, e.g. "PM25"), grouped by their hours and
    lowest first; with `at`, only those in force then (one contiguous set)."""
    own = [
        b
        for b in bands
        if isinstance(b, Mapping) and b.get("dataType") == data_type and "lower" in b
    ]
    if at is not None:
        own = [b for b in own if in_force(b, at)]
    return sorted(own, key=lambda b: (hours_of(b) or (-1, -1), float(b["lower"])))


def sets(bands: Sequence[Band]) -> list[tuple[tuple[int, int] | None, list[Band]]]:
    """`bands` (of one data type, as `of_type` orders them) split into the sets that are in
    force together: `[(hours, bands lowest first)]`, the all-day set or the day then the night."""
    result: list[tuple[tuple[int, int] | None, list[Band]]] = []
    for band in bands:
        hours = hours_of(band)
        if result and result[-1][0] == hours:
            result[-1][1].append(band)
        else:
            result.append((hours, [band]))
    return result


def holding(value: float | None, bands: Sequence[Band]) -> int | None:
    """The index in `bands` (one set, lowest first) of the band holding `value`: lower
    inclusive, upper exclusive; None for no value or a value below the lowest band."""
    if value is None:
        return None
    for index, band in enumerate(bands):
        upper = band.get("upper")
        if value >= float(band["lower"]) and (upper is None or value < float(upper)):
            return index
    return None


def segments(
    start: datetime, end: datetime, bands: Sequence[Band]
) -> list[tuple[datetime, datetime, list[Band]]]:
    """The window [start, end) cut where the set of `bands` in force changes (on the hour in
    Seoul): `[(from, to, bands in force)]`, one piece when every band is in force all day."""
    if start >= end:
        return []
    if all(hours_of(b) is None for b in bands):
        return [(start, end, list(bands))]
    pieces: list[tuple[datetime, datetime, list[Band]]] = []
    cursor = start
    while cursor < end:
        current = [b for b in bands if in_force(b, cursor)]
        step = (cursor + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        while step < end and [b for b in bands if in_force(b, step)] == current:
            step += timedelta(hours=1)
        pieces.append((cursor, min(step, end), current))
        cursor = step
    return pieces


INTEGER_TABLES = frozenset({"PM25", "PM10"})
"""Data types whose standard writes its bands as whole-number ranges (the CAI: "0–15",
"16–35"; AirKorea reports whole µg/m³)."""


def span(band: Band, lang: Lang) -> str:
    """The values a band holds as its standard writes them: the CAI's whole-number ranges
    ("0–15" for [0, 16)); other bands half-open in words ("under 55", "55 to under 65",
    "55 미만", "55 이상 65 미만"), since their readings have decimals (54.6 dB(A) is under 55);
    the top band "≥ lower"."""
    lower, upper = float(band["lower"]), band.get("upper")
    low = number(lower, lang)
    if upper is None:
        return f"≥ {low}"
    high = float(upper)
    if band.get("dataType") in INTEGER_TABLES and lower.is_integer() and high.is_integer():
        return f"{low}–{number(high - 1, lang)}"
    top = number(high, lang)
    if lower == 0:
        return f"{top} 미만" if lang == "ko" else f"under {top}"
    return f"{low} 이상 {top} 미만" if lang == "ko" else f"{low} to under {top}"


def hours_text(hours: tuple[int, int] | None, lang: Lang) -> str:
    """A set's hours in words: "낮 06:00–22:00" / "by day 06:00–22:00", "" for all day."""
    if hours is None:
        return ""
    start, end = hours
    day = start < end
    word = ("낮" if day else "밤") if lang == "ko" else ("by day" if day else "by night")
    return f"{word} {start:02d}:00–{end:02d}:00"


def source(bands: Sequence[Band], data_type: str, lang: Lang) -> str:
    """Where the bands of `data_type` come from, in `lang` ("" when `bands` is empty)."""
    if not bands:
        return ""
    published = str(bands[0].get("source") or "")
    return SOURCES_KO.get(data_type, published) if lang == "ko" else published


def named(band: Band, unit: str, lang: Lang) -> str:
    """A band's name and span, e.g. "Good 0–15 µg/m³"."""
    return f"{band_name(str(band['name']), lang)} {span(band, lang)} {unit}".rstrip()
