"""Both gateways hold against hostile clients as the merged server does: a body over the limit
is refused 413 before it is read whole, and a subgraph's refusal met after the operation check
(a quota used up by this very request's later call) is an error of that part of the answer, the
parts that ran keeping their data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from civicgraph.rate_limits import parse_quota
from civicgraph.settings import Settings
from tests.federation.conftest import Doors
from tests.federation.test_same_answers import DOORS, GATEWAYS

SERVICES_THEN_CITY = "{ cases(first: 1) { edges { node { id district { code } } } } }"
"""The check and Case.district are answered by `city`, `cases` by `services`."""


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


@pytest.mark.xfail(
    run=False,
    strict=True,
    reason="unfinished (issue 14 note): the quota set-up between the check and the later part "
    "does not reach the refused part yet, and the test waits forever on Apollo's gateway",
)
@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_a_refusal_after_the_check_is_an_error_of_that_part_only(
    doors: Doors, settings: Settings, gateway: str
) -> None:
    # given a client whose public quota at `city` has room for one call only: the check's
    client = {"x-forwarded-for": f"198.51.100.{GATEWAYS.index(gateway) + 40}"}
    quota = parse_quota(settings.rate_limit_public).amount
    async with httpx.AsyncClient(timeout=60) as http:
        for _ in range(quota - 1):
            used = await http.post(
                f"{doors.subgraphs['city']}/graphql",
                json={"query": "{ __typename }"},
                headers=client,
            )
            assert used.status_code == 200

        # when a query checked at `city` runs `cases` at `services`, then Case.district at `city`
        response = await http.post(
            f"{doors.gateway(gateway)}/graphql",
            json={"query": SERVICES_THEN_CITY},
            headers={"accept": "application/json", **client},
        )

    # then the part that ran keeps its data, and the refused part is an error with our code
    assert response.status_code == 200
    body = response.json()
    node = body["data"]["cases"]["edges"][0]["node"]
    assert node["id"]
    assert node["district"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["rate_limited"]
