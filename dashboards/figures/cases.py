"""The cases page's figures: open cases by category (Open311 service group), department,
status, service (the Open311 service mix), age and gu, and how many case routings wait for an
analyst.

Inputs are the `data` of the page's sources (dashboards/pages/cases.py), any of which may be
None (a refused or failed source): figures are then None with no rows. Counts of people the API
withheld (`count: null, suppressed: true`) read "under 5, withheld", never 0. Text is in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashboards import theme
from dashboards.figures.answers import Data, get, rows_at
from dashboards.figures.counts import cell_text, count_text
from dashboards.i18n import Lang, in_lang, number

Figure = dict[str, Any]
Rows = list[list[str]]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("민원", "Cases"),
    "open": ("처리 중인 민원", "Open cases"),
    "filed_today": ("오늘 접수", "Filed today"),
    "closed_today": ("오늘 처리", "Closed today"),
    "median_resolution": ("처리 시간 중앙값 (30일)", "Median resolution time (30 days)"),
    "hours": ("시간", "h"),
    "by_group": ("분야별 처리 중인 민원", "Open cases by category"),
    "by_department": ("담당 부서별 처리 중인 민원", "Open cases by department"),
    "by_status": ("상태별 민원", "Cases by status"),
    "by_service": ("Open311 서비스별 처리 중인 민원", "Open311 service mix (open cases)"),
    "ageing": ("접수 후 경과 시간별 처리 중인 민원", "Open cases by age"),
    "by_district": ("자치구별 처리 중인 민원", "Open cases by gu"),
    "category": ("분야", "Category"),
    "department": ("부서", "Department"),
    "status": ("상태", "Status"),
    "service": ("서비스", "Service"),
    "age": ("경과 시간", "Age"),
    "count": ("건수", "Cases"),
    "median_hours": ("처리 시간 중앙값 (시간)", "Median resolution (h)"),
    "routings": ("분석가의 검토를 기다리는 민원 부서 배정", "Case routings waiting for an analyst"),
    "routings_intro": (
        "민원 배정 모델이 새 민원에 제안한 부서는 분석가가 승인하거나 다른 부서로 바로잡을 때까지 "
        "여기서 기다립니다.",
        "The department the routing model proposes for a new case waits until an analyst "
        "approves it or corrects it to another department.",
    ),
    "routings_pending": ("대기 중 {n}건", "{n} waiting"),
    "routings_decide": (
        "분석 페이지의 검토 대기열에서 결정하기",
        "Decide them in the analytics page's review queue",
    ),
    # CaseStatus
    "OPEN": ("처리 중", "open"),
    "CLOSED": ("처리 완료", "closed"),
    # Open311 service groups (graph/data/services.csv), Seoul's complaint categories
    "traffic": ("교통", "Traffic"),
    "roads": ("도로", "Roads"),
    "cleaning": ("청소", "Cleaning"),
    "environment": ("환경", "Environment"),
    "fire-safety": ("소방·안전", "Fire and safety"),
    "street": ("가로 정비", "Street order"),
    "health": ("보건·위생", "Health"),
    "flood-disaster": ("수해·재난", "Flood and disaster"),
    "parks": ("공원", "Parks"),
    "other": ("기타", "Other"),
    # ageing buckets (caseStatistics.ageing, in this order)
    "<1d": ("1일 미만", "under 1 day"),
    "1-3d": ("1–3일", "1–3 days"),
    "3-7d": ("3–7일", "3–7 days"),
    "7-30d": ("7–30일", "7–30 days"),
    ">30d": ("30일 초과", "over 30 days"),
}


def label(key: str, lang: Lang) -> str:
    """The page label `key` in `lang` (a key not in LABELS is shown as given)."""
    return in_lang(LABELS.get(key, (key, key)), lang)


def service_names(catalogue: Data, lang: Lang) -> dict[str, str]:
    """Open311 service_code → its name in `lang`, from a `services` answer."""
    return {
        str(s["code"]): str(s.get("nameKo") if lang == "ko" else s.get("name")) or str(s["code"])
        for s in rows_at(catalogue, "services")
        if s.get("code")
    }


def department_names(catalogue: Data, lang: Lang) -> dict[str, str]:
    """Department id → its name in `lang`, from a `departments` answer."""
    return {
        str(d["id"]): str(d.get("nameKo") if lang == "ko" else d.get("nameEn")) or str(d["id"])
        for d in rows_at(catalogue, "departments")
        if d.get("id")
    }


def key_counts(
    cells: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    lang: Lang,
    *,
    horizontal: bool = False,
    colour: str = theme.CATEGORICAL[0],
) -> tuple[Figure | None, Rows]:
    """`[KeyCount]` in the API's order as bars, each labelled with its count in text (a
    withheld cell has no bar and reads "under 5, withheld"), and rows `[name, count]`.
    No cells give (None, [])."""
    if not cells:
        return None, []
    keys = [str(c.get("key", "")) for c in cells]
    shown = [names.get(k) or label(k, lang) for k in keys]
    counts = [None if c.get("suppressed") else c.get("count") for c in cells]
    texts = [cell_text(c, lang) for c in cells]
    bar: dict[str, Any] = {
        "type": "bar",
        "marker": {"color": colour},
        "text": texts,
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{text}<extra>%{" + ("y" if horizontal else "x") + "}</extra>",
    }
    if horizontal:
        bar |= {"orientation": "h", "x": [c or 0 for c in counts], "y": shown}
        axes = {
            "yaxis": {"autorange": "reversed", "automargin": True, "gridcolor": theme.GRID},
            "xaxis": theme.count_axis(counts),
            "height": max(320, 22 * len(cells) + 80),
        }
    else:
        bar |= {"x": shown, "y": [c or 0 for c in counts]}
        axes = {
            "xaxis": {"tickangle": -45, "automargin": True},
            "yaxis": theme.count_axis(counts),
        }
    figure: Figure = {"data": [bar], "layout": theme.layout(**axes)}
    return figure, [[name, text] for name, text in zip(shown, texts, strict=True)]


def by_district(cases: Data, names: Mapping[str, str], lang: Lang) -> tuple[Figure | None, Rows]:
    """Open cases per gu (bars, withheld cells in words) and rows `[gu, open, median h]`."""
    rows = rows_at(cases, "caseStatistics", "byDistrict")
    if not rows:
        return None, []
    cells = [
        {**(r.get("open") or {}), "key": str(r.get("districtCode"))}
        for r in rows
        if isinstance(r.get("open"), Mapping)
    ]
    figure, table = key_counts(cells, names, lang)
    hours = {str(r.get("districtCode")): r.get("medianResolutionHours") for r in rows}
    table = [
        [row[0], row[1], number(hours.get(cell["key"]), lang, digits=1)]
        for row, cell in zip(table, cells, strict=True)
    ]
    return figure, table


def headline(cases: Data, lang: Lang) -> list[tuple[str, str, str]]:
    """The page's tiles `(id, label, value)`: open, filed and closed today, median hours."""
    stats = get(cases, "caseStatistics")
    if not isinstance(stats, Mapping):
        return [(k, label(k, lang), "–") for k in ("open", "filed_today", "closed_today")]
    hours = stats.get("medianResolutionHours")
    return [
        ("open", label("open", lang), count_text(stats.get("open"), lang)),
        ("filed_today", label("filed_today", lang), count_text(stats.get("filedToday"), lang)),
        ("closed_today", label("closed_today", lang), count_text(stats.get("closedToday"), lang)),
        (
            "median_resolution",
            label("median_resolution", lang),
            "–" if hours is None else f"{number(hours, lang, digits=1)} {label('hours', lang)}",
        ),
    ]


def routings_pending(queue: Data) -> int | None:
    """How many case routings wait for an analyst: `reviewQueue.totalCount` of a
    `reviewQueue(kind: CASE_ROUTING, ...)` answer; None when the answer has none."""
    total = get(queue, "reviewQueue", "totalCount")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def routings_text(pending: int | None, lang: Lang) -> str:
    """The count as a phrase in `lang` ("3 waiting", "대기 중 3건"), or "–" for no count."""
    return (
        "–" if pending is None else label("routings_pending", lang).format(n=number(pending, lang))
    )
