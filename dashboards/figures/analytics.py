"""The analytics page's figures: each model's card (serving version, metrics beside the
baselines with the target and whether it was met, intended use) and the review queue's rows.

Inputs are the `data` of the page's sources (dashboards/pages/analytics.py), any of which may be
None (a refused or failed source): figures are then empty, never an exception. Text is in the
reader's language; what the model card itself says (metric names not listed here, targets,
intended use) is published in English and shown as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from babel.numbers import format_decimal

from dashboards.figures.answers import Data, get
from dashboards.i18n import LOCALES, Lang, in_lang, number

LABELS: dict[str, tuple[str, str]] = {
    "title": ("분석 모델", "Analytics"),
    "models": ("모델 카드", "Model cards"),
    "models_intro": (
        "도시의 네 모델이 지금 제공하는 버전과 평가 결과입니다. 각 지표는 같은 실행에서 잰 "
        "기준 모델 옆에 목표와 달성 여부를 함께 보여 줍니다.",
        "The city's four models as they serve now. Each metric stands beside the baselines "
        "measured in the same run, with its target and whether it was met.",
    ),
    "version": ("제공 버전", "Serving version"),
    "trained_at": ("학습 시각", "Trained at"),
    "meets_targets": ("목표 달성", "Targets met"),
    "all_met": ("모든 목표 달성", "every target met"),
    "some_missed": ("미달 목표 있음", "some targets missed"),
    "metric": ("지표", "Metric"),
    "model_value": ("모델", "Model"),
    "baselines": ("기준 모델", "Baselines"),
    "target": ("목표", "Target"),
    "met": ("달성 여부", "Met"),
    "met_yes": ("✓ 달성", "✓ met"),
    "met_no": ("✗ 미달", "✗ missed"),
    "never": ("감지 못 함", "never"),
    "metrics_caption": ("{model}: 지표와 기준 모델", "{model}: metrics and baselines"),
    "no_metrics": ("평가 지표가 없습니다.", "No metrics were recorded."),
    "intended_use": ("사용 목적", "Intended use"),
    "not_for": ("사용하면 안 되는 곳", "Must not be used for"),
    "not_trained": ("학습되지 않았습니다.", "Not trained."),
    "how_to_train": ("학습하려면 다음을 실행하세요:", "To train it, run:"),
    "card_note": (
        "지표 이름 외의 목표와 사용 목적은 모델 카드에 영어로 기록된 그대로입니다.",
        "Targets and intended use are quoted from the model card as recorded.",
    ),
    "queue": ("검토 대기열", "Review queue"),
    "queue_intro": (
        "사람에게 영향을 주는 모델 결과는 분석가가 승인하거나 반려할 때까지 기다립니다. "
        "최신 항목이 먼저 나옵니다. 다른 분석가의 결정과 예측 실행의 새 경보는 즉시(푸시로) "
        "반영됩니다. 민원 배정 제안은 페이지를 열 때, 결정한 뒤, 그리고 30초마다 새로 고칠 때 "
        "보입니다.",
        "Model outputs that affect people wait here until an analyst approves or rejects them, "
        "newest first. Another analyst's decision and a scoring run's new alarms show at once "
        "(by push). New case routings are not pushed: they show when the page opens, after "
        "each decision and at its 30-second refresh.",
    ),
    "kind_filter": ("검토 종류", "Kind of review"),
    "all_kinds": ("모든 종류", "Every kind"),
    "queue_empty": ("검토를 기다리는 항목이 없습니다.", "Nothing awaits review."),
    "queue_count": ("대기 {total}건 중 최신 {shown}건", "The newest {shown} of {total} pending"),
    "review_id": ("검토 ID", "Review"),
    "kind": ("종류", "Kind"),
    "subject": ("대상", "Subject"),
    "district": ("자치구", "District"),
    "proposal": ("모델의 제안", "The model's proposal"),
    "age": ("대기 시간", "Waiting"),
    "decision": ("결정", "Decision"),
    "note": ("메모", "Note"),
    "note_for": ("{review} 메모", "Note on {review}"),
    "department_for": ("{review} 반려 시 배정할 부서", "Department instead, for {review}"),
    "choose_department": ("부서 선택", "Choose a department"),
    "approve": ("승인", "Approve"),
    "reject": ("반려", "Reject"),
    "approve_review": ("{review} 승인", "Approve {review}"),
    "reject_review": ("{review} 반려", "Reject {review}"),
    "approved": ("{review}을(를) 승인했습니다.", "{review} approved."),
    "rejected": ("{review}을(를) 반려했습니다.", "{review} rejected."),
    "logged": ("기록 로그 항목 #{leaf}", "log leaf #{leaf}"),
    "refused": (
        "검토 결정은 분석가 또는 운영자만 할 수 있습니다.",
        "Only analysts and operators may approve or reject.",
    ),
    "failed": ("결정을 기록하지 못했습니다", "The decision was not recorded"),
    "confidence": ("신뢰도", "confidence"),
    "department": ("부서", "department"),
    "just_now": ("방금", "just now"),
    "minutes": ("{n}분", "{n} min"),
    "hours": ("{n}시간", "{n} h"),
    "days": ("{n}일", "{n} days"),
    # ReviewKind
    "CASE_ROUTING": ("민원 부서 배정", "Case routing"),
    "PATROL_ALLOCATION": ("순찰 배치", "Patrol allocation"),
    "OUTBREAK_ALARM": ("감염병 경보", "Outbreak alarm"),
    "WATER_ALARM": ("수질 경보", "Water alarm"),
    # the models (ml.registry.MODELS)
    "model.routing": ("민원 부서 배정 모델", "Complaint routing"),
    "model.water": ("수질 이상 탐지 모델", "Water-quality anomaly detection"),
    "model.outbreak": ("감염병 조기 경보 모델", "Outbreak early warning"),
    "model.hotspots": ("사건 다발 지점 예측 모델", "Incident hotspot forecast"),
    # AnalyticsErrorCode: why a decision was refused
    "error.NOT_FOUND": ("이 검토 항목이 없습니다", "there is no such review"),
    "error.ALREADY_DECIDED": (
        "이미 결정된 항목입니다 (다른 분석가가 먼저 결정했을 수 있습니다)",
        "it was decided already (perhaps a moment ago by another analyst)",
    ),
    "error.INVALID_CORRECTION": (
        "민원 배정을 반려하려면 제안과 다른 부서를 골라야 합니다",
        "rejecting a routing needs a department other than the one proposed",
    ),
    "error.NOTE_TOO_LONG": ("메모는 2,000자까지입니다", "a note is at most 2,000 characters"),
    "error.INVALID_DECIDER": (
        "키로 로그인해야 결정할 수 있습니다",
        "deciding needs a signed-in key",
    ),
    "error.FORBIDDEN": (
        "분석가 또는 운영자 키만 결정할 수 있습니다",
        "only an analyst or operator key may decide",
    ),
    "error.bad_user_input": (
        "메모에 저장할 수 없는 문자(NUL 등)가 있습니다",
        "the note holds characters that cannot be stored (such as NUL)",
    ),
    "error.other": ("알 수 없는 오류입니다", "an unexpected error"),
}
"""The page's labels, (Korean, English)."""

METRICS: dict[str, tuple[str, str]] = {
    "accuracy": ("정확도", "accuracy"),
    "macro_f1": ("매크로 F1", "macro-F1"),
    "review_share": ("검토로 넘기는 비율", "share sent to review"),
    "confident_accuracy": ("확신한 배정의 정확도", "accuracy of confident routings"),
    "precision": ("정밀도", "precision"),
    "sensitivity": ("민감도", "sensitivity"),
    "median detection delay": ("탐지 지연 중앙값", "median detection delay"),
    "false alarms per station-month": ("측정소·월당 오경보", "false alarms per station-month"),
    "events detected": ("탐지한 사건 비율", "events detected"),
    "false alarms per series-year": ("계열·년당 오경보", "false alarms per series-year"),
    "median detection delay, thresholds matched on the evaluation draws": (
        "탐지 지연 중앙값 (평가 자료에서 임계값을 맞춘 비교)",
        "median detection delay, thresholds matched on the evaluation draws",
    ),
    "events found within 4 h": ("4시간 안에 찾은 사건", "events found within 4 h"),
    "warning before ER peak (detected episodes)": (
        "응급실 방문 정점 전 경보 (탐지한 유행)",
        "warning before ER peak (detected episodes)",
    ),
    "first alarm earlier than ears_c2 (episodes both detected)": (
        "EARS C2보다 앞선 첫 경보 (둘 다 탐지한 유행)",
        "first alarm earlier than ears_c2 (episodes both detected)",
    ),
    "PAI at 5 % of the area (recorded incidents)": (
        "면적 5 %의 PAI (기록된 사건)",
        "PAI at 5 % of the area (recorded incidents)",
    ),
    "hit rate at 5 % of the area (recorded incidents)": (
        "면적 5 %의 적중률 (기록된 사건)",
        "hit rate at 5 % of the area (recorded incidents)",
    ),
    "PAI at 5 % of the area (true intensity)": (
        "면적 5 %의 PAI (실제 강도)",
        "PAI at 5 % of the area (true intensity)",
    ),
}
"""Metric names of the models' cards (ml/*.py `Comparison`) in Korean; others stay as
published (a card of an older version may name one differently)."""

UNITS: dict[str, tuple[str, str]] = {
    "h": ("시간", "h"),
    "days": ("일", "days"),
    "alarm days": ("경보 일수", "alarm days"),
    "share": ("비율", "share"),
}
"""The metrics' units in Korean; others stay as published."""


def label(key: str, lang: Lang, **values: object) -> str:
    """The label `key` in `lang`, with `{name}` placeholders filled from `values`."""
    text = in_lang(LABELS[key], lang)
    return text.format(**values) if values else text


def model_name(name: str, lang: Lang) -> str:
    """A model's name in words (the registry's name for a model not listed)."""
    pair = LABELS.get(f"model.{name}")
    return in_lang(pair, lang) if pair else name


def metric_name(metric: str, lang: Lang) -> str:
    return in_lang(METRICS.get(metric, (metric, metric)), lang)


def metric_unit(unit: str, lang: Lang) -> str:
    return in_lang(UNITS.get(unit, (unit, unit)), lang)


def figure(value: object, lang: Lang) -> str:
    """A metric's value to 4 significant digits (at most 4 decimals, no trailing zeros) in
    the reader's locale; "–" for none."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    digits = 0 if value == 0 else min(4, max(0, 3 - int(f"{abs(value):e}".split("e")[1])))
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern, locale=LOCALES[lang])


def baseline_figure(value: object, lang: Lang) -> str:
    """A baseline's value as `figure` gives it; null is a detector that never detected (the
    API's `Baseline.value`), "never" in words."""
    return label("never", lang) if value is None else figure(value, lang)


@dataclass(frozen=True)
class ModelCard:
    """One model as `models` gives it: trained or not (then `how_to_train` is the command that
    trains it), and its card's fields."""

    name: str
    trained: bool
    how_to_train: str
    version: str | None
    trained_at: str | None
    meets_targets: bool | None
    metrics: tuple[Mapping[str, Any], ...]
    intended_use: str | None
    not_for: str | None


def cards(data: Data) -> list[ModelCard]:
    """The models of a `models` answer, in the API's order (none when it failed)."""
    found = get(data, "models")
    if not isinstance(found, list):
        return []
    return [
        ModelCard(
            name=str(m.get("name", "")),
            trained=bool(m.get("trained")),
            how_to_train=f"civicgraph ml train {m.get('name', '')}",
            version=m.get("version"),
            trained_at=m.get("trainedAt"),
            meets_targets=m.get("meetsTargets"),
            metrics=tuple(x for x in m.get("metrics") or [] if isinstance(x, Mapping)),
            intended_use=m.get("intendedUse"),
            not_for=m.get("notFor"),
        )
        for m in found
        if isinstance(m, Mapping)
    ]


def metrics_header(lang: Lang) -> list[str]:
    return [label(k, lang) for k in ("metric", "model_value", "baselines", "target", "met")]


def metric_rows(card: ModelCard, lang: Lang) -> list[list[str]]:
    """One row per metric: its name (with its unit), the model's figure, each baseline's
    "name figure" ("never" for a baseline that never detected), the target, and met or missed
    in words and a mark (never colour alone)."""
    rows = []
    for m in card.metrics:
        unit = str(m.get("unit") or "")
        name = metric_name(str(m.get("metric", "")), lang)
        name += f" ({metric_unit(unit, lang)})" if unit else ""
        baselines = "; ".join(
            f"{b.get('name')} {baseline_figure(b.get('value'), lang)}"
            for b in m.get("baselines") or []
            if isinstance(b, Mapping)
        )
        met = label("met_yes" if m.get("met") else "met_no", lang)
        rows.append(
            [name, figure(m.get("model"), lang), baselines or "–", str(m.get("target", "")), met]
        )
    return rows


@dataclass(frozen=True)
class QueueItem:
    """One pending review as the page shows it."""

    id: str
    kind: str
    subject: str
    district_code: str | None
    proposal: Mapping[str, Any]
    created_at: str | None

    @property
    def is_routing(self) -> bool:
        return self.kind == "CASE_ROUTING"


def queue(data: Data) -> tuple[list[QueueItem], int]:
    """The pending reviews of a `reviewQueue` answer in its order (newest first), and how many
    are pending in all."""
    connection = get(data, "reviewQueue")
    if not isinstance(connection, Mapping):
        return [], 0
    items = []
    for edge in connection.get("edges") or []:
        node = edge.get("node") if isinstance(edge, Mapping) else None
        if not isinstance(node, Mapping):
            continue
        proposal = node.get("proposal")
        items.append(
            QueueItem(
                id=str(node.get("id", "")),
                kind=str(node.get("kind", "")),
                subject=str(node.get("subject", "")),
                district_code=node.get("districtCode"),
                proposal=proposal if isinstance(proposal, Mapping) else {},
                created_at=node.get("createdAt"),
            )
        )
    total = connection.get("totalCount")
    return items, total if isinstance(total, int) else len(items)


def kind_name(kind: str, lang: Lang) -> str:
    pair = LABELS.get(kind)
    return in_lang(pair, lang) if pair and kind.isupper() else kind


def age(created_at: str | None, lang: Lang, now: datetime | None = None) -> str:
    """How long a review has waited, in whole minutes, hours or days ("just now" under a
    minute or for a time after `now`)."""
    if not created_at:
        return "–"
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    minutes = int(((now or datetime.now(UTC)) - moment).total_seconds() // 60)
    if minutes < 1:
        return label("just_now", lang)
    if minutes < 60:
        return label("minutes", lang, n=minutes)
    if minutes < 60 * 48:
        return label("hours", lang, n=minutes // 60)
    return label("days", lang, n=number(minutes // (60 * 24), lang))


def queue_header(lang: Lang) -> list[str]:
    """The queue table's columns (the review id is the row header; the decision form last)."""
    keys = ("subject", "kind", "district", "proposal", "age", "decision")
    return [label(k, lang) for k in keys]


def department_names(data: Data, lang: Lang) -> dict[str, str]:
    """Department id → its name in `lang`, from `departments { id nameEn nameKo }`."""
    found = get(data, "departments")
    return {
        str(d["id"]): str(d["nameKo"] if lang == "ko" else d["nameEn"])
        for d in found or []
        if isinstance(d, Mapping) and d.get("id")
    }


def outcome(
    result: Mapping[str, Any] | None, review: str, approve: bool, lang: Lang
) -> tuple[bool, str]:
    """Whether a decision stands, and what happened in words: the success with its log leaf,
    or the typed error's reason (its code after it, for whoever reports it)."""
    if isinstance(result, Mapping) and isinstance(result.get("review"), Mapping):
        text = label("approved" if approve else "rejected", lang, review=review)
        leaf = result["review"].get("leafIndex")
        return True, text + (f" ({label('logged', lang, leaf=leaf)})" if leaf is not None else "")
    code = str(result.get("code", "")) if isinstance(result, Mapping) else ""
    key = f"error.{code}" if f"error.{code}" in LABELS else "error.other"
    return False, f"{label('failed', lang)}: {label(key, lang)}" + (f" ({code})" if code else "")


def meets_text(card: ModelCard, lang: Lang) -> str:
    if card.meets_targets is None:
        return "–"
    return label("met_yes" if card.meets_targets else "met_no", lang) + (
        f" ({label('all_met' if card.meets_targets else 'some_missed', lang)})"
    )
