"""Seoul's figures at scale factor 1.0 (seeds/data/city_figures.csv) and their scaled counts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

READING_INTERVAL_S = 120
RANDOM_SEED = 20261125


@cache
def figures() -> dict[str, int]:
    text = (files("seeds") / "data" / "city_figures.csv").read_text(encoding="utf-8")
    return {row["figure"]: int(row["at_scale_1"]) for row in csv.DictReader(text.splitlines())}


@dataclass(frozen=True)
class Scale:
    """Counts at a scale factor. Requires 0 < factor <= 1."""

    factor: float

    def count(self, figure: str, *, minimum: int = 0) -> int:
        return max(round(figures()[figure] * self.factor), minimum)
