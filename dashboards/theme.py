"""Colours and the plotly template: WCAG 2.2 AA contrast, readable with colour-blindness.

Categories use Okabe and Ito's palette ("Color Universal Design", 2008), designed to stay
distinct under protanopia, deuteranopia and tritanopia, keeping only the members with at least
3:1 contrast on the page background (WCAG 2.2 SC 1.4.11, non-text contrast); its orange, sky
blue and yellow fall below 3:1 on white and are left out. Text colours reach 4.5:1
(SC 1.4.3). Bands (good → very bad) keep that order of hues and are always named in text too, so
no figure is read by colour alone (SC 1.4.1). `contrast` is the WCAG 2.2 contrast ratio.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BACKGROUND = "#FFFFFF"
TEXT = "#1F1F1F"
MUTED_TEXT = "#4D4D4D"
FOCUS = "#0B5CAD"
GRID = "#D0D0D0"

CATEGORICAL = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#882255")
"""Okabe-Ito blue, vermillion, bluish green, reddish purple, then Tol's indigo and wine."""

BANDS = ("#0072B2", "#009E73", "#D55E00", "#882255")
"""Good, moderate, bad, very bad (Korea's CAI grades; noise within/over its standard)."""

SEQUENTIAL = ("#DCE9F5", "#9CC3E4", "#4A90C9", "#1B5E9E", "#08306B")
"""Light to dark blue, for a measure over the map's polygons (outlined in TEXT, 16:1)."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2, "relative luminance") of a `#RRGGBB` colour."""
    text = colour.lstrip("#")
    r, g, b = (_channel(int(text[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """Contrast ratio (1 to 21) of two `#RRGGBB` colours (WCAG 2.2, "contrast ratio")."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def band_colour(index: int) -> str:
    """The colour of band `index` (0 = best); bands past the last share the last colour."""
    return BANDS[min(max(index, 0), len(BANDS) - 1)]


DATE_TICKS: dict[str, tuple[str, str, str]] = {
    "ko": ("%-m월 %-d일<br>%H:%M", "%-m월 %-d일<br>%H:%M:%S", "%Y년 %-m월 %-d일 %H:%M:%S"),
    "en": ("%-d %b<br>%H:%M", "%-d %b<br>%H:%M:%S", "%-d %b %Y, %H:%M:%S"),
}
"""Tick formats of a date axis (d3-time-format) with ticks a minute or more apart and with
ticks under a minute apart, and its hover format, so that a Korean page shows no English
month names and ticks seconds apart never read as one repeated minute."""
MINUTE_MS = 60_000


def date_axis(lang: str, **extra: Any) -> dict[str, Any]:
    """A plotly date axis in the reader's language, 24-hour clock: ticks to the minute, or to
    the second when plotly spaces them under a minute apart, to the millisecond under a second
    (`tickformatstops`)."""
    minutes, seconds, hover = DATE_TICKS.get(lang, DATE_TICKS["en"])
    stops = [
        {"dtickrange": [None, 1000], "value": seconds + ".%L"},
        {"dtickrange": [1000, MINUTE_MS], "value": seconds},
        {"dtickrange": [MINUTE_MS, None], "value": minutes},
    ]
    return {
        "type": "date",
        "tickformat": minutes,
        "tickformatstops": stops,
        "hoverformat": hover,
        "gridcolor": GRID,
    } | extra


SMALL_COUNT = 10
"""Up to this count a count axis ticks every whole number (plotly would tick 0.2, 0.4, …)."""


def count_axis(values: Iterable[float | int | None], **extra: Any) -> dict[str, Any]:
    """A plotly axis for counts from zero: whole-number ticks only (every 1 up to SMALL_COUNT,
    plotly's own whole steps above), grouped thousands."""
    top = max((v for v in values if v is not None), default=0)
    axis: dict[str, Any] = {"rangemode": "tozero", "tickformat": ",d", "gridcolor": GRID}
    if top <= SMALL_COUNT:
        axis |= {"tick0": 0, "dtick": 1}
    return axis | extra


def layout(**extra: Any) -> dict[str, Any]:
    """A plotly layout in the dashboards' colours and fonts (Noto Sans CJK for Korean)."""
    base: dict[str, Any] = {
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "font": {"family": "'Noto Sans KR', 'Noto Sans CJK KR', sans-serif", "color": TEXT},
        "colorway": list(CATEGORICAL),
        "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "xaxis": {"gridcolor": GRID, "linecolor": MUTED_TEXT, "automargin": True},
        "yaxis": {"gridcolor": GRID, "linecolor": MUTED_TEXT, "automargin": True},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 320,
    }
    return base | extra
