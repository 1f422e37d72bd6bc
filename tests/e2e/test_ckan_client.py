"""The CKAN Action API subset read by a real CKAN client (`ckanapi` from PyPI) from a real
server: what a CKAN harvester sees, GET and POST, answers and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ckanapi
import pytest
import requests

from graph.records.api_keys import Tier


def calls(url: str, *, get_only: bool = False, apikey: str | None = None) -> Any:
    return ckanapi.RemoteCKAN(url, apikey=apikey, get_only=get_only, user_agent="civicgraph-test")


async def call(remote: Any, action: str, **data: Any) -> Any:
    """An action through ckanapi (a blocking client), off the server's event loop."""
    function: Callable[..., Any] = getattr(remote.action, action)
    return await asyncio.to_thread(function, **data)


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
async def test_ckanapi_lists_shows_and_searches_the_catalogue(server: str, get_only: bool) -> None:
    remote = calls(server, get_only=get_only)
    # given the names of every dataset
    names = await call(remote, "package_list")
    assert {"ds-sdot", "ds-water-quality"} <= set(names)
    assert names == sorted(names)
    # when one is shown
    shown = await call(remote, "package_show", id="ds-sdot")
    # then it is a CKAN package with its resources: the GraphQL query and both downloads
    assert shown["name"] == "ds-sdot"
    assert shown["license_id"] == "CC-BY-4.0"
    formats = [r["format"] for r in shown["resources"]]
    assert formats[:3] == ["GraphQL", "CSV", "GeoJSON"]
    assert shown["resources"][1]["url"].endswith("/catalog/datasets/ds-sdot/data.csv")
    # and a statistics series advertises no download of the platform's
    series = await call(remote, "package_show", id="ds-00000")
    assert all("/catalog/datasets/" not in r["url"] for r in series["resources"])
    assert series["resources"][0]["format"] == "GraphQL"
    # and a search pages through the whole catalogue
    first = await call(remote, "package_search", q="", rows=2, start=0, sort="name asc")
    assert first["count"] == len(names)
    assert [p["name"] for p in first["results"]] == names[:2]
    second = await call(remote, "package_search", rows=2, start=2, sort="name asc")
    assert [p["name"] for p in second["results"]] == names[2:4]


async def test_ckanapi_filters_by_fq_and_q(server: str) -> None:
    remote = calls(server)
    everything = await call(remote, "package_search", rows=1000)
    packages = everything["results"]
    # organization:, tags:, res_format:, license_id: filter as CKAN's Solr would
    water = await call(remote, "package_search", fq="organization:water", rows=1000)
    assert {p["name"] for p in water["results"]} == {
        p["name"] for p in packages if p["owner_org"] == "water"
    }
    downloads = await call(
        remote, "package_search", fq='res_format:"GeoJSON" license_id:CC-BY-4.0', rows=1000
    )
    assert {p["name"] for p in downloads["results"]} == {"ds-sdot", "ds-water-quality"}
    economy = await call(remote, "package_search", fq="tags:economy AND -organization:water")
    assert all(
        "economy" in [t["name"] for t in p["tags"]] and p["owner_org"] != "water"
        for p in economy["results"]
    )
    # q: free text and field:value words
    sensors = await call(remote, "package_search", q="S-DoT sensors")
    assert [p["name"] for p in sensors["results"]] == ["ds-sdot"]
    assert (await call(remote, "package_search", q="groups:environment"))["count"] == sum(
        p["groups"][0]["name"] == "environment" for p in packages
    )


async def test_ckanapi_lists_the_publishing_departments(server: str) -> None:
    remote = calls(server)
    names = await call(remote, "organization_list")
    full = await call(remote, "organization_list", all_fields=True)
    assert [o["name"] for o in full] == names
    assert "water" in names
    total = (await call(remote, "package_search", rows=0))["count"]
    assert sum(o["package_count"] for o in full) == total
    assert (
        next(o for o in full if o["name"] == "water")["title"] == "Water Circulation Safety Bureau"
    )


@pytest.mark.parametrize(
    ("action", "data", "error"),
    [
        ("package_show", {"id": "ds-nope"}, ckanapi.NotFound),
        ("package_show", {}, ckanapi.ValidationError),
        ("package_show", {"id": 5}, ckanapi.ValidationError),
        ("package_show", {"id": "ds-\x00"}, ckanapi.ValidationError),
        ("package_search", {"rows": -1}, ckanapi.ValidationError),
        ("package_search", {"rows": 10**9}, ckanapi.ValidationError),
        ("package_search", {"rows": "ten"}, ckanapi.ValidationError),
        ("package_search", {"rows": True}, ckanapi.ValidationError),
        ("package_search", {"start": 10**12}, ckanapi.ValidationError),
        ("package_search", {"fq": "organization:(a OR b"}, ckanapi.ValidationError),
        ("package_search", {"fq": "owner:water"}, ckanapi.ValidationError),
        ("package_search", {"fq": "metadata_modified:[yesterday TO *]"}, ckanapi.ValidationError),
        ("package_search", {"q": ["a list"]}, ckanapi.ValidationError),
        ("package_search", {"sort": "popularity desc"}, ckanapi.ValidationError),
        ("organization_list", {"all_fields": "maybe"}, ckanapi.ValidationError),
        ("package_create", {"name": "mine"}, ckanapi.CKANAPIError),
    ],
    ids=[
        "unknown-id",
        "no-id",
        "id-number",
        "id-nul",
        "rows-negative",
        "rows-huge",
        "rows-text",
        "rows-bool",
        "start-huge",
        "fq-unparsable",
        "fq-unknown-field",
        "fq-bad-range",
        "q-list",
        "sort-unknown",
        "all-fields-text",
        "write-action",
    ],
)
async def test_bad_calls_are_ckan_errors_not_500(
    server: str, action: str, data: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await call(calls(server), action, **data)


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"{", 400, "Bad request"),
        (b"[1, 2]", 400, "Bad request"),
        (b'{"id": "ds-nope"}', 404, "Not Found Error"),
        (b'{"rows": -1}', 409, "Validation Error"),
    ],
    ids=["not-json", "not-an-object", "not-found", "invalid"],
)
async def test_refusals_carry_ckans_status_and_envelope(
    server: str, body: bytes, status: int, kind: str
) -> None:
    action = "package_show" if b"id" in body else "package_search"
    response = await asyncio.to_thread(
        requests.post,
        f"{server}/api/3/action/{action}",
        data=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status
    answer = response.json()
    assert answer["success"] is False
    assert answer["error"]["__type"] == kind
    assert answer["help"].endswith(f"help_show?name={action}")


async def test_a_key_is_read_as_ckan_clients_send_it(server: str, keys: dict[Tier, str]) -> None:
    # ckanapi sends its apikey as `Authorization: <key>` and `X-CKAN-API-Key: <key>`
    remote = calls(server, apikey=keys[Tier.DEVELOPER])
    assert "ds-sdot" in await call(remote, "package_list")
    with pytest.raises(ckanapi.NotAuthorized):
        await call(calls(server, apikey="not-a-key"), "package_list")


async def test_conflicting_keys_are_refused_in_ckans_envelope_naming_ckans_header(
    server: str, keys: dict[Tier, str]
) -> None:
    headers = {"x-ckan-api-key": keys[Tier.DEVELOPER], "x-api-key": keys[Tier.ANALYST]}
    response = await asyncio.to_thread(
        requests.get, f"{server}/api/3/action/package_list", headers=headers, timeout=30
    )
    assert response.status_code == 401
    answer = response.json()
    assert answer["error"]["__type"] == "Authorization Error"
    assert "X-CKAN-API-Key" in answer["error"]["message"]
    assert answer["help"].endswith("help_show?name=package_list")
