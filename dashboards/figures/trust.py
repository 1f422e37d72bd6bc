"""The trust page's figures: certificates issued, revoked and verified; procurement contracts
in flight with their cycle times and the median cycle beside the 23-day manual baseline; and
the verifiable log's checkpoint history (tree size over time, and the signed heads).

Inputs are the `data` of the page's sources (dashboards/pages/trust.py), any of which may be
None (a refused or failed source): figures are then None with no rows, and tiles read "–".
Text is in the reader's language; times in Asia/Seoul.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dashboards import theme
from dashboards.figures.answers import Data, get, rows_at
from dashboards.figures.counts import count_text
from dashboards.figures.overview import Tile
from dashboards.i18n import SEOUL, Lang, in_lang, number, when

Figure = dict[str, Any]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("신뢰: 증명서·조달·검증 로그", "Trust: certificates, procurement, the log"),
    "certificates": ("증명서", "Certificates"),
    "issued": ("발급 (전체)", "Issued (total)"),
    "issued_today": ("오늘 발급", "Issued today"),
    "revoked": ("폐기 (전체)", "Revoked (total)"),
    "revoked_today": ("오늘 폐기", "Revoked today"),
    "verified": ("검증 (전체)", "Verified (total)"),
    "verified_today": ("오늘 검증", "Verified today"),
    "verified_note": (
        "증명 조회와 폐기 여부 확인 요청 수",
        "proof lookups and revocation checks served",
    ),
    "by_kind": ("종류별 발급 증명서", "Certificates issued by kind"),
    "kind": ("종류", "Kind"),
    "count": ("건수", "Count"),
    "procurement": ("조달", "Procurement"),
    "in_flight": ("진행 중인 계약", "Contracts in flight"),
    "completed": ("지급 완료된 계약", "Contracts paid"),
    "cycle": ("조달 소요일 중앙값 대 수작업 기준", "Median cycle time vs the manual baseline"),
    "cycle_note": (
        "생성부터 대금 지급까지, 지급 완료된 계약의 중앙값. 서울시 수작업 절차 평균 23일.",
        "Creation to payment, median over paid contracts. Seoul's manual process: 23 days.",
    ),
    "median": ("스마트 계약 중앙값", "Smart contracts (median)"),
    "baseline": ("수작업 기준", "Manual baseline"),
    "over_baseline": ("기준 초과", "past the baseline"),
    "days": ("일", "days"),
    "measure": ("항목", "Measure"),
    "contracts": ("진행 중인 조달 계약과 경과일", "Contracts in flight and their days so far"),
    "contracts_note": (
        "생성 후 지금까지 경과일. 점선은 수작업 기준 23일.",
        "Days since creation. The dashed line is the 23-day manual baseline.",
    ),
    "contract": ("계약", "Contract"),
    "state": ("단계", "Stage"),
    "department": ("부서", "Department"),
    "elapsed": ("경과일", "Days so far"),
    "created": ("생성", "Created"),
    "by_state": ("단계별 계약", "Contracts by stage"),
    "log": ("검증 로그 체크포인트 이력", "The log's checkpoint history"),
    "log_note": (
        "로그에 항목이 추가될 때마다 서명된 트리 헤드(체크포인트)가 발행됩니다.",
        "Every append to the log publishes a signed tree head (a checkpoint).",
    ),
    "tree_size": ("트리 크기 (항목 수)", "Tree size (leaves)"),
    "signed_at": ("서명 시각", "Signed at"),
    "root_hash": ("루트 해시", "Root hash"),
    "key_id": ("키 ID", "Key id"),
    "city_wide": (
        "증명서·조달·로그는 서울 전체 기준이며 자치구로 나뉘지 않습니다.",
        "Certificates, procurement and the log are city-wide: not split by gu.",
    ),
}
KINDS: dict[str, tuple[str, str]] = {
    "BUSINESS_REGISTRATION": ("사업자 등록", "Business registration"),
    "BUILDING_PERMIT": ("건축 허가", "Building permit"),
    "EVENT_LICENCE": ("행사 허가", "Event licence"),
}
CONTRACT_STATES: dict[str, tuple[str, str]] = {
    "DRAFT": ("초안 작성", "Draft"),
    "PUBLISHED": ("공고됨", "Published"),
    "BIDDING": ("입찰 중", "Bidding"),
    "EVALUATED": ("평가 완료", "Evaluated"),
    "AWARDED": ("낙찰", "Awarded"),
    "DELIVERED": ("납품 완료", "Delivered"),
    "PAID": ("대금 지급 완료", "Paid"),
}
IN_FLIGHT = tuple(state for state in CONTRACT_STATES if state != "PAID")
"""The ContractState values of contracts not yet paid, in process order."""
MANUAL_BASELINE_DAYS = 23.0
"""Used only when the answer lacks `manualBaselineDays` (the API states the same 23 days)."""


def label(key: str, lang: Lang) -> str:
    """The trust page's label `key` in `lang` (KeyError for an unknown key)."""
    return in_lang(LABELS[key], lang)


def _word(table: Mapping[str, tuple[str, str]], key: Any, lang: Lang) -> str:
    """`key` in words from `table`, or the key itself when the table does not know it."""
    pair = table.get(str(key))
    if pair is None:
        return str(key) if key is not None else "–"
    return in_lang(pair, lang)


def kind_word(kind: Any, lang: Lang) -> str:
    """A CertificateKind in words."""
    return _word(KINDS, kind, lang)


def state_word(state: Any, lang: Lang) -> str:
    """A ContractState in words."""
    return _word(CONTRACT_STATES, state, lang)


def _days(value: Any, lang: Lang) -> str:
    """Days to one decimal with the unit ("9.5일", "9.5 days"); "–" for None."""
    if value is None:
        return "–"
    space = "" if lang == "ko" else " "
    return f"{number(value, lang, digits=1)}{space}{label('days', lang)}"


def certificate_tiles(trust: Data, lang: Lang) -> list[Tile]:
    """Six tiles: issued, revoked and verified, each in total and today."""
    stats = get(trust, "certificateStatistics")
    keys = ("issued", "issued_today", "revoked", "revoked_today", "verified", "verified_today")
    fields = ("issued", "issuedToday", "revoked", "revokedToday", "verified", "verifiedToday")
    return [
        Tile(
            f"certs-{key.replace('_', '-')}",
            label(key, lang),
            number(get(stats, field), lang),
            "trust",
            label("verified_note", lang) if key.startswith("verified") else "",
        )
        for key, field in zip(keys, fields, strict=True)
    ]


def certificates_by_kind(trust: Data, lang: Lang) -> tuple[Figure | None, list[list[str]]]:
    """Bars of certificates issued per kind and rows `[kind, issued]` (a withheld cell reads
    as withheld, never 0, though counts of documents are not withheld today)."""
    cells = rows_at(trust, "certificateStatistics", "byKind")
    if not cells:
        return None, []
    kinds = [kind_word(c.get("key"), lang) for c in cells]
    counts = [None if c.get("suppressed") else c.get("count") for c in cells]
    texts = [count_text(v, lang) for v in counts]
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "x": kinds,
                "y": [v or 0 for v in counts],
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": theme.CATEGORICAL[0]},
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            yaxis=theme.count_axis(counts, title={"text": label("count", lang)}),
            showlegend=False,
        ),
    }
    return figure, [[k, text] for k, text in zip(kinds, texts, strict=True)]


def procurement_tiles(trust: Data, lang: Lang) -> list[Tile]:
    """Contracts in flight and paid."""
    stats = get(trust, "procurementStatistics")
    return [
        Tile(
            "contracts-in-flight",
            label("in_flight", lang),
            number(get(stats, "inFlight"), lang),
            "trust",
        ),
        Tile(
            "contracts-paid",
            label("completed", lang),
            number(get(stats, "completed"), lang),
            "trust",
        ),
    ]


def baseline_days(trust: Data) -> float:
    """The manual baseline in days from the answer (23 when the answer lacks it)."""
    value = get(trust, "procurementStatistics", "manualBaselineDays")
    return float(value) if isinstance(value, int | float) else MANUAL_BASELINE_DAYS


def _bars_in_days(
    names: list[str],
    days: list[float],
    texts: list[str],
    colours: list[str],
    lang: Lang,
    *,
    height: int,
    **layout: Any,
) -> Figure:
    """Horizontal bars of `days`, one per name (top to bottom), each labelled with its text and
    filled with its colour, on an axis of days from zero; `layout` adds to theme.layout."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": days,
                "text": texts,
                "textposition": "auto",
                "marker": {"color": colours},
                "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={
                "title": {"text": label("days", lang)},
                "rangemode": "tozero",
                "gridcolor": theme.GRID,
            },
            height=height,
            showlegend=False,
            **layout,
        ),
    }


def cycle_vs_baseline(trust: Data, lang: Lang) -> tuple[Figure | None, list[list[str]]]:
    """A bar pair: the median cycle of paid contracts beside the manual baseline, each bar
    labelled with its days; rows `[measure, days]`. None without a median (nothing paid)."""
    stats = get(trust, "procurementStatistics")
    median = get(stats, "medianCycleDays")
    if stats is None:
        return None, []
    baseline = baseline_days(trust)
    rows = [
        [label("median", lang), _days(median, lang)],
        [label("baseline", lang), _days(baseline, lang)],
    ]
    rows += [
        [
            f"{label('by_state', lang)}: {state_word(c.get('key'), lang)}",
            count_text(c.get("count"), lang),
        ]
        for c in rows_at(stats, "byState")
    ]
    if median is None:
        return None, rows
    names = [label("median", lang), label("baseline", lang)]
    texts = [_days(median, lang), _days(baseline, lang)]
    colours = [theme.CATEGORICAL[0], theme.MUTED_TEXT]
    figure = _bars_in_days(names, [median, baseline], texts, colours, lang, height=200)
    return figure, rows


def distinct_names(names: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """`names` with each repeated one told apart by its row's id ("Office paper · c-1a2b"):
    plotly draws equal category names as one bar, so two contracts of the same title would
    show as one."""
    counted = Counter(names)
    return [
        f"{name} · {row.get('id')}" if counted[name] > 1 else name
        for name, row in zip(names, rows, strict=True)
    ]


def contracts_in_flight(
    contracts: Data, baseline: float, lang: Lang
) -> tuple[Figure | None, list[list[str]]]:
    """Horizontal bars of each in-flight contract's days so far (`cycleDays`), the manual
    baseline drawn as a labelled dashed line, and rows `[contract, stage, department, days,
    created]`. A contract past the baseline is named so in its bar's label, not by colour."""
    listed = rows_at(contracts, "contracts")
    if not listed:
        return None, []
    titles = distinct_names([str(c.get("title") or c.get("id")) for c in listed], listed)
    days = [c.get("cycleDays") for c in listed]
    stages = [state_word(c.get("state"), lang) for c in listed]
    over = f" · {label('over_baseline', lang)}"
    texts = [
        f"{_days(d, lang)} · {s}" + (over if (d or 0) > baseline else "")
        for d, s in zip(days, stages, strict=True)
    ]
    colours = [theme.CATEGORICAL[1] if (d or 0) > baseline else theme.CATEGORICAL[0] for d in days]
    figure = _bars_in_days(
        titles,
        [d or 0 for d in days],
        texts,
        colours,
        lang,
        height=max(220, 80 + 36 * len(titles)),
        shapes=[
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": baseline,
                "x1": baseline,
                "line": {"color": theme.TEXT, "dash": "dash", "width": 2},
            }
        ],
        annotations=[
            {
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "x": baseline,
                "text": f"{label('baseline', lang)} {_days(baseline, lang)}",
                "showarrow": False,
                "font": {"color": theme.TEXT, "size": 11},
            }
        ],
    )
    rows = [
        [
            title,
            stage,
            str(c.get("department") or "–"),
            _days(d, lang),
            when(c.get("createdAt"), lang),
        ]
        for title, stage, d, c in zip(titles, stages, days, listed, strict=True)
    ]
    return figure, rows


def _seoul_moment(value: Any) -> str | None:
    """An API DateTime as Asia/Seoul wall time `YYYY-MM-DD HH:MM:SS` (plotly's date axis)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M:%S")


def checkpoint_history(log: Data, lang: Lang) -> tuple[Figure | None, list[list[str]]]:
    """Tree size over time as a step line (oldest to newest) and rows of the signed heads,
    newest first: `[signed at, tree size, root hash, key id]`. `log` holds `logCheckpoints`
    as the API gives it (newest first)."""
    heads = rows_at(log, "logCheckpoints")
    if not heads:
        return None, []
    points = sorted(
        (
            (moment, h.get("treeSize"))
            for h in heads
            if (moment := _seoul_moment(h.get("signedAt"))) is not None
        ),
        key=lambda point: point[0],
    )
    figure: Figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "line": {"shape": "hv", "color": theme.CATEGORICAL[0], "width": 2},
                "marker": {"color": theme.CATEGORICAL[0], "size": 6},
                "x": [p[0] for p in points],
                "y": [p[1] for p in points],
                "hovertemplate": "%{x}: %{y}<extra></extra>",
            }
        ],
        "layout": theme.layout(
            xaxis=theme.date_axis(lang, automargin=True),
            yaxis=theme.count_axis(
                [p[1] for p in points], title={"text": label("tree_size", lang)}
            ),
            showlegend=False,
        ),
    }
    rows = [
        [
            when(h.get("signedAt"), lang),
            number(h.get("treeSize"), lang),
            str(h.get("rootHash") or "–"),
            str(h.get("keyId") or "–"),
        ]
        for h in heads
    ]
    return figure, rows


def history_header(lang: Lang) -> list[str]:
    """The columns of `checkpoint_history`'s table."""
    return [label(k, lang) for k in ("signed_at", "tree_size", "root_hash", "key_id")]


def contracts_header(lang: Lang) -> list[str]:
    """The columns of `contracts_in_flight`'s table."""
    return [label(k, lang) for k in ("contract", "state", "department", "elapsed", "created")]
