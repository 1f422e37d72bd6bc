"""Records migrations on SQLite: from nothing, from a database made before migrations existed."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.records import open_records, pending_migrations, sqlite_url

ALL = [
    "0001_initial",
    "0002_reading_hourly",
    "0003_alerts_and_case_districts",
    "0004_verifiable_log",
    "0005_certificates",
    "0006_procurement",
    "0007_identity",
    "0008_polls",
    "0009_write_intents",
    "0010_certificate_verifications",
    "0011_reading_time_index",
    "0012_reading_hourly_energy",
]
LATER_TABLES = (
    "reading_hourly",
    "alert",
    "log_entry",
    "log_head",
    "certificate",
    "procurement_vendor",
    "procurement_contract",
    "procurement_bid",
    "issuer_key",
    "enrolment_code",
    "resident_wallet",
    "credential_issued",
    "presentation_request",
    "poll",
    "ballot",
    "write_intent",
    "certificate_verification_day",
)
"""Tables the migrations after 0001 create."""


async def test_a_new_database_gets_every_migration_once(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "records.sqlite3")
    with pytest.raises(StoreUnavailable, match="civicgraph seed"):
        await open_records(url, migrate=False)
    first = await open_records(url)
    applied, pending = first.migrations_applied, await pending_migrations(first)
    await first.close()
    assert applied == ALL
    assert pending == []
    again = await open_records(url)
    await again.close()
    assert again.migrations_applied == []


async def test_a_database_from_before_migrations_is_adopted_with_its_data(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "records.sqlite3")
    made = await open_records(url)
    await made.query("INSERT INTO reading (sensor_id, measured_at, pm25) VALUES ('s', 1, 2.5)")
    # what `generate_schemas` left before there were migrations: the first model set, no history
    for table in LATER_TABLES:
        await made.query(f"DROP TABLE {table}")
    await made.query("ALTER TABLE case_event DROP COLUMN district_code")
    await made.query("DROP INDEX reading_measured_at")  # 0011's
    await made.query("DROP TABLE tortoise_migrations")
    await made.query(
        "INSERT INTO case_event (case_id, kind, status, note, department, actor, at) "
        "VALUES ('case-1', 'received', 'open', '', '', '', '2026-11-25 00:00:00+00:00')"
    )
    await made.close()

    with pytest.raises(StoreUnavailable, match="civicgraph migrate"):
        await open_records(url, migrate=False)
    adopted = await open_records(url)
    assert adopted.migrations_applied == ALL[1:]
    assert await adopted.query("SELECT pm25 FROM reading") == [{"pm25": 2.5}]
    assert await adopted.query("SELECT count(*) AS n FROM reading_hourly") == [{"n": 0}]
    rows = await adopted.query("SELECT case_id, district_code FROM case_event")
    assert rows == [{"case_id": "case-1", "district_code": ""}]  # a new column on old rows
    await adopted.close()
