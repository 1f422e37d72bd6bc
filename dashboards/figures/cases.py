"""The cases page's figures: open cases by category (Open311 service group), department,
status, service (the Open311 service mix), age and gu, and the review queue's rows.

Inputs are the `data` of the page's sources (dashboards/pages/cases.py), any of which may be
None (a refused or failed source): figures are then None with no rows. Counts of people the API
withheld (`count: null, suppressed: true`) read "under 5, withheld", never 0. Text is in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards import theme
from dashboards.figures.answers import Data, get, rows_at
from dashboards.figures.counts import cell_text, count_text
from dashboards.i18n import Lang, in_lang, number, when

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
    "review": ("검토 대기열", "Review queue"),
    "review_intro": (
        "사람에게 영향을 주는 모델 결과는 분석가가 승인하거나 반려할 때까지 여기서 기다립니다.",
        "Model outputs that affect people wait here until an analyst approves or rejects them.",
    ),
    "review_empty": (
        "검토 대기 중인 항목이 없습니다: 민원 배정 모델은 분석 모델과 함께 도입됩니다.",
        "Nothing awaiting review: routing models arrive with the analytics models.",
    ),
    "review_model": ("모델", "Model"),
    "review_subject": ("대상", "Subject"),
    "review_proposal": ("제안", "Proposal"),
    "review_confidence": ("신뢰도", "Confidence"),
    "review_at": ("생성 시각", "Proposed at"),
    "review_decision": ("결정", "Decision"),
    "approve": ("승인", "Approve"),
    "reject": ("반려", "Reject"),
    "approved": ("승인했습니다", "Approved"),
    "rejected": ("반려했습니다", "Rejected"),
    "review_refused": (
        "검토 결정은 분석가 또는 운영자만 할 수 있습니다.",
        "Only analysts and operators may approve or reject.",
    ),
    "review_failed": ("결정을 기록하지 못했습니다", "The decision could not be recorded"),
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


@dataclass(frozen=True)
class ReviewItem:
    """One model output awaiting an analyst's decision (the analytics subgraph of issue 16
    supplies them): its id, the model, what it concerns, what it proposes, the model's
    confidence (0 to 1, None when it gives none) and when it was proposed (ISO 8601)."""

    id: str
    model: str
    subject: str
    proposal: str
    confidence: float | None
    at: str | None


def review_header(lang: Lang) -> list[str]:
    """The columns of the review queue's table (the decision buttons come last)."""
    keys = ("review_subject", "review_model", "review_proposal", "review_confidence")
    return [
        *(label(k, lang) for k in keys),
        label("review_at", lang),
        label("review_decision", lang),
    ]


def review_rows(items: Sequence[ReviewItem], lang: Lang) -> list[tuple[str, list[str]]]:
    """The queue oldest first (first come, first decided), each as its id and its cells
    `[subject, model, proposal, confidence %, proposed at]` (the page adds the buttons)."""
    ordered = sorted(items, key=lambda i: i.at or "")
    return [
        (
            i.id,
            [
                i.subject,
                i.model,
                i.proposal,
                "–" if i.confidence is None else f"{number(i.confidence * 100, lang, digits=1)} %",
                when(i.at, lang),
            ],
        )
        for i in ordered
    ]
