"""Records migrations on SQLite: from nothing, from a database made before migrations existed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.records import open_records, pending_migrations, sqlite_url
from graph.records.case_figures import closing_figures
from graph.records.readings import latest_readings

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
    "0013_case_event_closing_index",
    "0014_ml_review",
    "0015_ml_predictions_and_feeds",
    "0016_api_key_requests",
    "0017_api_usage",
    "0018_persisted_documents",
    "0019_reading_latest",
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
    "ml_review",
    "ml_prediction",
    "syndromic_count",
    "incident",
    "api_key_request",
    "api_usage",
    "persisted_document",
    "reading_latest",
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
    for column in ("total_nitrogen", "total_phosphorus"):  # 0015's
        await made.query(f"ALTER TABLE reading DROP COLUMN {column}")
    await made.query("ALTER TABLE api_key DROP COLUMN rotated_at")  # 0016's
    await made.query("DROP INDEX reading_measured_at")  # 0011's
    await made.query("DROP INDEX case_event_status_kind_at")  # 0013's
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
    assert (await latest_readings(adopted, ["s"]))["s"]["pm25"] == 2.5  # 0019 found it
    assert await adopted.query("SELECT count(*) AS n FROM reading_hourly") == [{"n": 0}]
    rows = await adopted.query("SELECT case_id, district_code FROM case_event")
    assert rows == [{"case_id": "case-1", "district_code": ""}]  # a new column on old rows
    await adopted.close()


async def test_migration_0019_points_each_sensor_at_its_newest_stored_reading(
    tmp_path: Path,
) -> None:
    # given a database at 0018 holding readings (two sensors, out of time order)
    url = sqlite_url(tmp_path / "records.sqlite3")
    made = await open_records(url)
    for sensor, at, pm25 in (("a", 120, 2.0), ("a", 240, 4.0), ("a", 60, 1.0), ("b", 60, 9.0)):
        await made.query(
            "INSERT INTO reading (sensor_id, measured_at, pm25) VALUES (?, ?, ?)",
            [sensor, at, pm25],
        )
    await made.query("DROP TABLE reading_latest")
    await made.query("DELETE FROM tortoise_migrations WHERE name = '0019_reading_latest'")
    await made.close()
    # when it is migrated
    migrated = await open_records(url)
    try:
        latest = await latest_readings(migrated, ["a", "b", "c"])
    finally:
        await migrated.close()
    # then each sensor's latest reading is its newest
    assert migrated.migrations_applied == ["0019_reading_latest"]
    assert {s: (r["measured_at"], r["pm25"]) for s, r in latest.items()} == {
        "a": (240, 4.0),
        "b": (60, 9.0),
    }


async def test_the_case_figures_read_a_window_s_closings_by_their_index(tmp_path: Path) -> None:
    # given a database with every migration and case events of many cases (with no ANALYZE, as
    # the platform runs), and the SQL the case figures run
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    await records.query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2999) "
        "INSERT INTO case_event (case_id, district_code, kind, status, note, department, actor, "
        "at) SELECT 'case-' || (i / 3), '11110', CASE i % 3 WHEN 0 THEN 'received' ELSE "
        "'status_changed' END, CASE i % 3 WHEN 2 THEN 'closed' ELSE 'open' END, '', '', '', "
        "datetime('now', '-' || (i % 60) || ' days') FROM n"
    )
    asked: list[tuple[str, list[object]]] = []
    run = records.query

    async def noting(sql: str, params: Sequence[object] = ()) -> list[dict[str, object]]:
        asked.append((sql, list(params)))
        return await run(sql, params)

    try:
        records.query = noting  # type: ignore[method-assign]
        now = datetime.now(UTC)
        await closing_figures(records, since=now - timedelta(days=30), today=now)
        records.query = run  # type: ignore[method-assign]
        ((sql, params),) = asked
        plan = await records.query(f"EXPLAIN QUERY PLAN {sql}", params)
    finally:
        await records.close()
    # then SQLite finds the closings by (status, kind, at) and keeps them apart before grouping
    # them by case (left to plan the GROUP BY itself, at scale 0.1 it took the case-id index and
    # scanned all 359,355 events: bench/README), never scanning every case event
    steps = [str(step["detail"]) for step in plan]
    assert any("USING INDEX case_event_status_kind_at" in step for step in steps), steps
    assert "MATERIALIZE closed" in steps, steps
    # and each closing's request by its case (an index led by kind had it search all received
    # events for every closing)
    received = [step for step in steps if step.startswith("SEARCH received")]
    assert received, steps
    assert all("(case_id=?)" in step for step in received), steps
    assert not any(step.startswith("SCAN case_event") for step in steps), steps
