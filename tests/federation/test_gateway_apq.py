"""Apollo Client's automatic persisted queries through a federation gateway: the gateway's
whole-operation check (a subgraph's /graphql/check) resolves the hash as the merged server does,
and the gateway runs the stored text (Apollo Server's own APQ)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_apq_client import apollo_client, steps
from tests.federation.conftest import Doors


@pytest.mark.parametrize("kind", ["apollo", "hive"])
@pytest.mark.parametrize("hashed_method", ["POST", "GET"])
async def test_apollo_client_persisted_queries_through_a_gateway(
    doors: Doors, kind: str, hashed_method: str
) -> None:
    # given a query no door has seen, spanning two subgraphs
    query = (
        f"query Across{uuid.uuid4().hex[:12]} "
        '{ district(code: "11680") { code nameEn sensors { id } } }'
    )
    args = ["--get"] if hashed_method == "GET" else []
    # when Apollo Client asks it twice through the gateway
    run = await apollo_client(doors.gateway(kind), query, *args)
    # then the hash alone was unknown, the text was stored, and the hash alone then ran
    assert steps(run) == [
        (hashed_method, False, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, []),
        (hashed_method, False, []),
    ]
    first, second = run["results"]
    assert first["error"] is None
    assert first["data"]["district"]["code"] == "11680"
    assert first["data"]["district"]["sensors"]
    assert second == first
