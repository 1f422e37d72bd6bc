"""Helpers for tests that speak GraphQL over HTTP."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from graph.ontology import CITIZEN
from graph.records.db import Records


def resident_id(number: int | None = None) -> str:
    """A well-formed resident id (`cz-` and 16 hex digits, `graph.numbered_key`): of `number`,
    or of a random one no seed uses in practice."""
    assert CITIZEN.numbered is not None
    return CITIZEN.numbered.shown(secrets.randbelow(2**63) if number is None else number)


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


async def undo_migrations_after_0016(records: Records) -> None:
    """Take a records database back to 0016 (before API usage, 0017, persisted documents, 0018,
    and the latest reading per sensor, 0019)."""
    for table, name in (
        ("reading_latest", "0019_reading_latest"),
        ("persisted_document", "0018_persisted_documents"),
        ("api_usage", "0017_api_usage"),
    ):
        await records.query(f"DROP TABLE {table}")
        await records.query(f"DELETE FROM tortoise_migrations WHERE name = '{name}'")


async def undo_migration_0016(records: Records) -> None:
    """Take a records database back to before 0016 (key requests, keys' rotation time), and
    so before every later one."""
    await undo_migrations_after_0016(records)
    await records.query("DROP TABLE api_key_request")
    await records.query("ALTER TABLE api_key DROP COLUMN rotated_at")
    await records.query("DELETE FROM tortoise_migrations WHERE name = '0016_api_key_requests'")


async def undo_migration_0015(records: Records) -> None:
    """Take a records database back to before 0015 (predictions, syndromic counts, incidents and
    the readings' nitrogen and phosphorus), as a database migrated before it would be; and
    before the migrations after it."""
    await undo_migration_0016(records)
    for table in ("ml_prediction", "syndromic_count", "incident"):
        await records.query(f"DROP TABLE {table}")
    for column in ("total_nitrogen", "total_phosphorus"):
        await records.query(f"ALTER TABLE reading DROP COLUMN {column}")
    await records.query(
        "DELETE FROM tortoise_migrations WHERE name = '0015_ml_predictions_and_feeds'"
    )
