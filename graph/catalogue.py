"""The Open311 service catalogue and the city bureaus (graph/data/*.csv).

Seoul's complaint fields and items (응답소, seoul-domain-facts.md §6) as Open311 services, each
with the bureau that handles it and its handling deadline. Shared by the seed and the API.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    name_ko: str
    group: str
    department: str
    keywords: tuple[str, ...]
    deadline_hours: int


@cache
def services() -> tuple[Service, ...]:
    text = (files("graph") / "data" / "services.csv").read_text(encoding="utf-8")
    return tuple(
        Service(
            r["service_code"],
            r["service_name"],
            r["name_ko"],
            r["group"],
            r["department"],
            tuple(r["keywords"].split(";")),
            int(r["deadline_hours"]),
        )
        for r in csv.DictReader(text.splitlines())
    )


def service(code: str) -> Service | None:
    return next((s for s in services() if s.code == code), None)


@cache
def departments() -> tuple[dict[str, str], ...]:
    text = (files("graph") / "data" / "departments.csv").read_text(encoding="utf-8")
    return tuple(dict(r) for r in csv.DictReader(text.splitlines()))


def gu_office_id(gu_code: str) -> str:
    return f"gu-{gu_code}"
