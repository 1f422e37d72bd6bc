"""Filing and updating complaints through GraphQL; every change writes a case event."""

from __future__ import annotations

import httpx

from graph.records.api_keys import Tier
from tests.helpers import graphql

FILE_CASE = """
mutation ($input: FileCaseInput!) {
  fileCase(input: $input) {
    __typename
    ... on FileCaseSuccess {
      case { id status districtCode department { id } events { kind status } }
    }
    ... on ServicesError { code field message }
  }
}
"""
UPDATE = """
mutation ($input: UpdateCaseStatusInput!) {
  updateCaseStatus(input: $input) {
    __typename
    ... on UpdateCaseStatusSuccess { case { id status statusNotes events { kind status note } } }
    ... on ServicesError { code field }
  }
}
"""
GANGNAM_STATION = {"lat": 37.5115, "lon": 127.0595}  # COEX, well inside Gangnam-gu


async def test_file_case_creates_a_routed_case_with_its_event(client: httpx.AsyncClient) -> None:
    body = await graphql(
        client,
        FILE_CASE,
        {"input": {"serviceCode": "noise", "description": "Night construction", **GANGNAM_STATION}},
    )
    result = body["data"]["fileCase"]  # type: ignore[index]
    assert result["__typename"] == "FileCaseSuccess"
    case = result["case"]
    assert case["status"] == "OPEN"
    assert case["districtCode"] == "11680"
    assert case["department"]["id"] == "environment"
    assert [e["kind"] for e in case["events"]] == ["received", "assigned"]


async def test_file_case_mistakes_are_typed_errors(client: httpx.AsyncClient) -> None:
    cases = [
        ({"serviceCode": "ufo", "description": "x", **GANGNAM_STATION}, "UNKNOWN_SERVICE"),
        ({"serviceCode": "noise", "description": "  ", **GANGNAM_STATION}, "INVALID"),
        ({"serviceCode": "noise", "description": "x" * 4001, **GANGNAM_STATION}, "INVALID"),
        (
            {"serviceCode": "noise", "description": "Busan", "lat": 35.1796, "lon": 129.0756},
            "OUTSIDE_CITY",
        ),
        ({"serviceCode": "noise", "description": "x", "lat": 91.0, "lon": 0.0}, "INVALID"),
    ]
    for payload, code in cases:
        result = (await graphql(client, FILE_CASE, {"input": payload}))["data"]["fileCase"]  # type: ignore[index]
        assert result["__typename"] == "ServicesError", payload
        assert result["code"] == code, payload


async def test_operator_closes_a_case_and_lower_tiers_cannot(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    filed = await graphql(
        client,
        FILE_CASE,
        {"input": {"serviceCode": "road-damage", "description": "Pothole", **GANGNAM_STATION}},
    )
    case_id = filed["data"]["fileCase"]["case"]["id"]  # type: ignore[index]
    close = {"input": {"id": case_id, "status": "CLOSED", "note": "Patched"}}
    for key in (None, keys[Tier.DEVELOPER], keys[Tier.ANALYST]):
        refused = (await graphql(client, UPDATE, close, key=key))["data"]["updateCaseStatus"]  # type: ignore[index]
        assert refused["code"] == "FORBIDDEN"
    done = (await graphql(client, UPDATE, close, key=keys[Tier.OPERATOR]))["data"][
        "updateCaseStatus"
    ]  # type: ignore[index]
    assert done["case"]["status"] == "CLOSED"
    assert done["case"]["statusNotes"] == "Patched"
    assert [(e["kind"], e["status"]) for e in done["case"]["events"]] == [
        ("received", "OPEN"),
        ("assigned", "OPEN"),
        ("status_changed", "CLOSED"),
    ]
    missing = {"input": {"id": "case-none", "status": "CLOSED"}}
    result = (await graphql(client, UPDATE, missing, key=keys[Tier.OPERATOR]))["data"][
        "updateCaseStatus"
    ]  # type: ignore[index]
    assert result["code"] == "NOT_FOUND"
