"""`apiUsage` by tier (a key sees its own, an operator every key's, no key is refused), its
typed errors, and `Dataset.callCount` batched through one DataLoader query per window.

Usage rows are written straight to the records on days in 2001, far from the days the session's
own requests are counted on, so the live counting never meets them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.city_day import city_day
from graph.records.api_keys import Tier
from graph.records.api_usage import PUBLIC, UsageKey, add_usage, epoch_day, usage_rows
from graph.records.api_usage import UsageGroup as StoredGroup
from resolvers.core import clock
from resolvers.data import usage as usage_resolvers
from tests.helpers import error_codes, graphql

DAY = date(2001, 3, 10)
D = epoch_day(DAY)

USAGE = """
query ($from: Date!, $to: Date!, $groupBy: [UsageGroup!], $key: String, $first: Int! = 100) {
  apiUsage(from: $from, to: $to, groupBy: $groupBy, key: $key, first: $first) {
    from to calls truncated rows { day key operation datasetId calls }
  }
}"""


def prefix(secret: str) -> str:
    return secret.split("_")[1]


@pytest.fixture(scope="module")
async def usage(stores: Stores, keys: dict[Tier, str]) -> dict[str, str]:
    """Calls of the developer and the analyst keys, and of the public, on DAY and the day
    before; returns the prefixes by tier name."""
    developer, analyst = prefix(keys[Tier.DEVELOPER]), prefix(keys[Tier.ANALYST])
    await add_usage(
        stores.records,
        {
            UsageKey(D - 1, developer, "Air"): 1,
            UsageKey(D, developer, "Air"): 2,
            UsageKey(D, developer, "Air", "ds-sdot"): 2,
            UsageKey(D, developer, "Cases"): 3,
            UsageKey(D, analyst, "Air"): 50,
            UsageKey(D, PUBLIC, "/open311/v2/requests.json"): 7,
        },
    )
    return {"developer": developer, "analyst": analyst}


def rows(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    found = body["data"]["apiUsage"]["rows"]
    return [(r["day"], r["key"], r["operation"], r["datasetId"], r["calls"]) for r in found]


def window(**more: object) -> dict[str, object]:
    return {"from": (DAY.replace(day=9)).isoformat(), "to": DAY.isoformat(), **more}


async def test_api_usage_of_a_developer_key_is_its_own(
    client: httpx.AsyncClient, keys: dict[Tier, str], usage: dict[str, str]
) -> None:
    # when the developer asks by day and operation
    body = await graphql(client, USAGE, window(groupBy=["DAY", "OPERATION"]), keys[Tier.DEVELOPER])
    # then it sees its own calls only
    assert "errors" not in body, body
    assert body["data"]["apiUsage"]["calls"] == 6
    assert rows(body) == [
        ("2001-03-09", None, "Air", None, 1),
        ("2001-03-10", None, "Air", None, 2),
        ("2001-03-10", None, "Cases", None, 3),
    ]
    # and by dataset, the calls that touched each
    body = await graphql(client, USAGE, window(groupBy=["DATASET"]), keys[Tier.DEVELOPER])
    assert rows(body) == [(None, None, None, "ds-sdot", 2)]


async def test_api_usage_of_an_operator_is_every_keys_or_one(
    client: httpx.AsyncClient, keys: dict[Tier, str], usage: dict[str, str]
) -> None:
    # when the operator asks by key, then for one key
    every = await graphql(client, USAGE, window(groupBy=["KEY"]), keys[Tier.OPERATOR])
    one = await graphql(
        client, USAGE, window(groupBy=[], key=usage["analyst"]), keys[Tier.OPERATOR]
    )
    # then it sees every key's and the public's, or the one's
    assert sorted(r[1:] for r in rows(every)) == sorted(
        [
            (usage["developer"], None, None, 6),
            (usage["analyst"], None, None, 50),
            (PUBLIC, None, None, 7),
        ]
    )
    assert rows(one) == [(None, None, None, None, 50)]


async def test_api_usage_rows_are_cut_at_first(
    client: httpx.AsyncClient, keys: dict[Tier, str], usage: dict[str, str]
) -> None:
    body = await graphql(
        client, USAGE, window(groupBy=["DAY", "OPERATION"], first=2), keys[Tier.DEVELOPER]
    )
    assert len(rows(body)) == 2
    assert body["data"]["apiUsage"]["truncated"] is True


@pytest.mark.parametrize(
    ("tier", "variables", "code"),
    [
        pytest.param(None, window(), "forbidden", id="public"),
        pytest.param(Tier.DEVELOPER, window(key="someone"), "forbidden", id="another-key"),
        pytest.param(
            Tier.DEVELOPER,
            {"from": "2001-03-10", "to": "2001-03-09"},
            "invalid",
            id="from-after-to",
        ),
        pytest.param(
            Tier.OPERATOR,
            {"from": "2001-01-01", "to": "2001-04-03"},  # 93 days
            "window_too_large",
            id="span-too-long",
        ),
        pytest.param(
            Tier.DEVELOPER, window(groupBy=["WEEK"]), "bad_user_input", id="unknown-group"
        ),
        pytest.param(Tier.DEVELOPER, window(first=0), "out_of_range", id="first-zero"),
        pytest.param(Tier.OPERATOR, window(first=101), "out_of_range", id="first-too-big"),
        pytest.param(Tier.OPERATOR, window(key="k" * 17), "invalid", id="key-too-long"),
    ],
)
async def test_api_usage_refuses_bad_arguments_with_a_code(
    client: httpx.AsyncClient,
    keys: dict[Tier, str],
    tier: Tier | None,
    variables: dict[str, object],
    code: str,
) -> None:
    body = await graphql(client, USAGE, variables, keys[tier] if tier else None)
    assert error_codes(body) == [code]


async def test_api_usage_unknown_group_literal_fails_validation(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    query = '{ apiUsage(from: "2001-03-10", to: "2001-03-10", groupBy: [WEEK]) { calls } }'
    body = await graphql(client, query, None, keys[Tier.DEVELOPER])
    assert error_codes(body) == ["graphql_validation_failed"]


CALL_COUNTS = """
query ($first: Int!) {
  datasets(first: $first) { edges { node { id callCount(days: 2) month: callCount } } }
}"""


async def test_dataset_call_counts_are_one_query_per_window_for_a_page(
    client: httpx.AsyncClient, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given "today" on DAY, and calls of ds-sdot on DAY and 10 days before
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2001, 3, 10, 3, tzinfo=UTC))
    await add_usage(
        stores.records,
        {
            UsageKey(D, "k-calls", "Q", "ds-water-quality"): 4,
            UsageKey(D - 10, "k-calls", "Q", "ds-water-quality"): 5,
        },
    )
    queries: list[tuple[int, int, int]] = []
    original = usage_resolvers.stored_dataset_calls

    async def counted(records: Any, datasets: Any, first: int, last: int) -> dict[str, int]:
        queries.append((len(datasets), first, last))
        return await original(records, datasets, first, last)

    monkeypatch.setattr(usage_resolvers, "stored_dataset_calls", counted)
    # when a page of 20 datasets asks for two windows each
    body = await graphql(client, CALL_COUNTS, {"first": 20})
    # then each window is one query for the whole page
    assert "errors" not in body, body
    nodes = {e["node"]["id"]: e["node"] for e in body["data"]["datasets"]["edges"]}
    assert len(nodes) > 2
    assert sorted(queries) == [(len(nodes), D - 29, D), (len(nodes), D - 1, D)]
    assert nodes["ds-water-quality"]["callCount"] == 4
    assert nodes["ds-water-quality"]["month"] == 9
    others = [n for i, n in nodes.items() if i not in ("ds-water-quality", "ds-sdot")]
    assert others
    assert all(n["callCount"] == 0 for n in others)


async def test_dataset_call_count_days_out_of_range_is_refused(client: httpx.AsyncClient) -> None:
    body = await graphql(client, '{ dataset(id: "ds-sdot") { callCount(days: 93) } }')
    assert error_codes(body) == ["out_of_range"]


async def test_catalogue_reads_touch_their_datasets_and_unknown_ids_touch_nothing(
    client: httpx.AsyncClient, app: Any, stores: Stores
) -> None:
    # given named reads of one dataset, a page of datasets and an unknown id
    name = f"Touch{uuid.uuid4().hex[:12]}"
    found = await graphql(client, f'query {name} {{ dataset(id: "ds-sdot") {{ id }} }}')
    page = await graphql(
        client, f"query {name}Page {{ datasets(first: 3) {{ edges {{ node {{ id }} }} }} }}"
    )
    missing = await graphql(client, f'query {name}Missing {{ dataset(id: "ds-{name}") {{ id }} }}')
    assert error_codes(missing) == ["not_found"]
    assert "errors" not in found
    # when the counts are flushed
    await app.state.usage.flush()
    # then each read counts against the datasets it read, the unknown ids against none
    today = epoch_day(city_day(datetime.now(UTC)))
    _, touched = await usage_rows(
        stores.records,
        today - 1,
        today,
        [StoredGroup.OPERATION, StoredGroup.DATASET],
        client=PUBLIC,
        limit=1000,
    )
    mine = {(r.operation, r.dataset) for r in touched if r.operation.startswith(name)}
    shown = [e["node"]["id"] for e in page["data"]["datasets"]["edges"]]
    assert mine == {(name, "ds-sdot")} | {(f"{name}Page", d) for d in shown}


async def test_an_entity_reference_touches_its_dataset_only_when_found(
    settings: Settings, stores: Stores
) -> None:
    # given the data subgraph, asked for a known and an unknown Dataset entity
    name = f"Entities{uuid.uuid4().hex[:12]}"
    query = (
        f"query {name}($r: [_Any!]!) {{ _entities(representations: $r) "
        "{ ... on Dataset { id } } }"
    )
    known = {"__typename": "Dataset", "id": "ds-water-quality"}
    unknown = {"__typename": "Dataset", "id": f"ds-{name}"}
    subgraph = create_app(settings, stores, subgraph="data")
    async with subgraph.router.lifespan_context(subgraph):
        transport = httpx.ASGITransport(app=subgraph)
        async with httpx.AsyncClient(transport=transport, base_url="http://sub.test") as http:
            body = await graphql(http, query, {"r": [known, unknown]})
        # when its counts are flushed
        await subgraph.state.usage.flush()
    # then the call counts against the known dataset only
    assert error_codes(body) == ["not_found"]
    today = epoch_day(city_day(datetime.now(UTC)))
    _, touched = await usage_rows(
        stores.records, today - 1, today, [StoredGroup.OPERATION, StoredGroup.DATASET], limit=1000
    )
    assert {r.dataset for r in touched if r.operation == name} == {"ds-water-quality"}
