"""A panel whose source was refused says why in the reader's language, codes after the words."""

from __future__ import annotations

from typing import Any

import pytest

from dashboards import panels


def text_of(section: Any) -> str:
    return str(section.children[1].children)


@pytest.mark.parametrize(
    ("codes", "ko", "en"),
    [
        (
            {"forbidden"},
            "이 지표를 불러오지 못했습니다: 이 등급의 키로는 볼 수 없습니다 (forbidden)",
            "This indicator could not be loaded: your key's tier may not see it (forbidden)",
        ),
        (
            {"rate_limited"},
            "이 지표를 불러오지 못했습니다: 요청 한도를 넘었습니다. 잠시 후 자동으로 다시 "
            "불러옵니다 (rate_limited)",
            "This indicator could not be loaded: your key's request quota is spent; it reloads "
            "by itself later (rate_limited)",
        ),
        (
            {""},
            "이 지표를 불러오지 못했습니다: 서버 오류입니다. 잠시 후 다시 시도하세요",
            "This indicator could not be loaded: a server error; try again later",
        ),
        (
            {"something_new"},
            "이 지표를 불러오지 못했습니다: 서버 오류입니다. 잠시 후 다시 시도하세요 "
            "(something_new)",
            "This indicator could not be loaded: a server error; try again later (something_new)",
        ),
    ],
)
def test_a_failed_panel_says_why_in_words(codes: set[str], ko: str, en: str) -> None:
    assert text_of(panels.failed("PM2.5", codes, "ko")) == ko
    assert text_of(panels.failed("PM2.5", codes, "en")) == en
    assert panels.failed("PM2.5", codes, "en").role == "alert"
