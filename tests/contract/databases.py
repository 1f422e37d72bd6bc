"""Empty records databases for contract cases that need their own: a SQLite file, or a
PostgreSQL database of their own on the test server, dropped afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from graph.records import sqlite_url
from tests.contract.conftest import POSTGRES_URL


async def empty_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """The URL of an empty records database of `kind`, dropped afterwards (PostgreSQL)."""
    if kind == "sqlite":
        yield sqlite_url(folder / "records.sqlite3")
        return
    name = f"civic_contract_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL is not running (tools/services/services.sh): {error}")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        for _ in range(20):  # closed pools' sessions end a moment later
            try:
                await admin.execute(f'DROP DATABASE "{name}"')
                break
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.5)
        await admin.close()
