"""`caseStatistics` on both backends: every figure equals the same figure counted case by case
in Python from the stores, small cells of people are withheld below the analyst tier, a filed
and a closed case move the figures, and a district that is not a gu is refused."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph.catalogue import departments, gu_office_id, services
from graph.city_day import day_start
from graph.query import NodeQuery
from graph.records.api_keys import Tier
from graph.records.case_events import events_by_case
from resolvers.core import clock
from resolvers.core.statistics import published
from tests.conftest import SEED_UNTIL
from tests.contract.conftest import Backend, unique
from tests.helpers import error_codes, graphql

GU = "11680"  # Gangnam-gu
COEX = {"lat": 37.5115, "lon": 127.0595}  # inside Gangnam-gu
NOW = SEED_UNTIL + timedelta(hours=2)
"""11:00 in Seoul on the seed's last day: its cases since midnight are today's."""
CELL = "{ key count suppressed }"
STATS = f"""query ($d: String) {{ caseStatistics(district: $d) {{
  open filedToday closedToday medianResolutionHours
  byStatus {CELL} byServiceGroup {CELL} byService {CELL} byDepartment {CELL} ageing {CELL}
  byDistrict {{ districtCode open {CELL} medianResolutionHours }} }} }}"""
FILE_CASE = """mutation ($input: FileCaseInput!) {
  fileCase(input: $input) { ... on FileCaseSuccess { case { id } } } }"""
SET_STATUS = """mutation ($id: ID!, $status: CaseStatus!) {
  updateCaseStatus(input: {id: $id, status: $status}) {
    ... on UpdateCaseStatusSuccess { case { id status } } } }"""


AGES = (timedelta(hours=12), timedelta(days=2), timedelta(days=5), timedelta(days=10))
"""Open cases of the `aged_cases` fixture, one per age band below 30 days (the seed has few
open cases: most are resolved within days)."""


@pytest.fixture
async def aged_cases(backend: Backend) -> AsyncIterator[list[str]]:
    """Open cases in `GU` requested at each of `AGES` before `NOW` and 40 days before it
    (graph nodes only, as the seed writes them); removed afterwards."""
    made = []
    for age in (*AGES, timedelta(days=40)):
        case_id = unique("case")
        asked = NOW - age
        props = {
            "id": case_id,
            "service_code": "noise",
            "service_name": "Noise",
            "description": "aged",
            "status": "open",
            "status_notes": "",
            "agency_responsible": "environment",
            "requested_at": asked,
            "updated_at": asked,
            "expected_at": asked + timedelta(hours=72),
            "lat": COEX["lat"],
            "lon": COEX["lon"],
            "address": "",
            "district_code": GU,
        }
        assert await backend.stores.graph.create_node(
            "Case", props, [("LOCATED_IN", "District", GU)]
        )
        made.append(case_id)
    yield made
    for case_id in made:
        await backend.stores.graph.delete_node("Case", case_id)


def at(instant: datetime) -> Any:
    """Freeze the clock of the case indicators at `instant`."""
    return lambda: instant


async def expected(backend: Backend, now: datetime, district: str | None) -> dict[str, Any]:
    """The figures counted case by case from every Case node and every case event."""
    nodes = await backend.stores.graph.find_nodes(NodeQuery("Case"))
    events = await events_by_case(backend.stores.records, [n["id"] for n in nodes])
    gu_codes = sorted({n["code"] for n in await all_gu(backend)})
    scope = [district] if district else gu_codes
    mine = [n for n in nodes if n["district_code"] in scope]
    today, since = day_start(now), now - timedelta(days=30)

    def age(node: dict[str, Any]) -> str:
        asked = node["requested_at"]
        for name, days in (("<1d", 1), ("1-3d", 3), ("3-7d", 7), ("7-30d", 30)):
            if asked >= now - timedelta(days=days):
                return name
        return ">30d"

    hours: dict[str, list[float]] = {}
    closed_today: Counter[str] = Counter()
    for node in mine:
        history = events[node["id"]]
        closings = [e for e in history if e.kind == "status_changed" and e.status == "closed"]
        closings = [e for e in closings if e.at >= since]
        if not closings:
            continue
        last = max(closings, key=lambda e: e.at)
        if any(e.at >= today for e in closings):
            closed_today[node["district_code"]] += 1
        reopened = any(
            e.kind == "status_changed" and e.status != "closed" and e.at > last.at for e in history
        )
        received = [e for e in history if e.kind == "received"]
        if reopened or not received:
            continue
        took = (last.at - received[0].at) / timedelta(hours=1)
        hours.setdefault(node["district_code"], []).append(took)
        hours.setdefault("city", []).append(took)

    def median(key: str) -> float | None:
        return statistics.median(hours[key]) if key in hours else None

    open_ = [n for n in mine if n["status"] != "closed"]
    groups = {s.code: s.group for s in services()}
    return {
        "open": len(open_),
        "filedToday": sum(n["requested_at"] >= today for n in mine),
        "closedToday": sum(closed_today.values()),
        "medianResolutionHours": median(district or "city"),
        "byStatus": {
            "OPEN": sum(n["status"] == "open" for n in mine),
            "CLOSED": sum(n["status"] == "closed" for n in mine),
        },
        "byServiceGroup": {
            **{s.group: 0 for s in services()},
            **Counter(groups[n["service_code"]] for n in open_),
        },
        "byService": {
            **{s.code: 0 for s in services()},
            **Counter(n["service_code"] for n in open_),
        },
        "byDepartment": {
            **{d["code"]: 0 for d in departments()},
            **{gu_office_id(gu): 0 for gu in scope},
            **Counter(n["agency_responsible"] for n in open_),
        },
        "ageing": {
            **{name: 0 for name in ("<1d", "1-3d", "3-7d", "7-30d", ">30d")},
            **Counter(age(n) for n in open_),
        },
        "byDistrict": [
            (gu, sum(n["district_code"] == gu for n in open_), median(gu)) for gu in scope
        ],
    }


async def all_gu(backend: Backend) -> list[dict[str, Any]]:
    return await backend.stores.graph.find_nodes(NodeQuery("District", {"level": ["gu"]}))


def table(rows: list[dict[str, Any]]) -> dict[str, int | None]:
    """An indicator table as {key: count}, in its order."""
    return {row["key"]: row["count"] for row in rows}


def answered(stats: dict[str, Any]) -> dict[str, Any]:
    """The API's figures in the shape `expected` gives them."""
    tables = ("byStatus", "byServiceGroup", "byService", "byDepartment", "ageing")
    return {
        **{k: v for k, v in stats.items() if k not in (*tables, "byDistrict")},
        **{name: table(stats[name]) for name in tables},
        "byDistrict": [
            (d["districtCode"], d["open"]["count"], d["medianResolutionHours"])
            for d in stats["byDistrict"]
        ],
    }


async def ask(backend: Backend, district: str | None, tier: Tier = Tier.ANALYST) -> dict[str, Any]:
    key = backend.keys[tier] if tier != Tier.PUBLIC else None
    async with backend.client() as client:
        body = await graphql(client, STATS, {"d": district}, key=key)
    assert "errors" not in body, body
    stats: dict[str, Any] = body["data"]["caseStatistics"]  # type: ignore[index]
    return stats


def same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Equal, medians to a microsecond-or-so (SQLite's julianday is a float of days)."""
    for name in want:
        if name == "medianResolutionHours":
            assert got[name] == pytest.approx(want[name], abs=1e-6), name
        elif name == "byDistrict":
            assert [row[:2] for row in got[name]] == [row[:2] for row in want[name]]
            assert [row[2] for row in got[name]] == pytest.approx(
                [row[2] for row in want[name]], abs=1e-6
            )
        else:
            assert got[name] == want[name], name
    assert list(got["ageing"]) == ["<1d", "1-3d", "3-7d", "7-30d", ">30d"]


@pytest.mark.parametrize("district", [None, GU])
async def test_every_figure_equals_the_cases_counted_one_by_one(
    backend: Backend,
    district: str | None,
    monkeypatch: pytest.MonkeyPatch,
    aged_cases: list[str],
) -> None:
    monkeypatch.setattr(clock, "utc_now", at(NOW))
    got = answered(await ask(backend, district))
    want = await expected(backend, NOW, district)
    same(got, want)
    # the seed's city (with `aged_cases`) exercises every figure: today, closings, every age
    if district is None:
        assert got["filedToday"] > 0
        assert got["closedToday"] > 0
    assert got["medianResolutionHours"] > 0
    assert all(got["ageing"].values())
    assert len(got["byDistrict"]) == (1 if district else 25)


async def test_small_cells_of_people_are_withheld_below_the_analyst_tier(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "utc_now", at(NOW))
    analyst = await ask(backend, GU)
    for tier in (Tier.PUBLIC, Tier.DEVELOPER):
        public = await ask(backend, GU, tier)
        withheld = 0
        for name in ("open", "filedToday", "closedToday"):
            assert public[name] == published(analyst[name], sees_small_cells=False), name
        rows = [
            r for name in ("byStatus", "byService", "byDepartment", "ageing") for r in public[name]
        ]
        full = [
            r for name in ("byStatus", "byService", "byDepartment", "ageing") for r in analyst[name]
        ]
        rows += [d["open"] for d in public["byDistrict"]]
        full += [d["open"] for d in analyst["byDistrict"]]
        for shown, seen in zip(rows, full, strict=True):
            assert shown["key"] == seen["key"]
            assert not seen["suppressed"]
            small = 0 < seen["count"] < 5
            assert shown == {
                "key": seen["key"],
                "count": None if small else seen["count"],
                "suppressed": small,
            }
            withheld += small
        assert withheld > 0  # the seed's Gangnam-gu has services with 1-4 open cases


async def test_a_filed_then_closed_case_moves_the_figures(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    monkeypatch.setattr(clock, "utc_now", at(now))  # one "today" for the whole test
    before = answered(await ask(backend, GU))
    async with backend.client() as client:
        filed = await graphql(
            client,
            FILE_CASE,
            {"input": {"serviceCode": "streetlight-out", "description": "Dark corner", **COEX}},
        )
        case_id = filed["data"]["fileCase"]["case"]["id"]  # type: ignore[index]
        opened = answered(await ask(backend, GU))
        operator = backend.keys[Tier.OPERATOR]
        close = {"id": case_id, "status": "CLOSED"}
        closed = await graphql(client, SET_STATUS, close, key=operator)
        assert closed["data"]["updateCaseStatus"]["case"]["status"] == "CLOSED"  # type: ignore[index]
        after = answered(await ask(backend, GU))
        same(after, await expected(backend, now, GU))
        reopen = {"id": case_id, "status": "OPEN"}
        await graphql(client, SET_STATUS, reopen, key=operator)
    reopened = answered(await ask(backend, GU))

    assert opened["open"] == before["open"] + 1
    assert opened["filedToday"] == before["filedToday"] + 1
    assert opened["byService"]["streetlight-out"] == before["byService"]["streetlight-out"] + 1
    assert opened["byServiceGroup"]["roads"] == before["byServiceGroup"]["roads"] + 1
    assert opened["byDepartment"]["roads"] == before["byDepartment"]["roads"] + 1
    assert opened["ageing"]["<1d"] == before["ageing"]["<1d"] + 1
    assert opened["byStatus"]["OPEN"] == before["byStatus"]["OPEN"] + 1
    assert after["open"] == before["open"]
    assert after["byStatus"]["CLOSED"] == before["byStatus"]["CLOSED"] + 1
    assert after["closedToday"] == before["closedToday"] + 1
    assert after["medianResolutionHours"] != before["medianResolutionHours"]
    # reopened: open again, still closed today, out of the resolution times
    assert reopened["open"] == opened["open"]
    assert reopened["closedToday"] == after["closedToday"]
    assert reopened["medianResolutionHours"] == pytest.approx(before["medianResolutionHours"])
    same(reopened, await expected(backend, now, GU))


async def test_one_aggregate_per_store_for_every_alias(backend: Backend) -> None:
    """Three scopes in one document: the gu check, one graph and one records aggregate."""
    query = f"""{{ city: caseStatistics {{ open byDistrict {{ open {CELL} }} }}
      gu: caseStatistics(district: "{GU}") {{ open closedToday medianResolutionHours }}
      other: caseStatistics(district: "11110") {{ open }} }}"""
    graph, records = backend.stores.graph, backend.stores.records
    async with backend.client() as client:
        await graphql(client, "{ services { code } }")  # whatever every request costs
        base_graph, base_records = graph.calls, records.calls
        await graphql(client, "{ services { code } }")
        idle_graph, idle_records = graph.calls - base_graph, records.calls - base_records
        base_graph, base_records = graph.calls, records.calls
        body = await graphql(client, query)
    assert "errors" not in body, body
    assert graph.calls - base_graph - idle_graph == 2  # the gu codes checked, the Case cells
    assert records.calls - base_records - idle_records == 1  # the closings


@pytest.mark.parametrize("district", ["99999", "", "a dong", "11680 ", "x" * 5000])
async def test_a_district_that_is_not_a_gu_is_refused(backend: Backend, district: str) -> None:
    if district == "a dong":
        query = NodeQuery("District", {"level": ["dong"], "parent_code": [GU]}, limit=1)
        [dong] = await backend.stores.graph.find_nodes(query)
        district = dong["code"]
    async with backend.client() as client:
        body = await graphql(client, STATS, {"d": district})
    assert body["data"] is None
    assert error_codes(body) == ["not_found"]
    assert body["errors"][0]["extensions"]["field"] == "district"  # type: ignore[index]
