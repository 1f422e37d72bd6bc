"""English names of Seoul's legal dong, written in the Revised Romanization of Korean
(국어의 로마자 표기법, 문화관광부 고시 제2000-8호) as the city's own signs write them: "청운동" is
"Cheongun-dong", "세종로" "Sejong-ro", "종로1가" "Jong-ro 1-ga", "봉래동1가" "Bongnae-dong 1-ga".

The name is read as its place name and the administrative units after it (동 dong, 로 ro, 가 ga,
with the 가's number). The place name is romanized with its pronunciation rules by `koroman`
(consonant assimilation: 독립문 Dongnimmun, 왕십리 Wangsimni; no tensing, which RR does not
write: 석관 Seokgwan); each unit is written after a hyphen, and no assimilation is written
across it (RR chapter 3, article 5, for 동 and 가; a road's 로 as road-name addresses write it:
신문로 is Sinmun-ro, not Sinmunno).
"""

from __future__ import annotations

import re

import koroman

_PARTS = re.compile(
    r"(?P<place>[가-힣]+?)(?P<unit>동|로(?!동))?(?:(?P<number>[0-9]+(?:[·.,][0-9]+)*)(?P<ga>가)?)?"
    r"(?P<dong>동)?"
)
"""A dong's name: a place name, then at most a 동 or 로, a number (of a 가, or of the dong:
역삼1동, 상계3·4동) and a last 동. A 로 right before the last 동 belongs to the place name
(구로동 is Guro-dong, 한강로동 Hangangno-dong): only a road's 로 stands alone or before a 가."""
_UNITS = {"동": "dong", "로": "ro"}


def romanized_place(korean: str) -> str:
    """`korean` (Hangul syllables) in the Revised Romanization, capitalised: "독립문" is
    "Dongnimmun". Raises ValueError for text that is not Hangul syllables."""
    if re.fullmatch(r"[가-힣]+", korean) is None:
        raise ValueError(f"not Hangul syllables: {korean!r}")
    latin = str(koroman.romanize(korean))
    return latin[:1].upper() + latin[1:]


def dong_name_en(name_ko: str) -> str:
    """The English name of a dong from its Korean name, as above ("봉래동1가" is
    "Bongnae-dong 1-ga", "역삼1동" "Yeoksam 1-dong"). Raises ValueError for a name not of that
    shape."""
    match = _PARTS.fullmatch(name_ko)
    if match is None:
        raise ValueError(f"not a legal dong's name: {name_ko!r}")
    name = romanized_place(match["place"])
    if match["unit"]:
        name += "-" + _UNITS[match["unit"]]
    if match["number"]:
        name += " " + re.sub("[.,]", "·", match["number"]) + ("-ga" if match["ga"] else "")
    if match["dong"]:
        name += "-dong"
    return name
