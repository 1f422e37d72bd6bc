"""Korean and English labels, and numbers and times in the reader's locale (Asia/Seoul time).

Labels live in one catalogue keyed by a short id; `t(key, lang)` picks the language and falls
back to English for a key without Korean (a test checks there is none). Numbers and dates are
formatted by Babel (CLDR data: `ko_KR`, `en_GB`), times always in Asia/Seoul.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeGuard
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")
DEFAULT_LANG: Lang = "ko"
SEOUL = ZoneInfo("Asia/Seoul")
LOCALES: dict[Lang, str] = {"ko": "ko_KR", "en": "en_GB"}
MOMENT_PATTERNS: dict[Lang, str] = {"ko": "yyyy. M. d. HH:mm", "en": "d MMM yyyy, HH:mm"}
"""24-hour clock in both: CLDR's Korean short day periods are "AM"/"PM" in Latin letters."""


def is_lang(value: object) -> TypeGuard[Lang]:
    return value in LANGS


def lang_of(value: object) -> Lang:
    """`value` when it names a language, else the default (Korean)."""
    return value if is_lang(value) else DEFAULT_LANG


CATALOGUE: dict[str, tuple[str, str]] = {
    # chrome
    "app.title": ("서울 시장실 대시보드", "Seoul Mayor's Dashboard"),
    "app.public_title": ("서울 공개 지표", "Seoul public indicators"),
    "nav.label": ("대시보드 페이지", "Dashboard pages"),
    "nav.overview": ("개요", "Overview"),
    "nav.map": ("지도", "Map"),
    "nav.sensors": ("센서", "Sensors"),
    "nav.cases": ("민원", "Cases"),
    "nav.polls": ("투표", "Polls"),
    "nav.trust": ("신뢰", "Trust"),
    "nav.analytics": ("분석 모델", "Analytics"),
    "nav.public": ("공개 지표", "Public indicators"),
    "lang.label": ("언어", "Language"),
    "skip": ("본문 바로가기", "Skip to content"),
    "gu.label": ("자치구", "District (gu)"),
    "gu.all": ("서울 전체", "All of Seoul"),
    "live.pause": ("실시간 갱신 일시정지", "Pause live updates"),
    "live.resume": ("실시간 갱신 재개", "Resume live updates"),
    "live.connecting": ("실시간 연결 중…", "Connecting to live updates…"),
    "live.open": ("실시간 연결됨", "Live: connected"),
    "live.closed": (
        "실시간 연결이 끊겼습니다. 다시 연결하는 중…",
        "Live connection lost. Reconnecting…",
    ),
    "live.paused": ("실시간 갱신 일시정지됨", "Live updates paused"),
    "live.updated": ("갱신", "Updated"),
    "signin.title": ("로그인", "Sign in"),
    "signin.intro": (
        "운영자와 분석가는 API 키로 로그인합니다. 키가 없으면 공개 지표를 볼 수 있습니다.",
        "Operators and analysts sign in with their API key. Without one, see the public "
        "indicators.",
    ),
    "signin.key": ("API 키", "API key"),
    "signin.submit": ("로그인", "Sign in"),
    "signin.out": ("로그아웃", "Sign out"),
    "signin.as": ("로그인한 키", "Signed in as"),
    "signin.needed": (
        "이 페이지는 분석가 또는 운영자 키가 필요합니다.",
        "This page needs an analyst or operator key.",
    ),
    "signin.failed": ("키가 올바르지 않거나 폐기되었습니다.", "Unknown or revoked key."),
    "signin.origin": (
        "다른 사이트에서 보낸 로그인 요청은 받지 않습니다.",
        "A sign-in sent from another site is refused.",
    ),
    "signin.form": (
        "로그인 요청은 이 페이지의 양식으로 보내야 합니다.",
        "A sign-in is sent with this page's form.",
    ),
    "signin.too_large": ("로그인 요청이 너무 큽니다.", "The sign-in request is too large."),
    "door.rate_limited": (
        "요청이 너무 많습니다. {seconds}초 후에 다시 시도하세요.",
        "Too many requests. Try again in {seconds} seconds.",
    ),
    "door.service_unavailable": (
        "도시 데이터 저장소에 지금 연결할 수 없습니다. {seconds}초 후에 다시 시도하세요.",
        "The city's data stores cannot be reached now. Try again in {seconds} seconds.",
    ),
    "door.unauthenticated": (
        "API 키가 올바르지 않거나 폐기되었습니다.",
        "The API key is unknown or revoked.",
    ),
    "signin.too_many": (
        "잘못된 키가 너무 많았습니다. 잠시 후 다시 시도하세요.",
        "Too many wrong keys. Try again later.",
    ),
    "tier.public": ("공개", "public"),
    "tier.developer": ("개발자", "developer"),
    "tier.analyst": ("분석가", "analyst"),
    "tier.operator": ("운영자", "operator"),
    # panels
    "panel.source": ("출처 쿼리", "Source query"),
    "panel.table": ("데이터 표", "Data table"),
    "panel.suppressed": ("5 미만 비공개", "under 5, withheld"),
    "panel.none": ("자료 없음", "no data"),
    "panel.error": ("이 지표를 불러오지 못했습니다", "This indicator could not be loaded"),
    # why a panel's source was refused, by the API's `extensions.code`
    "error.forbidden": ("이 등급의 키로는 볼 수 없습니다", "your key's tier may not see it"),
    "error.unauthenticated": ("키가 폐기되었거나 만료되었습니다", "your key is revoked or expired"),
    "error.rate_limited": (
        "요청 한도를 넘었습니다. 잠시 후 자동으로 다시 불러옵니다",
        "your key's request quota is spent; it reloads by itself later",
    ),
    "error.query_too_costly": ("요청이 너무 큽니다", "the query is too large"),
    "error.not_found": ("찾을 수 없습니다", "not found"),
    "error.other": ("서버 오류입니다. 잠시 후 다시 시도하세요", "a server error; try again later"),
    "col.key": ("항목", "Item"),
    "col.value": ("값", "Value"),
    "col.district": ("자치구", "District"),
    "col.time": ("시각", "Time"),
    # indicator groups
    "group.services": ("민원", "Cases"),
    "group.sensing": ("환경 센서", "Environment sensors"),
    "group.identity": ("주민 투표", "Resident polls"),
    "group.data": ("열린데이터", "Open data"),
    "group.trust": ("신뢰 (증명서·조달·로그)", "Trust (certificates, procurement, log)"),
}


BAND_NAMES_KO: dict[str, str] = {
    "Good": "좋음",
    "Moderate": "보통",
    "Unhealthy": "나쁨",
    "Very unhealthy": "매우나쁨",
    "Within day limit": "주간 기준 이내",
    "Over residential day limit": "주거지역 주간 기준 초과",
    "Over roadside day limit": "도로변 주간 기준 초과",
    "Within night limit": "야간 기준 이내",
    "Over residential night limit": "주거지역 야간 기준 초과",
    "Over roadside night limit": "도로변 야간 기준 초과",
}
"""The reading bands' names (`readingBands`, published in English) in Korean: Korea's CAI
grades as AirKorea writes them (airkorea.or.kr) and the noise standard's day and night limits."""


def band_name(name: str | None, lang: Lang) -> str:
    """A reading band's published name in `lang`; a name not listed stays as published, and
    None is an en dash."""
    if name is None:
        return "–"
    return BAND_NAMES_KO.get(name, name) if lang == "ko" else name


STATUS_NAMES: dict[str, tuple[str, str]] = {
    "active": ("운영 중", "active"),
    "offline": ("연결 끊김", "offline"),
    "maintenance": ("점검 중", "maintenance"),
}
"""A sensor's or an asset's `status` (the registry's word) in Korean and English."""


def status_name(status: str | None, lang: Lang) -> str:
    """A sensor's or asset's status in words in `lang` (one not known here stays as
    registered; none is an en dash)."""
    if not status:
        return "–"
    return in_lang(STATUS_NAMES.get(status, (status, status)), lang)


def in_lang(pair: tuple[str, str], lang: Lang) -> str:
    """The Korean or the English text of a `(ko, en)` pair, as `lang` asks."""
    ko, en = pair
    return ko if lang == "ko" else en


def t(key: str, lang: Lang) -> str:
    """The label `key` in `lang`. Raises KeyError for a key not in the catalogue."""
    return in_lang(CATALOGUE[key], lang)


def number(value: float | int | None, lang: Lang, *, digits: int = 0) -> str:
    """`value` with the locale's grouping and `digits` decimals; an en dash for None."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def when(value: datetime | str | None, lang: Lang) -> str:
    """A moment in Asia/Seoul to the minute (MOMENT_PATTERNS); an en dash for None.

    Accepts the API's ISO 8601 strings (offset required; naive values are UTC)."""
    if value is None:
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return format_datetime(moment, MOMENT_PATTERNS[lang], tzinfo=SEOUL, locale=LOCALES[lang])
