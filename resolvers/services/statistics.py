"""Case indicators (`caseStatistics`): open cases by status, Open311 service, department, age
and gu; cases filed and closed today; the median time to resolve a case.

Two aggregate queries per request, whatever is asked and however many aliases ask it: the
graph's Case nodes counted per (gu, status, service code, department, age band), and the case
events' closings (`graph.records.case_figures`). Cases are filed by people: every count is a
count of people, withheld under 5 (`resolvers.core.statistics`) from callers below the analyst
tier. "Today" is the calendar day in Asia/Seoul at the request; times are compared in UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import strawberry

from graph.catalogue import departments, gu_office_id, services
from graph.city_day import day_start
from graph.records.case_figures import CITY, ClosingFigures, closing_figures
from resolvers.core import clock
from resolvers.core.arguments import gu_among, not_a_gu
from resolvers.core.dataloaders import ContextLoader
from resolvers.core.info import Info
from resolvers.core.statistics import KeyCount, cells, published
from resolvers.services.types import CaseStatus

RESOLUTION_WINDOW = timedelta(days=30)
"""Closings the median resolution time is taken over: those of the last 30 days."""
AGE_BANDS = (
    (">30d", timedelta(days=30)),
    ("7-30d", timedelta(days=7)),
    ("3-7d", timedelta(days=3)),
    ("1-3d", timedelta(days=1)),
)
"""Ages of open cases, oldest first, by the age each band's cases exceed: a band holds the
cases older than its bound and no older than the bound before it; `<1d` holds the rest."""
YOUNGEST = "<1d"
OTHER_GROUP = "other"
"""The service group of a service code the catalogue does not know."""
CLOSED = CaseStatus.CLOSED.value


@dataclass(frozen=True)
class CaseCell:
    """Cases of one gu, status, service code and department (`agency_responsible`), filed in
    one age band: 0 for the oldest (`AGE_BANDS[0]`), len(AGE_BANDS) for the last day, one more
    for those filed today."""

    gu: str
    status: str
    service: str
    department: str
    band: int


TODAY_BAND = len(AGE_BANDS) + 1


@dataclass(frozen=True)
class CaseFigures:
    """What the two aggregate queries found, for every gu they covered."""

    cells: dict[CaseCell, int]
    closings: ClosingFigures


class CaseFiguresLoader(ContextLoader[str | None, CaseFigures | None]):
    """The figures of each scope an operation asks (a gu code, or None for the city), None
    for a code that names no gu: the codes checked in one lookup, then one graph aggregate
    and one records aggregate for every valid scope, at one instant."""

    async def batch_load(self, keys: list[str | None]) -> Sequence[CaseFigures | None]:
        asked = [key for key in keys if key is not None]
        named = await gu_among(self.context, asked) if asked else set()
        valid = [key for key in keys if key is None or key in named]
        if not valid:
            return [None] * len(keys)
        now = clock.utc_now()
        today = day_start(now)
        districts = None if None in valid else sorted(named)
        edges = [now - bound for _, bound in AGE_BANDS] + [today]
        equals = {"district_code": districts} if districts is not None else {}
        counted, closings = await asyncio.gather(
            self.context.store.count_cells(
                "Case",
                ("district_code", "status", "service_code", "agency_responsible"),
                equals,
                {"requested_at": edges},
            ),
            closing_figures(
                self.context.records,
                since=now - RESOLUTION_WINDOW,
                today=today,
                districts=districts,
            ),
        )
        by_cell = {
            CaseCell(_text(gu), _text(status), _text(service), _text(department), int(band)): n
            for (gu, status, service, department, band), n in counted.items()
        }
        found = CaseFigures(by_cell, closings)
        return [found if key is None or key in named else None for key in keys]


def _text(value: object) -> str:
    """A grouped property's value as a key ("" for a node without it)."""
    return "" if value is None else str(value)


@strawberry.type(description="One gu's line of the case indicators.")
class DistrictCaseStatistics:
    district_code: str
    open: KeyCount = strawberry.field(
        description="Cases of the gu not closed (key: the gu code); withheld under 5 below "
        "the analyst tier."
    )
    median_resolution_hours: float | None = strawberry.field(
        description="Median hours from request to closing of the gu's cases closed in the "
        "last 30 days; null when none was."
    )


@strawberry.type(
    description="Case indicators (Open311 requests). Every count is a count of people who "
    "filed: under 5 it is withheld (null, `suppressed`) from callers below the analyst tier; "
    "0 is shown. Today is the calendar day in Asia/Seoul."
)
class CaseStatistics:
    open: int | None = strawberry.field(description="Cases not closed (null only if withheld).")
    filed_today: int | None = strawberry.field(description="Cases requested today.")
    closed_today: int | None = strawberry.field(
        description="Cases closed today (reopened since or not)."
    )
    median_resolution_hours: float | None = strawberry.field(
        description="Median hours from request to closing of the cases closed in the last 30 "
        "days and not reopened; null when none was."
    )
    by_status: list[KeyCount] = strawberry.field(
        description="Cases per status: every CaseStatus value by its name, 0 included."
    )
    by_service_group: list[KeyCount] = strawberry.field(
        description="Open cases per Open311 service group (the category), every group of the "
        "catalogue in its order, 0 included."
    )
    by_service: list[KeyCount] = strawberry.field(
        description="Open cases per Open311 service_code (the service mix), every service of "
        "the catalogue in its order, 0 included."
    )
    by_department: list[KeyCount] = strawberry.field(
        description="Open cases per responsible department id (agency_responsible): the city "
        "bureaus, then the gu offices of the gu covered, 0 included."
    )
    ageing: list[KeyCount] = strawberry.field(
        description='Open cases by time since requested: "<1d", "1-3d", "3-7d", "7-30d", '
        '">30d" (each up to and including its upper bound), in that order.'
    )
    by_district: list[DistrictCaseStatistics] = strawberry.field(
        description="One line per gu (all 25, or the one asked), in code order."
    )


async def case_statistics(info: Info, district: str | None = None) -> CaseStatistics:
    """Case indicators of the city, or of the gu `district` (not_found if it names no gu)."""
    context = info.context
    figures = await context.loader(CaseFiguresLoader).load(district)
    if figures is None:
        raise not_a_gu(str(district))
    scope = [district] if district is not None else list(context.locator.gu_codes)
    sees = context.sees_personal_data
    mine = {cell: n for cell, n in figures.cells.items() if cell.gu in scope}
    open_cells = {cell: n for cell, n in mine.items() if cell.status != CLOSED}
    closings = figures.closings
    median_key = district if district is not None else CITY
    return CaseStatistics(
        open=published(sum(open_cells.values()), sees_small_cells=sees),
        filed_today=published(
            sum(n for cell, n in mine.items() if cell.band == TODAY_BAND), sees_small_cells=sees
        ),
        closed_today=published(
            sum(closings.closed_today.get(gu, 0) for gu in scope), sees_small_cells=sees
        ),
        median_resolution_hours=closings.median_hours.get(median_key),
        by_status=cells(
            tally(mine, lambda cell: cell.status, [s.value for s in CaseStatus], rename=_status),
            sees_small_cells=sees,
        ),
        by_service_group=cells(
            tally(open_cells, _group_of(), [s.group for s in services()]), sees_small_cells=sees
        ),
        by_service=cells(
            tally(open_cells, lambda cell: cell.service, [s.code for s in services()]),
            sees_small_cells=sees,
        ),
        by_department=cells(
            tally(open_cells, lambda cell: cell.department, _departments(scope)),
            sees_small_cells=sees,
        ),
        ageing=cells(_ageing(open_cells), sees_small_cells=sees),
        by_district=[
            DistrictCaseStatistics(
                district_code=gu,
                open=cells(
                    [(gu, sum(n for cell, n in open_cells.items() if cell.gu == gu))],
                    sees_small_cells=sees,
                )[0],
                median_resolution_hours=closings.median_hours.get(gu),
            )
            for gu in scope
        ],
    )


def tally(
    counted: dict[CaseCell, int],
    key: Callable[[CaseCell], str],
    known: Iterable[str],
    *,
    rename: Callable[[str], str] = str,
) -> list[tuple[str, int]]:
    """Counts per `key` of the cells: every `known` key in its order (0 included, duplicates
    once), then any other key found, sorted; each key shown as `rename` gives it."""
    totals: dict[str, int] = dict.fromkeys(known, 0)
    extra: dict[str, int] = {}
    for cell, n in counted.items():
        name = key(cell)
        if name in totals:
            totals[name] += n
        else:
            extra[name] = extra.get(name, 0) + n
    return [(rename(k), n) for k, n in [*totals.items(), *sorted(extra.items())]]


def _status(value: str) -> str:
    """A status by its CaseStatus name (an unknown one as stored)."""
    try:
        return CaseStatus(value).name
    except ValueError:
        return value


def _group_of() -> Callable[[CaseCell], str]:
    groups = {s.code: s.group for s in services()}
    return lambda cell: groups.get(cell.service, OTHER_GROUP)


def _departments(scope: Sequence[str]) -> list[str]:
    """The departments a case of `scope` can be assigned: the bureaus, then the gu offices."""
    return [d["code"] for d in departments()] + [gu_office_id(gu) for gu in scope]


def _ageing(open_cells: dict[CaseCell, int]) -> list[tuple[str, int]]:
    """Open cases per age band, `<1d` (the last day, today included) first."""
    per_band = [0] * (TODAY_BAND + 1)
    for cell, n in open_cells.items():
        per_band[cell.band] += n
    oldest_first = [(name, per_band[index]) for index, (name, _) in enumerate(AGE_BANDS)]
    youngest = per_band[len(AGE_BANDS)] + per_band[TODAY_BAND]
    return [(YOUNGEST, youngest), *reversed(oldest_first)]
