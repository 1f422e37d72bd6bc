"""Dong names in English: the Revised Romanization of Korean, with the administrative units
hyphenated and no assimilation written across the hyphen, as Seoul's signs write them."""

from __future__ import annotations

import re

import pytest

from seeds.districts import seoul_dong
from seeds.dong_names import dong_name_en, romanized_place


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("청운동", "Cheongun-dong"),
        ("명동1가", "Myeong-dong 1-ga"),
        ("봉래동1가", "Bongnae-dong 1-ga"),
        ("세종로", "Sejong-ro"),
        ("신문로2가", "Sinmun-ro 2-ga"),  # not Sinmunno: nothing assimilates across the hyphen
        ("을지로4가", "Eulji-ro 4-ga"),
        ("신림동", "Sillim-dong"),  # ㄴ before ㄹ: [실림]
        ("왕십리동", "Wangsimni-dong"),  # ㅂ+ㄹ: [왕심니]
        ("석관동", "Seokgwan-dong"),  # tensing [석꽌] is not written
        ("역삼1동", "Yeoksam 1-dong"),
        ("상계3·4동", "Sanggye 3·4-dong"),
        ("종로1·2·3·4가동", "Jong-ro 1·2·3·4-ga-dong"),
        ("동선동1가", "Dongseon-dong 1-ga"),  # a place name that begins with 동
        ("구로동", "Guro-dong"),  # a place name that ends with 로, not a road
        ("한강로동", "Hangangno-dong"),
        ("한강로1가", "Hangang-ro 1-ga"),
    ],
)
def test_dong_names_in_the_revised_romanization(korean: str, english: str) -> None:
    assert dong_name_en(korean) == english


@pytest.mark.parametrize("name", ["", "Myeongdong", "명동 1가", "1가", "명동１가"])
def test_a_name_of_another_shape_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a legal dong's name"):
        dong_name_en(name)


def test_a_place_name_is_capitalised() -> None:
    assert romanized_place("독립문") == "Dongnimmun"


def test_every_seeded_dong_has_an_english_name() -> None:
    dong = seoul_dong()
    assert len(dong) > 400
    for area in dong:
        assert re.fullmatch(r"[A-Z][a-z]+(-(dong|ro))?( [0-9·]+(-ga)?)?(-dong)?", area.name_en), (
            area.name_ko,
            area.name_en,
        )
