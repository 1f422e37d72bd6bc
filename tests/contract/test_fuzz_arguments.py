"""Every argument of every query, mutation and subscription, and every Open311 and ingest input,
on every backend, takes arbitrary values (strings with NUL, surrogates and control characters,
huge strings, ±2^31 and ±2^63, NaN and Infinity as JSON tokens, calendar-edge dates, wrong
types, nulls) as variables and as literals, at the public and operator tiers: none gets a 5xx,
a masked `Internal error.` or an ERROR log line. The schema is read by introspection, so new
arguments are covered. PostgreSQL refuses what SQLite takes (U+0000, int4 overflow), so each
runs on both."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from graph.records import api_keys
from graph.records.api_keys import Tier
from tests.contract.conftest import Backend

EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MASKED = "Internal error."
INTROSPECTION = """{ __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { name kind
    fields { name type { ...T } args { name type { ...T } } }
    inputFields { name type { ...T } }
    enumValues { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name } } } } }"""


@dataclass(frozen=True)
class EnumValue:
    """An enum value: a bare name as a literal, a string as a variable."""

    name: str


TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(["", "\ud800", "a\udc00b", "\x00", "\u202e", "11680", "case-0", "x" * 70_000]),
)
INTS = st.one_of(
    st.integers(-(2**64), 2**64),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1]),
)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
CALENDAR_EDGES = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T13:59:59+14:00",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T00:00:00-14:00",
    ]
)
"""Times whose UTC time is outside Python's calendar (year 0 or 10000)."""
DATES = st.one_of(
    CALENDAR_EDGES,
    st.sampled_from(
        [
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-11-24T00:00:00",
            "2026-02-30T00:00:00Z",
            "0001-01-01",
            "9999-12-31",
            "0001-01-02T00:00:00+14:00",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5+09:00",
            "now",
        ]
    ),
    st.tuples(st.datetimes(), st.sampled_from(["Z", "+14:00", "-14:00", ""])).map(
        lambda moment: moment[0].isoformat() + moment[1]
    ),
    st.tuples(
        st.sampled_from([1, 2, 1969, 1970, 2026, 9998, 9999]), st.sampled_from(["+14:00", "-14:00"])
    ).map(lambda edge: f"{edge[0]:04d}-{'01-01' if edge[0] < 5000 else '12-31'}T00:00:00{edge[1]}"),
)
"""Calendar edges (year 1 at +14:00 and year 9999 at -14:00 have no UTC time), naive times,
leap seconds (23:59:60, which Python has not), impossible dates and arbitrary times."""
ANY_JSON = st.recursive(
    st.none() | st.booleans() | INTS | FLOATS | TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@dataclass
class Schema:
    types: dict[str, dict[str, Any]]
    roots: dict[str, list[dict[str, Any]]]
    nested: list[tuple[list[str], dict[str, Any]]]
    """Fields with arguments below the query root (`Sensor.readings`), each with the selection
    path that reaches it from the root through fields that need no argument."""


MAX_NESTING = 5


def nested_fields(
    types: dict[str, dict[str, Any]], roots: list[dict[str, Any]]
) -> list[tuple[list[str], dict[str, Any]]]:
    """Breadth first from the query root, each object type reached once by its shortest path of
    fields without required arguments (lists asked for `first: 1`): every field of those types
    that takes arguments, with its path."""

    def needs_nothing(field: dict[str, Any]) -> bool:
        return all(a["type"]["kind"] != "NON_NULL" for a in field["args"])

    def step(field: dict[str, Any]) -> str:
        return (
            f"{field['name']}(first: 1)"
            if any(a["name"] == "first" for a in field["args"])
            else field["name"]
        )

    seen: set[str] = set()
    found: list[tuple[list[str], dict[str, Any]]] = []
    frontier = [([step(f)], f) for f in roots if needs_nothing(f)]
    while frontier:
        path, via = frontier.pop(0)
        name = named(via["type"])["name"]
        definition = types[name]
        if name in seen or definition["kind"] != "OBJECT" or len(path) > MAX_NESTING:
            continue
        seen.add(name)
        for field in definition["fields"] or []:
            if field["args"]:
                found.append((path, field))
            if needs_nothing(field):
                frontier.append(([*path, step(field)], field))
    return found


def named(type_ref: dict[str, Any]) -> dict[str, Any]:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref


def type_text(type_ref: dict[str, Any]) -> str:
    if type_ref["kind"] == "NON_NULL":
        return type_text(type_ref["ofType"]) + "!"
    if type_ref["kind"] == "LIST":
        return f"[{type_text(type_ref['ofType'])}]"
    return str(type_ref["name"])


def values_for(schema: Schema, type_ref: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for `type_ref`: mostly of its shape, sometimes of another type or null."""
    wrong = st.one_of(st.none(), st.booleans(), INTS, TEXT, st.lists(INTS, max_size=2))
    return st.one_of(_shaped(schema, type_ref, depth), wrong) if depth < 3 else wrong


def _shaped(schema: Schema, type_ref: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    kind = type_ref["kind"]
    if kind == "NON_NULL":
        return _shaped(schema, type_ref["ofType"], depth)
    if kind == "LIST":
        return st.lists(values_for(schema, type_ref["ofType"], depth + 1), max_size=3)
    name = type_ref["name"]
    definition = schema.types[name]
    if definition["kind"] == "ENUM":
        return st.sampled_from([EnumValue(v["name"]) for v in definition["enumValues"]])
    if definition["kind"] == "INPUT_OBJECT":
        fields = {
            f["name"]: values_for(schema, f["type"], depth + 1) for f in definition["inputFields"]
        }
        return st.fixed_dictionaries({}, optional=fields)
    return {
        "Int": INTS,
        "Float": FLOATS | INTS,
        "Boolean": st.booleans(),
        "DateTime": DATES,
        "Date": DATES,
        "JSON": ANY_JSON,
    }.get(name, TEXT)


def literal(value: Any) -> str:
    """`value` written as a GraphQL literal."""
    if value is None:
        return "null"
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)  # NaN/Infinity come out as names: a validation error
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items() if k.isidentifier()) + "}"


def as_json(value: Any) -> Any:
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def selection(schema: Schema, type_ref: dict[str, Any]) -> str:
    kind = schema.types[named(type_ref)["name"]]["kind"]
    return " { __typename }" if kind in ("OBJECT", "INTERFACE", "UNION") else ""


@pytest.fixture
async def schema(backend: Backend) -> Schema:
    async with backend.client() as http:
        body = (await http.post("/graphql", json={"query": INTROSPECTION})).json()
    data = body["data"]["__schema"]
    types = {t["name"]: t for t in data["types"]}
    roots = {
        operation: types[data[f"{operation}Type"]["name"]]["fields"]
        for operation in ("query", "mutation", "subscription")
        if data[f"{operation}Type"]
    }
    return Schema(types, roots, nested_fields(types, roots["query"]))


@st.composite
def operations(draw: st.DrawFn, schema: Schema, kind: str) -> tuple[str, dict[str, Any], str]:
    """A document calling one root field of `kind` (or, for `nested`, a query's field below the
    root) with drawn arguments, its variables (JSON text, NaN and Infinity as tokens) and how
    the arguments were passed."""
    path: list[str] = []
    if kind == "nested":
        path, field = draw(st.sampled_from(schema.nested))
        kind = "query"
    else:
        field = draw(st.sampled_from(schema.roots[kind]))
    as_literals = draw(st.booleans())
    definitions, arguments, variables = [], [], {}
    for index, arg in enumerate(field["args"]):
        if arg["type"]["kind"] != "NON_NULL" and draw(st.booleans()):
            continue
        value = draw(values_for(schema, arg["type"]))
        if as_literals:
            arguments.append(f"{arg['name']}: {literal(value)}")
        else:
            definitions.append(f"$v{index}: {type_text(arg['type'])}")
            arguments.append(f"{arg['name']}: $v{index}")
            variables[f"v{index}"] = as_json(value)
    head = f"{kind}({', '.join(definitions)})" if definitions else kind
    call = f"{field['name']}({', '.join(arguments)})" if arguments else field["name"]
    body = f"{call}{selection(schema, field['type'])}"
    for step in reversed(path):
        body = f"{step} {{ __typename {body} }}"
    document = f"{head} {{ {body} }}"
    return document, variables, "literals" if as_literals else "variables"


def assert_no_fault(response: httpx.Response, caplog: pytest.LogCaptureFixture, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    assert MASKED not in response.text, (what, response.text[:500])
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, (what, [r.getMessage()[:300] for r in errors])


def headers_for(tier: Tier, keys: dict[Tier, str]) -> dict[str, str]:
    return {} if tier is Tier.PUBLIC else {"x-api-key": keys[tier]}


TIERS = st.sampled_from([Tier.PUBLIC, Tier.OPERATOR])


@pytest.mark.parametrize("kind", ["query", "mutation", "nested"])
@FUZZ
@given(data=st.data())
async def test_no_argument_value_is_a_server_fault(
    backend: Backend,
    client: httpx.AsyncClient,
    schema: Schema,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    data: st.DataObject,
) -> None:
    document, variables, how = data.draw(operations(schema, kind))
    tier = data.draw(TIERS)
    keys = backend.keys
    if kind == "mutation" and tier is not Tier.PUBLIC:
        # a key of its own: a mutation may act on the calling key (revokeApiKey, rotateApiKey),
        # and the backend's keys serve every other test of this worker
        issued = await api_keys.create_key(backend.stores.records, "fuzzed mutation", tier)
        keys = {**keys, tier: issued.secret}
    caplog.clear()
    body = json.dumps({"query": document, "variables": variables}, allow_nan=True).encode()
    response = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", **headers_for(tier, keys)},
    )
    assert_no_fault(response, caplog, f"{tier} {how}: {document} {str(variables)[:300]}")


@FUZZ
@given(data=st.data())
async def test_no_subscription_argument_is_a_server_fault_at_subscribe_time(
    backend: Backend, schema: Schema, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    app = backend.app
    document, variables, how = data.draw(operations(schema, "subscription"))
    tier = data.draw(TIERS)
    caplog.clear()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/graphql",
        "headers": [],
        "state": {"tier": tier},
    }
    context = app.state.context_for(Request(scope))
    view = next(r.app for r in app.routes if getattr(r, "path", "") == "/graphql")
    stream = await view.schema.subscribe(document, variable_values=variables, context_value=context)
    try:
        first = await asyncio.wait_for(anext(stream), 0.5)
    except (TimeoutError, StopAsyncIteration):
        first = None  # subscribed, waiting for events: fine
    finally:
        await stream.aclose()
    for error in getattr(first, "errors", None) or []:
        assert error.message != MASKED, (how, document, variables)
        assert (error.extensions or {}).get("code"), (how, document, variables, error.message)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, (how, document, [r.getMessage()[:300] for r in errors])


OPEN311_PARAMS = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "jurisdiction_id",
]
OPEN311_FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "email",
    "first_name",
    "last_name",
    "phone",
    "jurisdiction_id",
    "media_url",
    "device_id",
    "account_id",
]
SCALARS = st.one_of(TEXT, INTS, FLOATS, DATES, st.none(), st.booleans())


@FUZZ
@given(data=st.data())
async def test_no_open311_or_ingest_input_is_a_server_fault(
    backend: Backend,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    caplog.clear()
    door = data.draw(st.sampled_from(["list", "one", "post-json", "post-form", "ingest"]))
    text = TEXT.filter(lambda t: len(t) < 2000)
    if door == "list":
        params = data.draw(st.dictionaries(st.sampled_from(OPEN311_PARAMS), DATES | text))
        query = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in params.items()})
        response = await client.get(f"/open311/v2/requests.json?{query}")
    elif door == "one":
        case_id = quote(data.draw(text).encode("utf-8", "surrogatepass"), safe="")
        response = await client.get(f"/open311/v2/requests/{case_id}.json")
    elif door == "post-json":
        fields = data.draw(st.dictionaries(st.sampled_from(OPEN311_FIELDS), SCALARS))
        body = json.dumps(fields, allow_nan=True).encode()
        response = await client.post(
            "/open311/v2/requests.json", content=body, headers={"content-type": "application/json"}
        )
    elif door == "post-form":
        fields = data.draw(st.dictionaries(st.sampled_from(OPEN311_FIELDS), text))
        # raw UTF-8 percent-encoded; a lone surrogate becomes bytes that are not UTF-8
        form = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in fields.items()})
        response = await client.post(
            "/open311/v2/requests.json",
            content=form.encode(),
            headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    else:
        reading = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "sensor_id": text | INTS,
                    "measured_at": DATES | INTS,
                    "values": st.dictionaries(text, FLOATS | INTS | text, max_size=3) | text,
                },
            )
        )
        body = json.dumps({"readings": [reading]}, allow_nan=True).encode()
        response = await client.post(
            "/ingest/readings",
            content=body,
            headers={"content-type": "application/json", "x-api-key": backend.keys[Tier.OPERATOR]},
        )
    assert_no_fault(response, caplog, door)


async def test_fuzzing_left_the_backends_keys_alive(backend: Backend) -> None:
    """Run after the fuzz cases (same module): none revoked or rotated the keys every other
    test of the worker uses."""
    for secret in backend.keys.values():
        assert await api_keys.live_key(backend.stores.records, secret) is not None
