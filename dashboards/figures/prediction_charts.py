"""The water and outbreak predictions on the analytics page as plotly figures and tables.

Water: the Han River stations of the newest scored hour, upstream to downstream (east to west:
the river flows west through Seoul, `seeds.han_river`), each with its anomaly score and alarm
and, for an alarm, the measures that moved; and each station's last 48 hours of scores
(each prediction's `history`). Outbreaks: the newest day's risk by gu and syndrome, the alarms with
whether their review waits. Inputs are the nodes `dashboards.figures.predictions.window` reads;
every value a chart shows is in its table too, and alarms are named in words, never by colour
alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards import theme
from dashboards.figures.answers import Data, get
from dashboards.figures.predictions import as_float, label, moment
from dashboards.figures.sensors import TYPE_NAMES
from dashboards.i18n import SEOUL, Lang, in_lang, number, when

LABELS: dict[str, tuple[str, str]] = {
    "water": ("한강 수질 이상", "Han River water anomalies"),
    "water_intro": (
        "한강 측정소의 가장 최근 시간 이상 점수(0–1)와 경보입니다. 상류(동쪽)에서 하류(서쪽) "
        "순서입니다. 경보는 분석가가 승인하면 채수팀을 보냅니다.",
        "Each Han River station's anomaly score (0–1) and alarm for the newest hour scored, "
        "upstream (east) to downstream (west). An alarm sends a sampling team once an analyst "
        "approves it.",
    ),
    "water_queue": ("수질 경보 검토 대기열 보기", "See the water alarms awaiting review"),
    "river": ("상류 (동) → 하류 (서)", "upstream (east) → downstream (west)"),
    "score": ("이상 점수", "Anomaly score"),
    "station": ("측정소", "Station"),
    "alarm": ("경보", "Alarm"),
    "alarm_yes": ("⚠ 경보", "⚠ alarm"),
    "alarm_no": ("정상", "no alarm"),
    "moved": ("크게 움직인 항목", "Measures that moved"),
    "history": ("측정소별 지난 48시간 이상 점수", "Each station's anomaly score, last 48 hours"),
    "history_note": (
        "표시: 경보인 시간. 시각은 한국 표준시입니다.",
        "Marked: the hours in alarm. Times are Korea Standard Time.",
    ),
    "hours_scored": ("점수 매긴 시간", "Hours scored"),
    "newest": ("가장 최근 점수", "Newest score"),
    "highest": ("가장 높은 점수 (시각)", "Highest score (at)"),
    "alarm_hours": ("경보 시간 수", "Hours in alarm"),
    "outbreaks": ("감염병 조기 경보", "Outbreak alarms"),
    "outbreaks_intro": (
        "가장 최근 날짜의 자치구·증후군별 유행 확률(0–1)입니다. 경보는 분석가가 승인하기 "
        "전에는 누구에게도 알리지 않습니다.",
        "The newest day's outbreak probability (0–1) by gu and syndrome. Nobody is notified "
        "of an alarm before an analyst approves it.",
    ),
    "by_gu": ("자치구별 가장 높은 유행 확률", "Highest outbreak probability by gu"),
    "probability": ("유행 확률", "Outbreak probability"),
    "syndrome": ("증후군", "Syndrome"),
    "alarm_table": ("경보 (자치구·증후군)", "Alarms by gu and syndrome"),
    "no_alarm": ("경보가 없습니다.", "No alarms."),
    "review": ("검토", "Review"),
    "waiting": ("검토 대기 중", "waiting for review"),
    "open_review": ("{review} 검토하기", "Review {review}"),
    "not_waiting": (
        "대기 중인 검토 없음 (결정됨 또는 제안되지 않음)",
        "no pending review (decided, or not proposed)",
    ),
    "outbreak_queue": ("감염병 경보 검토 대기열 보기", "See the outbreak alarms awaiting review"),
}
"""Labels of the water and outbreak sections, (Korean, English)."""

SYNDROMES: dict[str, tuple[str, str]] = {
    "respiratory": ("호흡기", "respiratory"),
    "gastrointestinal": ("위장관", "gastrointestinal"),
    "influenza_like": ("인플루엔자 의사 증상", "influenza-like illness"),
}
ALARM_COLOUR = theme.CATEGORICAL[1]
CALM_COLOUR = theme.CATEGORICAL[0]
ROW_HEIGHT_PX = 90
"""Height of one station's chart in the 48-hour small multiples."""


def text(key: str, lang: Lang, **values: object) -> str:
    """The label `key` of this module (or of dashboards.figures.predictions) in `lang`."""
    if key not in LABELS:
        return label(key, lang, **values)
    words = in_lang(LABELS[key], lang)
    return words.format(**values) if values else words


def syndrome_name(syndrome: object, lang: Lang) -> str:
    pair = SYNDROMES.get(str(syndrome))
    return in_lang(pair, lang) if pair else str(syndrome or "–")


def measure_name(measure: str, lang: Lang) -> str:
    """A water measure (`dissolved_oxygen`, …) by the sensors page's name of its data type."""
    pair = TYPE_NAMES.get(measure.upper())
    return in_lang(pair, lang) if pair else measure


def score_text(value: object, lang: Lang) -> str:
    return number(as_float(value), lang, digits=2)


def alarm_text(alarm: object, lang: Lang) -> str:
    return text("alarm_yes" if alarm else "alarm_no", lang)


# --- water -----------------------------------------------------------------------------------


def stations(nodes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The stations upstream first: by longitude, east to west (the Han flows west through
    Seoul); stations without a position last, by id."""

    def order(node: Mapping[str, Any]) -> tuple[int, float, str]:
        lon = as_float(node.get("lon"))
        return (lon is None, -(lon or 0.0), str(node.get("subject", "")))

    return sorted(nodes, key=order)


def station_name(node: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A station as "<sensor id> (<its gu>)"."""
    code = str(node.get("districtCode") or "")
    gu = names.get(code, code)
    return f"{node.get('subject', '')} ({gu})" if gu else str(node.get("subject", ""))


def moved_text(measures: object, lang: Lang) -> str:
    """The measures that moved as "dissolved oxygen −3.2 σ; turbidity +2.8 σ" ("–": none)."""
    parts = []
    for item in measures if isinstance(measures, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("measure"), str):
            continue
        z = as_float(item.get("z"))
        shown = "" if z is None else f" {'+' if z > 0 else ''}{number(z, lang, digits=1)} σ"
        parts.append(measure_name(item["measure"], lang) + shown.replace("-", "−"))
    return "; ".join(parts) or "–"


def water_strip(
    ordered: Sequence[Mapping[str, Any]], names: Mapping[str, str], lang: Lang
) -> dict[str, Any]:
    """The river as a strip: one bar per station, upstream on the left, its score 0–1, an
    alarm in vermillion and named in the bar's text."""
    x = [station_name(n, names) for n in ordered]
    y = [as_float(n.get("score")) for n in ordered]
    labels = [
        f"{score_text(n.get('score'), lang)} · {alarm_text(n.get('alarm'), lang)}" for n in ordered
    ]
    colours = [ALARM_COLOUR if n.get("alarm") else CALM_COLOUR for n in ordered]
    return {
        "data": [
            {
                "type": "bar",
                "x": x,
                "y": y,
                "text": labels,
                "textposition": "outside",
                "marker": {"color": colours},
                "hovertemplate": "%{x}<br>%{text}<extra></extra>",
                "cliponaxis": False,
            }
        ],
        "layout": theme.layout(
            xaxis={"title": {"text": text("river", lang)}, "automargin": True},
            yaxis={
                "title": {"text": text("score", lang)},
                "range": [0, 1.15],
                "gridcolor": theme.GRID,
            },
            showlegend=False,
        ),
    }


def water_header(lang: Lang) -> list[str]:
    return [text(k, lang) for k in ("station", "gu", "score", "alarm", "moved")]


def water_rows(
    ordered: Sequence[Mapping[str, Any]], names: Mapping[str, str], lang: Lang
) -> list[list[str]]:
    """Per station, upstream first: id, gu, score, alarm in words, the measures that moved."""
    return [
        [
            str(n.get("subject", "")),
            names.get(str(n.get("districtCode") or ""), str(n.get("districtCode") or "–")),
            score_text(n.get("score"), lang),
            alarm_text(n.get("alarm"), lang),
            moved_text(n.get("measures"), lang),
        ]
        for n in ordered
    ]


def history_of(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The hours of a station's `history`, oldest first (none when it is missing)."""
    found = node.get("history")
    return [h for h in found if isinstance(h, Mapping)] if isinstance(found, list) else []


def _plotly_time(value: object) -> str:
    """An API time as plotly's Seoul wall-clock text (the axis is in Korea Standard Time)."""
    return moment(str(value)).astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def history_figure(
    histories: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], lang: Lang
) -> dict[str, Any] | None:
    """Small multiples: one row per station (name, hours oldest first), its score as a line on
    a shared 48-hour time axis (y 0–1), its alarm hours marked; None without any hour."""
    rows = [(name, hours) for name, hours in histories if hours]
    if not rows:
        return None
    gap = 0.35 / len(rows)
    height = (1 - gap * (len(rows) - 1)) / len(rows)
    data: list[dict[str, Any]] = []
    layout = theme.layout(
        height=ROW_HEIGHT_PX * len(rows) + 70,
        showlegend=False,
        margin={"l": 56, "r": 16, "t": 24, "b": 40},
    )
    annotations = []
    for index, (name, hours) in enumerate(rows):
        axis = "" if index == 0 else str(index + 1)
        top = 1 - index * (height + gap)
        x = [_plotly_time(h.get("windowStart")) for h in hours]
        y = [as_float(h.get("score")) for h in hours]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": y,
                "name": name,
                "xaxis": f"x{axis}",
                "yaxis": f"y{axis}",
                "line": {"color": CALM_COLOUR, "width": 2},
                "hovertemplate": f"{name}<br>%{{x}}: %{{y:.2f}}<extra></extra>",
            }
        )
        alarms = [(xi, yi) for xi, yi, h in zip(x, y, hours, strict=True) if h.get("alarm")]
        if alarms:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [a[0] for a in alarms],
                    "y": [a[1] for a in alarms],
                    "name": f"{name}: {text('alarm', lang)}",
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "marker": {"color": ALARM_COLOUR, "symbol": "x", "size": 8},
                    "hovertemplate": f"{name} {text('alarm_yes', lang)}<br>"
                    + "%{x}: %{y:.2f}<extra></extra>",
                }
            )
        layout[f"yaxis{axis}"] = {
            "domain": [max(0.0, top - height), top],
            "range": [0, 1],
            "tickvals": [0, 0.5, 1],
            "gridcolor": theme.GRID,
        }
        layout[f"xaxis{axis}"] = theme.date_axis(
            lang,
            anchor=f"y{axis}",
            showticklabels=index == len(rows) - 1,
            **({"matches": "x"} if index else {}),
        )
        annotations.append(
            {
                "text": name,
                "xref": "paper",
                "yref": f"y{axis} domain",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def history_header(lang: Lang) -> list[str]:
    return [text(k, lang) for k in ("station", "hours_scored", "newest", "highest", "alarm_hours")]


def history_rows(
    histories: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], lang: Lang
) -> list[list[str]]:
    """Per station: hours scored, the newest score, the highest and when (Seoul), hours in
    alarm."""
    rows = []
    for name, hours in histories:
        scored = [(h, s) for h in hours if (s := as_float(h.get("score"))) is not None]
        if not scored:
            rows.append([name, number(0, lang), "–", "–", number(0, lang)])
            continue
        peak, peak_score = max(scored, key=lambda pair: pair[1])
        rows.append(
            [
                name,
                number(len(hours), lang),
                score_text(scored[-1][1], lang),
                f"{score_text(peak_score, lang)} ({when(peak.get('windowStart'), lang)})",
                number(sum(bool(h.get("alarm")) for h in hours), lang),
            ]
        )
    return rows


# --- outbreaks -------------------------------------------------------------------------------


def outbreak_by_gu(
    nodes: Sequence[Mapping[str, Any]], names: Mapping[str, str], lang: Lang
) -> tuple[dict[str, Any] | None, list[list[str]]]:
    """One horizontal bar per gu: its highest probability over the syndromes (the syndrome and
    alarm named in the bar's text), gu in the API's name order; and the table of every gu and
    syndrome scored `[gu, syndrome, probability, alarm]`. None: nothing scored."""
    best: dict[str, Mapping[str, Any]] = {}
    for node in nodes:
        code = str(node.get("districtCode") or "")
        score = as_float(node.get("score"))
        if score is None:
            continue
        if code not in best or score > (as_float(best[code].get("score")) or 0.0):
            best[code] = node
    rows = [
        [
            names.get(str(n.get("districtCode") or ""), str(n.get("districtCode") or "–")),
            syndrome_name(n.get("syndrome"), lang),
            score_text(n.get("score"), lang),
            alarm_text(n.get("alarm"), lang),
        ]
        for n in sorted(nodes, key=lambda n: (str(n.get("districtCode")), str(n.get("syndrome"))))
    ]
    if not best:
        return None, rows
    codes = sorted(best, key=lambda c: names.get(c, c), reverse=True)  # plotly draws bottom-up
    chosen = [best[c] for c in codes]
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [names.get(c, c) for c in codes],
                "x": [as_float(n.get("score")) for n in chosen],
                "text": [
                    f"{score_text(n.get('score'), lang)} · {syndrome_name(n.get('syndrome'), lang)}"
                    + (f" · {text('alarm_yes', lang)}" if n.get("alarm") else "")
                    for n in chosen
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {
                    "color": [ALARM_COLOUR if n.get("alarm") else CALM_COLOUR for n in chosen]
                },
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            height=22 * len(codes) + 90,
            xaxis={
                "title": {"text": text("probability", lang)},
                "range": [0, 1.45],
                "gridcolor": theme.GRID,
            },
            yaxis={"automargin": True},
            showlegend=False,
            margin={"l": 56, "r": 16, "t": 8, "b": 48},
        ),
    }
    return figure, rows


def outbreak_header(lang: Lang) -> list[str]:
    return [text(k, lang) for k in ("gu", "syndrome", "probability", "alarm")]


@dataclass(frozen=True)
class OutbreakAlarm:
    """An alarm of the newest day: its gu (name), syndrome (words), probability (text) and the
    pending review that holds it (None: no review waits for it)."""

    gu: str
    syndrome: str
    score: str
    review: str | None


def pending_reviews(queue: Data) -> dict[str, str]:
    """Pending review ids by subject, from a `reviewQueue { edges { node { id subject } } }`."""
    found = {}
    for edge in get(queue, "reviewQueue", "edges") or []:
        node = edge.get("node") if isinstance(edge, Mapping) else None
        if isinstance(node, Mapping) and node.get("subject") and node.get("id"):
            found[str(node["subject"])] = str(node["id"])
    return found


def outbreak_alarms(
    nodes: Sequence[Mapping[str, Any]],
    window_start: str | None,
    reviews: Mapping[str, str],
    names: Mapping[str, str],
    lang: Lang,
) -> list[OutbreakAlarm]:
    """The alarms among `nodes`, highest first, each with the pending review of its subject
    and Seoul day (ml/scoring/outbreak.py proposes "<gu>/<syndrome>@<day ISO>")."""
    day = moment(window_start).astimezone(SEOUL).date().isoformat() if window_start else ""
    return [
        OutbreakAlarm(
            gu=names.get(str(n.get("districtCode") or ""), str(n.get("districtCode") or "–")),
            syndrome=syndrome_name(n.get("syndrome"), lang),
            score=score_text(n.get("score"), lang),
            review=reviews.get(f"{n.get('subject')}@{day}"),
        )
        for n in nodes
        if n.get("alarm")
    ]
