"""The overview's indicators: tiles (one number each, with a note) and two charts by gu.

Inputs are the `data` of the overview's sources (dashboards/pages/overview.py), any of which may
be None (a refused or failed source): its tiles then read "–". Output values are text in the
reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from dashboards import theme
from dashboards.figures import bands as band_rules
from dashboards.figures.answers import Data, get
from dashboards.figures.counts import count_text
from dashboards.i18n import Lang, band_name, in_lang, number, t, when


@dataclass(frozen=True)
class Tile:
    """One indicator: its id, label, value text, note and the source it comes from."""

    id: str
    label: str
    value: str
    source: str
    note: str = ""


LABELS: dict[str, tuple[str, str]] = {
    "open_cases": ("처리 중인 민원", "Open cases"),
    "filed_today": ("오늘 접수된 민원", "Cases filed today"),
    "closed_today": ("오늘 처리된 민원", "Cases closed today"),
    "median_resolution": ("처리 시간 중앙값 (30일)", "Median resolution time (30 days)"),
    "alerts_now": ("현재 경보", "Alerts now"),
    "alerts_today": ("오늘 발령된 경보", "Alerts raised today"),
    "pm25": ("초미세먼지 PM2.5 (자치구 평균)", "PM2.5 (mean of gu)"),
    "pm10": ("미세먼지 PM10 (자치구 평균)", "PM10 (mean of gu)"),
    "noise": ("소음 (자치구 평균)", "Noise (mean of gu)"),
    "readings_minute": ("최근 1분 수집 측정값", "Readings ingested, last minute"),
    "readings_today": ("오늘 수집 측정값", "Readings ingested today"),
    "sensors_reporting": ("보고 중인 센서 (10분)", "Sensors reporting (10 min)"),
    "datasets": ("공개 데이터셋", "Datasets published"),
    "datasets_today": ("오늘 갱신된 데이터셋", "Datasets updated today"),
    "api_calls_today": ("오늘 API 호출", "API calls today"),
    "open_polls": ("진행 중인 투표", "Open polls"),
    "ballots": ("진행 중인 투표의 투표 수", "Ballots in open polls"),
    "certs_issued": ("발급된 증명서", "Certificates issued"),
    "certs_revoked": ("폐기된 증명서", "Certificates revoked"),
    "certs_verified": ("오늘 검증된 증명서", "Certificates verified today"),
    "contracts_in_flight": ("진행 중인 조달 계약", "Contracts in flight"),
    "cycle_time": ("조달 소요일 중앙값", "Procurement cycle time (median)"),
    "log_size": ("검증 로그 크기", "Verifiable log size"),
    "log_signed": ("마지막 서명된 로그 헤드", "Last signed tree head"),
    "baseline": ("수작업 기준", "manual baseline"),
    "api_calls_note": ("몇 초마다 집계", "counted every few seconds"),
}
UNITS: dict[str, tuple[str, str]] = {
    "hours": ("시간", "h"),
    "days": ("일", "days"),
    "ugm3": ("µg/m³", "µg/m³"),
    "db": ("dB", "dB"),
    "leaves": ("개 항목", "entries"),
}


def label(key: str, lang: Lang) -> str:
    """The page label `key` in `lang` (KeyError for an unknown key)."""
    return in_lang(LABELS[key], lang)


def unit(key: str, lang: Lang) -> str:
    return in_lang(UNITS[key], lang)


def _with_unit(value: float | None, lang: Lang, unit_key: str, digits: int = 0) -> str:
    return "–" if value is None else f"{number(value, lang, digits=digits)} {unit(unit_key, lang)}"


SOUND_LEVELS = frozenset({"noise"})
"""Fields in dB: their mean is by energy (graph/records/levels.py), as the API's own means."""


def mean_of(rows: Sequence[Mapping[str, Any]] | None, field: str) -> float | None:
    """The mean of `field` over the rows that have it (None when none has): for a sound level
    (SOUND_LEVELS) the energy mean, ISO 1996-1's Leq = 10·log10(mean(10^(L/10))); else the
    arithmetic mean."""
    values = [float(r[field]) for r in rows or [] if r.get(field) is not None]
    if not values:
        return None
    if field in SOUND_LEVELS:
        return 10 * math.log10(fmean(10 ** (v / 10) for v in values))
    return fmean(values)


def tiles(
    cases: Data, sensing: Data, polls: Data, catalogue: Data, trust: Data, lang: Lang
) -> list[Tile]:
    """The overview's 24 indicator tiles in reading order; a missing answer reads "–"."""
    stats = get(cases, "caseStatistics")
    air = get(sensing, "airQuality")
    alerts = get(sensing, "alertStatistics")
    ingest = get(sensing, "ingestStatistics")
    open_polls = get(polls, "polls")
    cat = get(catalogue, "catalogueStatistics")
    certs = get(trust, "certificateStatistics")
    proc = get(trust, "procurementStatistics")
    head = get(trust, "logHead")

    def tile(key: str, value: str, source: str, note: str = "") -> Tile:
        return Tile(key, label(key, lang), value, source, note)

    dash = "–"
    baseline = get(proc, "manualBaselineDays")
    result = [
        tile("open_cases", count_text(get(stats, "open"), lang) if stats else dash, "cases"),
        tile("filed_today", count_text(get(stats, "filedToday"), lang) if stats else dash, "cases"),
        tile(
            "closed_today",
            count_text(get(stats, "closedToday"), lang) if stats else dash,
            "cases",
        ),
        tile(
            "median_resolution",
            _with_unit(get(stats, "medianResolutionHours"), lang, "hours", 1),
            "cases",
        ),
        tile("alerts_now", number(get(alerts, "activeNow"), lang), "sensing"),
        tile("alerts_today", number(get(alerts, "raisedToday"), lang), "sensing"),
        tile("pm25", _with_unit(mean_of(air, "pm25"), lang, "ugm3", 1), "sensing"),
        tile("pm10", _with_unit(mean_of(air, "pm10"), lang, "ugm3", 1), "sensing"),
        tile("noise", _with_unit(mean_of(air, "noise"), lang, "db", 1), "sensing"),
        tile("readings_minute", number(get(ingest, "readingsLastMinute"), lang), "sensing"),
        tile("readings_today", number(get(ingest, "readingsToday"), lang), "sensing"),
        tile("sensors_reporting", number(get(ingest, "sensorsReporting"), lang), "sensing"),
        tile("datasets", number(get(cat, "datasets"), lang), "catalogue"),
        tile("datasets_today", number(get(cat, "modifiedToday"), lang), "catalogue"),
        tile(
            "api_calls_today",
            number(get(cat, "apiCallsToday"), lang),
            "catalogue",
            label("api_calls_note", lang),
        ),
        tile(
            "open_polls",
            number(len(open_polls) if open_polls is not None else None, lang),
            "polls",
        ),
        tile(
            "ballots",
            number(
                sum(p.get("totalBallots") or 0 for p in open_polls)
                if open_polls is not None
                else None,
                lang,
            ),
            "polls",
        ),
        tile("certs_issued", number(get(certs, "issued"), lang), "trust"),
        tile("certs_revoked", number(get(certs, "revoked"), lang), "trust"),
        tile("certs_verified", number(get(certs, "verifiedToday"), lang), "trust"),
        tile("contracts_in_flight", number(get(proc, "inFlight"), lang), "trust"),
        tile(
            "cycle_time",
            _with_unit(get(proc, "medianCycleDays"), lang, "days", 1),
            "trust",
            note=(
                f"{label('baseline', lang)}: {_with_unit(baseline, lang, 'days')}"
                if baseline is not None
                else ""
            ),
        ),
        tile("log_size", _with_unit(get(head, "treeSize"), lang, "leaves"), "trust"),
        tile("log_signed", when(get(head, "signedAt"), lang), "trust"),
    ]
    return result


def gu_names(districts: Data, lang: Lang) -> dict[str, str]:
    """Gu code → name in `lang`, from a `districts(level: GU)` answer."""
    rows = get(districts, "districts") or []
    return {r["code"]: r["nameKo"] if lang == "ko" else r["nameEn"] for r in rows}


def open_cases_by_gu(
    cases: Data, names: Mapping[str, str], lang: Lang
) -> tuple[dict[str, Any] | None, list[list[str]]]:
    """Bar chart of open cases per gu (a withheld cell is no bar but a mark at 0 named in the
    legend, its hover and the table) and its table rows `[gu, open, median hours]`."""
    rows = get(cases, "caseStatistics", "byDistrict") or []
    if not rows:
        return None, []
    names_ = [names.get(r["districtCode"], r["districtCode"]) for r in rows]
    counts = [get(r, "open", "count") for r in rows]
    withheld = [name for name, count in zip(names_, counts, strict=True) if count is None]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "x": names_,
            "y": counts,  # a withheld cell is no bar (never 0), named in the hover
            "customdata": [count_text(c, lang) for c in counts],
            "marker": {"color": theme.CATEGORICAL[0]},
            "hovertemplate": "%{x}: %{customdata}<extra></extra>",
            "showlegend": False,
        }
    ]
    if withheld:  # marked on the chart itself, so that a withheld gu never reads as 0
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": withheld,
                "y": [0] * len(withheld),
                "marker": {"symbol": "x-thin-open", "size": 9, "color": theme.MUTED_TEXT},
                "name": t("panel.suppressed", lang),
                "hovertemplate": f"%{{x}}: {t('panel.suppressed', lang)}<extra></extra>",
            }
        )
    figure = {
        "data": traces,
        "layout": theme.layout(
            xaxis={"tickangle": -45, "automargin": True}, yaxis=theme.count_axis(counts)
        ),
    }
    table = [
        [name, count_text(count, lang), number(r.get("medianResolutionHours"), lang, digits=1)]
        for name, count, r in zip(names_, counts, rows, strict=True)
    ]
    return figure, table


def air_header(lang: Lang) -> list[str]:
    """The columns of `air_by_gu`'s table."""
    band = "등급" if lang == "ko" else "band"
    return [t("col.district", lang), "PM2.5", band, "PM10", band, label("noise", lang), band]


def air_by_gu(
    sensing: Data, bands: Sequence[Mapping[str, Any]], names: Mapping[str, str], lang: Lang
) -> tuple[dict[str, Any] | None, list[list[str]]]:
    """PM2.5 per gu as bars with the band boundaries drawn as lines, and table rows
    `[gu, PM2.5, band, PM10, band, noise, band]`."""
    rows = [r for r in get(sensing, "airQuality") or []]
    if not any(r.get("pm25") is not None for r in rows):
        return None, []
    x = [names.get(r["districtCode"], r["districtCode"]) for r in rows]
    pm25_bands = band_rules.of_type(bands, "PM25")
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": b["lower"],
            "y1": b["lower"],
            "line": {"color": theme.band_colour(i), "dash": "dash", "width": 2},
        }
        for i, b in enumerate(pm25_bands)
        if b["lower"] > 0
    ]
    annotations = [
        {
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "y": b["lower"],
            "yanchor": "bottom",
            "text": band_name(b["name"], lang),
            "showarrow": False,
            "font": {"color": theme.TEXT, "size": 11},
        }
        for b in pm25_bands
        if b["lower"] > 0
    ]
    figure = {
        "data": [
            {
                "type": "bar",
                "x": x,
                "y": [r.get("pm25") for r in rows],
                "marker": {"color": theme.CATEGORICAL[0]},
                "hovertemplate": "%{x}: %{y:.1f} µg/m³<extra></extra>",
            }
        ],
        "layout": theme.layout(
            xaxis={"tickangle": -45, "automargin": True},
            yaxis={"title": {"text": "PM2.5 µg/m³"}, "gridcolor": theme.GRID},
            shapes=shapes,
            annotations=annotations,
        ),
    }
    table = [
        [
            name,
            number(r.get("pm25"), lang, digits=1),
            band_name(r.get("pm25Band"), lang),
            number(r.get("pm10"), lang, digits=1),
            band_name(r.get("pm10Band"), lang),
            number(r.get("noise"), lang, digits=1),
            band_name(r.get("noiseBand"), lang),
        ]
        for name, r in zip(x, rows, strict=True)
    ]
    return figure, table
