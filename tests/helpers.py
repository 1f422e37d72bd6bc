"""Helpers for tests that speak GraphQL over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, object] | None = None,
    key: str | None = None,
) -> dict[str, object]:
    headers = {"X-API-Key": key} if key else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def error_codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


REPO = Path(__file__).resolve().parents[1]
