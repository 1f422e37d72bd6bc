"""The dashboards' colours, labels, formats and session tokens (pure units)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboards import theme
from dashboards.i18n import BAND_NAMES_KO, CATALOGUE, band_name, lang_of, number, t, when
from dashboards.session import Sessions, load_session_key, session_cookie


def test_text_reaches_4_5_and_graphics_3_to_1_on_the_background() -> None:
    for colour in (theme.TEXT, theme.MUTED_TEXT, theme.FOCUS):
        assert theme.contrast(colour, theme.BACKGROUND) >= 4.5
    for colour in (*theme.CATEGORICAL, *theme.BANDS):
        assert theme.contrast(colour, theme.BACKGROUND) >= 3.0
    assert theme.contrast(theme.TEXT, theme.SEQUENTIAL[0]) >= 4.5  # polygon outlines
    assert theme.contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)


def test_every_label_has_korean_and_english() -> None:
    for key, (ko, en) in CATALOGUE.items():
        assert ko.strip(), key
        assert en.strip(), key
        assert ko != en or key.startswith("lang."), key
    assert t("nav.map", "ko") == "지도"
    assert lang_of("fr") == "ko"
    assert lang_of({"x": 1}) == "ko"
    assert lang_of("en") == "en"


def test_band_names_are_korean_and_unknown_ones_stay_as_published() -> None:
    assert band_name("Very unhealthy", "ko") == BAND_NAMES_KO["Very unhealthy"] == "매우나쁨"
    assert band_name("Very unhealthy", "en") == "Very unhealthy"
    assert band_name("Hazardous", "ko") == "Hazardous"
    assert band_name(None, "en") == "–"


def test_numbers_and_times_in_the_locale_and_seoul_time() -> None:
    assert number(1234567.891, "en", digits=1) == "1,234,567.9"
    assert number(None, "ko") == "–"
    assert when("2026-11-30T15:30:00Z", "ko") == "2026. 12. 1. 00:30"  # Seoul is UTC+9
    assert when(datetime(2026, 11, 30, 15, 30, tzinfo=UTC), "en") == "1 Dec 2026, 00:30"
    assert when("2026-11-30T15:30:00", "en") == "1 Dec 2026, 00:30"  # naive means UTC


def test_a_session_token_names_the_key_hash_until_it_expires(tmp_path: Path) -> None:
    key = load_session_key(tmp_path / "keys" / "session.key")
    assert load_session_key(tmp_path / "keys" / "session.key") == key  # made once
    sessions = Sessions(key, max_age_s=3600)
    digest = "ab" * 32
    token = sessions.token(digest)
    assert sessions.key_hash(token) == digest
    # a character in the middle of the signature (the last one may carry only padding bits)
    middle = len(token) - 10
    forged = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    assert sessions.key_hash(forged) is None
    assert Sessions(b"x" * 32, 3600).key_hash(token) is None  # another deployment's key
    assert sessions.key_hash("not a token") is None
    assert sessions.key_hash("a" * 1000) is None
    assert sessions.key_hash(sessions.token("not a hash")) is None
    expired = Sessions(key, max_age_s=1)
    old = expired.token(digest)
    time.sleep(2.1)
    assert expired.key_hash(old) is None


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_bytes(b"short")
    with pytest.raises(Exception, match="not 32 bytes"):
        load_session_key(path)


def test_the_cookie_header_is_read_among_others() -> None:
    scope = {"headers": [(b"cookie", b"a=1; civic_dashboard=tok.en; b=2")]}
    assert session_cookie(scope) == "tok.en"
    assert session_cookie({"headers": [(b"cookie", b"civic_dashboard=")]}) is None
    assert session_cookie({"headers": []}) is None


def test_date_axes_name_no_english_month_on_a_korean_page() -> None:
    ko, en = theme.date_axis("ko"), theme.date_axis("en", automargin=True)
    assert "%b" not in ko["tickformat"]
    assert "%b" not in ko["hoverformat"]
    assert "월" in ko["tickformat"]
    assert ko["type"] == "date"
    assert en["automargin"] is True
    for stop in ko["tickformatstops"]:
        assert "%b" not in stop["value"]


def test_date_axes_tick_seconds_when_ticks_are_under_a_minute_apart() -> None:
    # checkpoints signed seconds apart: ticks to the minute would all read the same minute
    stops = {tuple(s["dtickrange"]): s["value"] for s in theme.date_axis("en")["tickformatstops"]}
    assert stops[(None, 1000)].endswith("%H:%M:%S.%L")
    assert stops[(1000, 60_000)].endswith("%H:%M:%S")
    assert stops[(60_000, None)].endswith("%H:%M")


@pytest.mark.parametrize(
    ("values", "every_one"),
    [([], True), ([None, 0], True), ([1, 3], True), ([10], True), ([11], False), ([4_000], False)],
)
def test_count_axes_tick_only_whole_numbers(values: list[int | None], every_one: bool) -> None:
    # plotly ticks 0.2, 0.4, ... on a count axis whose top is 1: small counts tick every 1
    axis = theme.count_axis(values, title={"text": "Ballots"})
    assert axis["tickformat"] == ",d"
    assert axis["rangemode"] == "tozero"
    assert axis["title"] == {"text": "Ballots"}
    assert ("dtick" in axis) is every_one
    if every_one:
        assert (axis["tick0"], axis["dtick"]) == (0, 1)
