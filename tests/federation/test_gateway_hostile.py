"""Both gateways hold against hostile clients as the merged server does: a body over the limit
is refused 413 before it is read whole, and a subgraph's refusal met after the operation check
(a quota used up by this very request's later call) is an error of that part of the answer, the
parts that ran keeping their data."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from civicgraph.auth import DoorPolicy
from civicgraph.rate_limits import parse_quota
from civicgraph.settings import Settings
from graph.records.api_keys import Tier
from tests.federation.conftest import CHECKER, Doors
from tests.federation.test_same_answers import DOORS, GATEWAYS

SERVICES_THEN_CITY = "{ cases(first: 1) { edges { node { id district { code nameEn } } } } }"
"""The check is answered by CHECKER, District.nameEn by `city`, `cases` by `services` (which answers
District.code itself: it is the key)."""
FILE_CASE_THEN_CITY = """mutation($input: FileCaseInput!) {
  fileCase(input: $input) { ... on FileCaseSuccess { case { id district { code nameEn } } } }
}"""
"""fileCase runs at `services`, District.nameEn at `city`."""
NOISE_CASE = {
    "serviceCode": "noise",
    "description": "Night construction, filed while the city's quota ran out",
    "lat": 37.5115,
    "lon": 127.0595,
}
CASE_BACK = "query($id: ID!) { case(id: $id) { description } }"


async def chunked(size: int) -> AsyncIterator[bytes]:
    """`size` bytes of a JSON string body, in 64 KiB chunks (no Content-Length: chunked)."""
    yield b'{"query": "'
    sent = 0
    while sent < size:
        step = min(64 * 1024, size - sent)
        yield b" " * step
        sent += step
    yield b'"}'


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_body_over_the_limit_is_refused_413_as_on_the_merged_server(
    doors: Doors, settings: Settings, door: str, framing: str
) -> None:
    # given a body one byte over the merged server's limit, declared or streamed
    limit = settings.graphql_max_body_bytes
    over = " " * (limit + 1 - len('{"query": ""}'))
    body = f'{{"query": "{over}"}}'.encode() if framing == "content-length" else chunked(limit)
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{getattr(doors, door)}/graphql",
            content=body,
            headers={"content-type": "application/json", "accept": "application/json"},
        )

    # then it is refused with the merged server's status and body, whatever the door
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": f"the body is larger than {limit} bytes",
                "extensions": {"code": "payload_too_large"},
            }
        ]
    }


@contextlib.contextmanager
def public_quota(door: DoorPolicy, quota: str) -> Iterator[None]:
    """`door`'s public quota is `quota` (`limits` notation) for the block, then as before."""
    policies = door.rate_limits.policies
    before = policies[Tier.PUBLIC.value]
    policies[Tier.PUBLIC.value] = parse_quota(quota)
    try:
        yield
    finally:
        policies[Tier.PUBLIC.value] = before


@pytest.mark.parametrize("gateway", GATEWAYS)
@pytest.mark.parametrize("operation", ["query", "mutation"])
async def test_a_refusal_after_the_check_is_an_error_of_that_part_only(
    doors: Doors, gateway: str, operation: str
) -> None:
    # given a client whose public quota at `city` has room for the check's call only (none
    # when another subgraph checks: CHECKER)
    host = 40 + 2 * GATEWAYS.index(gateway) + (operation == "mutation")
    client = {"x-forwarded-for": f"198.51.100.{host}"}
    room = 2 if CHECKER == "city" else 1
    async with httpx.AsyncClient(timeout=60) as http:
        with public_quota(doors.policies["city"], f"{room}/hour"):
            used = await http.post(
                f"{doors.subgraphs['city']}/graphql",
                json={"query": "{ __typename }"},
                headers=client,
            )
            assert used.status_code == 200

            # when an operation checked at CHECKER runs a field at `services`, then District's
            # names at `city`: the cases query, or fileCase (a mutation that runs)
            request = (
                {"query": SERVICES_THEN_CITY}
                if operation == "query"
                else {"query": FILE_CASE_THEN_CITY, "variables": {"input": NOISE_CASE}}
            )
            response = await http.post(
                f"{doors.gateway(gateway)}/graphql",
                json=request,
                headers={"accept": "application/json", **client},
            )

        # then the part that ran keeps its data, and the refused part is an error with our code
        assert response.status_code == 200, response.text
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["rate_limited"], body
        if operation == "query":
            made = body["data"]["cases"]["edges"][0]["node"]
        else:
            made = body["data"]["fileCase"]["case"]
        assert made["id"]
        assert made["district"] is None

        # and a filed case was filed, once: the merged server reads it back
        if operation == "mutation":
            back = await http.post(
                f"{doors.merged}/graphql",
                json={"query": CASE_BACK, "variables": {"id": made["id"]}},
            )
            assert back.json()["data"]["case"]["description"] == NOISE_CASE["description"]


async def raw_status(base: str, request_line: str) -> tuple[int, bytes]:
    """The status and body of a request sent as raw bytes, `request_line` as it is."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    body = b'{"query": "{ __typename }"}'
    writer.write(
        f"{request_line}\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content


@pytest.mark.parametrize("gateway", GATEWAYS)
@pytest.mark.parametrize(
    "request_line", ["OPTIONS * HTTP/1.1", "POST http://evil.example/graphql HTTP/1.1"]
)
async def test_a_request_target_that_is_not_a_path_is_refused_400(
    doors: Doors, gateway: str, request_line: str
) -> None:
    status, content = await raw_status(doors.gateway(gateway), request_line)
    assert status == 400, content
    assert b"at " not in content  # no stack trace
    assert b"the request target is not a path" in content
