"""Every HTTP door that reads a request body stops reading at its limit (`graph.request_body`):
a chunked body far over it is refused in the door's own format after at most the limit's worth
of chunks, a declared `Content-Length` over it before any, and a `Content-Length` that is not
a number is a 400. Ingest once read the whole of a chunked body before it checked the size."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from civicgraph.dashboard_door import MAX_FORM_BYTES
from civicgraph.dashboard_gate import MAX_CALLBACK_BYTES
from graph.records.api_keys import Tier
from graph.request_body import BodyTooLarge, LengthInvalid, read_body
from resolvers.data import ckan_params
from resolvers.services import open311_input
from subscriptions.ingest import http as ingest_http

CHUNK = 16 * 1024
JSON = {"content-type": "application/json"}
ORIGIN = {"origin": "http://civicgraph.test"}


@dataclass(frozen=True)
class Door:
    path: str
    limit: int
    headers: dict[str, str]
    tier: Tier | None
    too_large: Callable[[httpx.Response], bool]
    """The door's own 413 (or, for CKAN, its 400) for a body over the limit."""


def _graphql(response: httpx.Response) -> bool:
    return response.json()["errors"][0]["extensions"]["code"] == "payload_too_large"


DOORS = {
    "graphql": Door("/graphql", 1024 * 1024, JSON, None, _graphql),
    "ingest": Door(
        "/ingest/readings",
        ingest_http.MAX_BODY,
        JSON,
        Tier.OPERATOR,
        lambda r: r.json()["code"] == "payload_too_large",
    ),
    "open311": Door(
        "/open311/v2/requests.json",
        open311_input.MAX_BODY,
        JSON,
        None,
        lambda r: r.json()[0]["code"] == 413,
    ),
    "ckan": Door(
        "/api/3/action/package_search",
        ckan_params.MAX_BODY,
        JSON,
        None,
        lambda r: r.json()["success"] is False and "over" in r.json()["error"]["message"],
    ),
    "dashboard sign-in": Door(
        "/dashboard/session",
        MAX_FORM_BYTES,
        {"content-type": "application/x-www-form-urlencoded"} | ORIGIN,
        None,
        lambda r: 'role="alert"' in r.text,
    ),
    "dashboard callback": Door(
        "/dashboard/_dash-update-component",
        MAX_CALLBACK_BYTES,
        JSON,
        None,
        lambda r: r.json()["code"] == "payload_too_large",
    ),
}
STATUS = {"ckan": 400}


def _headers(door: Door, keys: dict[Tier, str]) -> dict[str, str]:
    key = {"X-API-Key": keys[door.tier]} if door.tier is not None else {}
    return door.headers | key


@pytest.mark.parametrize("name", list(DOORS))
async def test_a_chunked_body_over_the_limit_is_refused_without_reading_the_rest(
    client: httpx.AsyncClient, keys: dict[Tier, str], name: str
) -> None:
    door = DOORS[name]
    pulled = 0
    chunks_sent = 10 * door.limit // CHUNK

    async def body() -> AsyncIterator[bytes]:  # no Content-Length: it arrives chunked
        nonlocal pulled
        for _ in range(chunks_sent):
            pulled += 1
            yield b" " * CHUNK

    response = await client.post(door.path, content=body(), headers=_headers(door, keys))
    assert response.status_code == STATUS.get(name, 413), response.text
    assert door.too_large(response), response.text
    assert pulled <= door.limit // CHUNK + 2, f"read {pulled} of {chunks_sent} chunks"


@pytest.mark.parametrize("name", list(DOORS))
async def test_a_declared_length_over_the_limit_is_refused(
    client: httpx.AsyncClient, keys: dict[Tier, str], name: str
) -> None:
    door = DOORS[name]
    response = await client.post(
        door.path, content=b" " * (door.limit + 1), headers=_headers(door, keys)
    )
    assert response.status_code == STATUS.get(name, 413), response.text
    assert door.too_large(response), response.text


@pytest.mark.parametrize("name", list(DOORS))
async def test_a_content_length_that_is_no_number_is_400(
    client: httpx.AsyncClient, keys: dict[Tier, str], name: str
) -> None:
    door = DOORS[name]
    request = client.build_request("POST", door.path, content=b"{}", headers=_headers(door, keys))
    request.headers = httpx.Headers(
        [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        + [(b"content-length", b"\xb2")]  # "²" in Latin-1, which `str.isdigit` takes
    )
    response = await client.send(request)
    assert response.status_code == 400, response.text


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_read_body_takes_a_body_of_exactly_the_limit() -> None:
    assert await read_body("6", _chunks(b"abc", b"def"), 6) == b"abcdef"
    assert await read_body(None, _chunks(b"abc", b"def"), 6) == b"abcdef"
    assert await read_body(" 0 ", _chunks(), 6) == b""


@pytest.mark.parametrize("declared", ["7", None])
async def test_read_body_refuses_one_byte_over(declared: str | None) -> None:
    with pytest.raises(BodyTooLarge, match="larger than 6 bytes"):
        await read_body(declared, _chunks(b"abc", b"defg"), 6)


@pytest.mark.parametrize("declared", ["", "1_0", "-1", "0x10", "\u00b2", "1" * 20])
async def test_read_body_refuses_a_length_that_is_no_number(declared: str) -> None:
    with pytest.raises(LengthInvalid):
        await read_body(declared, _chunks(b"{}"), 6)


@pytest.mark.parametrize("name", list(DOORS))
async def test_a_client_that_hangs_up_mid_body_ends_as_499_without_a_traceback(
    app: Any, keys: dict[Tier, str], name: str
) -> None:
    """Starlette raises `ClientDisconnect` out of the body's stream when the client goes: the
    app answers 499 (nginx's "client closed request") instead of letting it out as a 500."""
    door = DOORS[name]
    headers = [(k.lower().encode(), v.encode()) for k, v in _headers(door, keys).items()]
    messages = iter(
        [
            {"type": "http.request", "body": b'{"a":', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": door.path,
        "raw_path": door.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"civicgraph.test"), *headers, (b"content-length", b"1000")],
        "client": ("127.0.0.1", 50000),
        "server": ("civicgraph.test", 80),
        "state": {},
    }
    await app(scope, receive, send)  # raises nothing
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]
