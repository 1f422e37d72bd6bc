"""A pending review's row on the analytics page in the reader's words: each kind of proposal
(ml/review.py `ReviewKind`) read as the model that proposed it wrote it.

Proposals arrive as the API's JSON with every float a decimal string (ml.review `_plain`): a
case routing (ml/routing), a patrol allocation (ml/scoring/hotspots.py `allocation`), an outbreak
alarm (ml/scoring/outbreak.py `_proposal`), a water alarm (ml/scoring/water.py). A field none of
those name is shown as "name value", a nested value summarised; never a Python repr. Gu codes
are identifiers: shown as the gu's name, or the bare code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date

from dashboards.figures.analytics import QueueItem, age, figure, kind_name, label
from dashboards.figures.prediction_charts import moved_text, syndrome_name
from dashboards.figures.predictions import hour_text
from dashboards.i18n import LOCALES, Lang, in_lang, number, when
from seeds.gu_codes import is_gu

LABELS: dict[str, tuple[str, str]] = {
    "patrol_cells": ("{day} 상위 칸 {n}개", "{n} top cells on {day}"),
    "patrol_cell": (
        "{cell}: 예상 사건 {expected}건, 가장 많은 시간 {hour}",
        "{cell}: {expected} expected incidents, peak {hour}",
    ),
    "more_cells": ("외 {n}개 칸", "and {n} more cells"),
    "outbreak": ("{gu} · {syndrome} · {day}", "{gu} · {syndrome} · {day}"),
    "score": ("점수 {score}", "score {score}"),
    "score_of": ("점수 {score} (기준 {threshold})", "score {score} (threshold {threshold})"),
    "station": ("측정소 {station}", "station {station}"),
    "onset": ("시작 {onset}", "onset {onset}"),
    "moved": ("움직인 항목: {measures}", "measures that moved: {measures}"),
    "items": ("{n}개 항목", "{n} items"),
    "fields": ("{n}개 필드", "{n} fields"),
}
"""The proposals' words, (Korean, English)."""

TOP_CELLS = 3
"""A patrol allocation's cells listed in its row (the rest are counted)."""
LISTED = 5
"""Scalars of a list listed in an unknown field (the rest are counted)."""
GU_FIELDS = frozenset({"district_code", "gu"})
IDENTIFIERS = GU_FIELDS | {"cell", "station", "upstream", "subject", "department", "day", "onset"}
"""Fields whose values are names, never formatted as numbers."""


def text(key: str, lang: Lang, **values: object) -> str:
    """The label `key` of this module in `lang`, `{name}` placeholders filled from `values`."""
    return in_lang(LABELS[key], lang).format(**values)


def decimal(value: object) -> float | None:
    """A proposal's number (a JSON number, or the decimal string the API gives for a float) as
    a float; None for anything else (booleans, names, NaN-free strings that are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        found = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return float(found) if found.is_finite() else None


def gu_text(code: object, gu_names: Mapping[str, str]) -> str:
    """A gu code as the gu's name in the reader's language, else the bare code ("–": none)."""
    if code is None or code == "":
        return "–"
    return gu_names.get(str(code), str(code))


def day_text(value: object, lang: Lang) -> str:
    """An ISO day ("2026-11-30") in the reader's locale ("2026. 11. 30." / "30 Nov 2026");
    anything else as given."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value) if value not in (None, "") else "–"
    pattern = "yyyy. M. d." if lang == "ko" else "d MMM yyyy"
    return format_date(day, pattern, locale=LOCALES[lang])


def moment_text(value: object, lang: Lang) -> str:
    """An ISO moment in Seoul time in the reader's locale; anything else as given."""
    try:
        return when(str(value), lang)
    except ValueError:
        return str(value) if value not in (None, "") else "–"


def _score(proposal: Mapping[str, Any], lang: Lang) -> str | None:
    score, threshold = decimal(proposal.get("score")), decimal(proposal.get("threshold"))
    if score is None:
        return None
    if threshold is None:
        return text("score", lang, score=figure(score, lang))
    return text("score_of", lang, score=figure(score, lang), threshold=figure(threshold, lang))


def routing_lines(
    proposal: Mapping[str, Any], departments: Mapping[str, str], lang: Lang
) -> list[str]:
    """A case routing: the department in the reader's language and the confidence in %."""
    code = str(proposal.get("department", ""))
    line = f"{label('department', lang)}: {departments.get(code, code) or '–'}"
    confidence = decimal(proposal.get("confidence"))
    if confidence is not None:
        percent = number(confidence * 100, lang, digits=1)
        line += f" ({label('confidence', lang)} {percent} %)"
    return [line]


def patrol_lines(proposal: Mapping[str, Any], lang: Lang) -> list[str]:
    """A patrol allocation: how many top cells on which day, then the TOP_CELLS first (highest
    first): cell, expected incidents (4 significant digits), peak hour in Seoul; and how many
    more."""
    cells = [c for c in proposal.get("cells") or [] if isinstance(c, Mapping)]
    count = proposal.get("top_cells")
    total = count if isinstance(count, int) and not isinstance(count, bool) else len(cells)
    lines = [
        text("patrol_cells", lang, n=number(total, lang), day=day_text(proposal.get("day"), lang))
    ]
    for cell in cells[:TOP_CELLS]:
        lines.append(
            text(
                "patrol_cell",
                lang,
                cell=cell.get("cell", "–"),
                expected=figure(decimal(cell.get("expected")), lang),
                hour=hour_text(cell.get("peak_hour")),
            )
        )
    if total > min(len(cells), TOP_CELLS):
        lines.append(text("more_cells", lang, n=number(total - min(len(cells), TOP_CELLS), lang)))
    return lines


def outbreak_lines(
    proposal: Mapping[str, Any], gu_names: Mapping[str, str], lang: Lang
) -> list[str]:
    """An outbreak alarm: the gu's name, the syndrome in words, the day, the score (and its
    threshold)."""
    line = text(
        "outbreak",
        lang,
        gu=gu_text(proposal.get("gu"), gu_names),
        syndrome=syndrome_name(proposal.get("syndrome"), lang),
        day=day_text(proposal.get("day"), lang),
    )
    score = _score(proposal, lang)
    return [line] + ([score] if score else [])


def water_lines(proposal: Mapping[str, Any], lang: Lang) -> list[str]:
    """A water alarm: the station (its name and id), the onset in Seoul time, the score and
    the measures that moved ("dissolved oxygen −3.2 σ")."""
    station = str(proposal.get("station") or "–")
    name = proposal.get("name")
    shown = f"{name} ({station})" if isinstance(name, str) and name else station
    lines = [text("station", lang, station=shown)]
    if proposal.get("onset"):
        lines.append(text("onset", lang, onset=moment_text(proposal.get("onset"), lang)))
    score = _score(proposal, lang)
    if score:
        lines.append(score)
    measures = proposal.get("measures")
    if isinstance(measures, list) and measures:
        numeric = [
            {"measure": m.get("measure"), "z": decimal(m.get("z"))}
            for m in measures
            if isinstance(m, Mapping)
        ]
        lines.append(text("moved", lang, measures=moved_text(numeric, lang)))
    return lines


def value_text(key: str, value: object, gu_names: Mapping[str, str], lang: Lang) -> str:
    """A field none of the kinds name: a gu as its name, a name as given, a number in the
    locale, a list of names listed (LISTED at most), anything nested counted."""
    if key in GU_FIELDS or (isinstance(value, str) and key not in IDENTIFIERS and is_gu(value)):
        return gu_text(value, gu_names)
    if isinstance(value, Mapping):
        return text("fields", lang, n=number(len(value), lang))
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
            shown = ", ".join(value_text(key, v, gu_names, lang) for v in value[:LISTED])
            rest = len(value) - LISTED
            return shown + (f" (+{number(rest, lang)})" if rest > 0 else "") if value else "–"
        return text("items", lang, n=number(len(value), lang))
    if value is None:
        return "–"
    amount = None if key in IDENTIFIERS else decimal(value)
    return figure(amount, lang) if amount is not None else str(value)


def other_lines(proposal: Mapping[str, Any], gu_names: Mapping[str, str], lang: Lang) -> list[str]:
    """A proposal of a kind not known here: each field as "name value"."""
    return [f"{k} {value_text(k, v, gu_names, lang)}" for k, v in proposal.items()]


def proposal_lines(
    item: QueueItem,
    departments: Mapping[str, str],
    lang: Lang,
    gu_names: Mapping[str, str] | None = None,
) -> list[str]:
    """What the model proposes, a line per fact (the first says what it is); ["–"] for an
    empty proposal."""
    proposal, names = item.proposal, gu_names or {}
    if not proposal:
        return ["–"]
    readers = {
        "CASE_ROUTING": lambda: routing_lines(proposal, departments, lang),
        "PATROL_ALLOCATION": lambda: patrol_lines(proposal, lang),
        "OUTBREAK_ALARM": lambda: outbreak_lines(proposal, names, lang),
        "WATER_ALARM": lambda: water_lines(proposal, lang),
    }
    reader = readers.get(item.kind)
    return (reader() if reader else other_lines(proposal, names, lang)) or ["–"]


def proposal_text(
    item: QueueItem,
    departments: Mapping[str, str],
    lang: Lang,
    gu_names: Mapping[str, str] | None = None,
) -> str:
    """The proposal's lines as one text, "; " between them."""
    return "; ".join(proposal_lines(item, departments, lang, gu_names))


def queue_cells(
    item: QueueItem, gu_names: Mapping[str, str], departments: Mapping[str, str], lang: Lang
) -> tuple[str, str, str, Sequence[str], str]:
    """An item's cells (subject, kind in words, gu's name, the proposal's lines, age); the page
    adds the review id and the form."""
    return (
        item.subject,
        kind_name(item.kind, lang),
        gu_text(item.district_code, gu_names),
        proposal_lines(item, departments, lang, gu_names),
        age(item.created_at, lang),
    )
