"""Each REST door is served by the subgraph of the domain that owns its data, so a city run as
subgraphs behind a gateway (`federation up`) still has Open311, reading ingest and certificate
proofs, and the catalogue (DCAT-AP, CKAN, downloads); the other subgraphs do not answer them."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.subgraphs import SUBGRAPHS

DOORS = [
    ("services", "GET", "/open311/v2/services.json"),
    ("sensing", "POST", "/ingest/readings"),
    ("trust", "GET", "/certificates/nope/proof"),
    ("data", "GET", "/api/3/action/package_list"),
    ("data", "GET", "/catalog.jsonld"),
    ("data", "GET", "/catalog/datasets/ds-sdot.ttl"),
    ("data", "GET", "/catalog/datasets/ds-sdot/data.csv"),
]


@pytest.mark.parametrize(("owner", "method", "path"), DOORS, ids=[door[2] for door in DOORS])
async def test_a_rest_door_is_served_by_its_owner_only(
    owner: str, method: str, path: str, subgraph_client: Any
) -> None:
    for name in SUBGRAPHS:
        async with subgraph_client(name) as http:
            response = await http.request(method, path, json={} if method == "POST" else None)
            # a door the app does not serve is the app's own "no such path" (in the door's
            # format: Open311's list of errors under /open311)
            unserved = response.status_code == 404 and "no such path" in response.text
            assert unserved is (name != owner), (name, path, response.text)
