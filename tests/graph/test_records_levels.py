"""The records' sound-level means on SQLite: the math functions they need (registered when a
SQLite build lacks them) and migration 0012, which gives hours rolled up before it an energy."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from tortoise.exceptions import OperationalError

from graph.records import open_records, sqlite_url
from graph.records.db import SQLITE_MATH, ensure_sqlite_math
from tests.helpers import undo_migration_0015


def test_the_registered_math_functions_behave_as_sqlites() -> None:
    arity, power = SQLITE_MATH["power"]
    assert arity == 2
    assert power(10, 5.5) == pytest.approx(10**5.5)
    assert power(None, 2) is None
    assert power(10, 1e6) is None  # overflow: NULL, not an error
    arity, log10 = SQLITE_MATH["log10"]
    assert arity == 1
    assert log10(1000.0) == pytest.approx(3.0)
    assert log10(0.0) is None
    assert log10(None) is None


class WithoutMath:
    """A SQLite client whose build has no math functions."""

    def __init__(self) -> None:
        self.registered: dict[str, tuple[int, Any, bool]] = {}
        self._connection = self

    async def execute_query(self, sql: str) -> Any:
        raise OperationalError("no such function: power")

    async def create_function(
        self, name: str, arity: int, function: Any, deterministic: bool = False
    ) -> None:
        self.registered[name] = (arity, function, deterministic)


async def test_a_sqlite_without_math_functions_gets_ours() -> None:
    client = WithoutMath()
    assert await ensure_sqlite_math(client) is True  # type: ignore[arg-type]
    assert {name: entry[0] for name, entry in client.registered.items()} == {
        "power": 2,
        "log10": 1,
    }
    assert all(entry[2] for entry in client.registered.values())


async def test_a_sqlite_with_them_is_left_alone(tmp_path: Path) -> None:
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    try:
        assert await ensure_sqlite_math(records.client) is False
        rows = await records.query("SELECT 10 * log10(power(10, 57.5 / 10.0)) AS level")
        assert rows[0]["level"] == pytest.approx(57.5)
    finally:
        await records.close()


async def test_migration_0012_gives_old_noise_hours_the_energy_of_their_mean(
    tmp_path: Path,
) -> None:
    # given a database from before 0012 with rolled-up hours of noise and PM2.5
    url = sqlite_url(tmp_path / "records.sqlite3")
    made = await open_records(url)
    await made.query("ALTER TABLE reading_hourly DROP COLUMN energy")
    await made.query("DELETE FROM tortoise_migrations WHERE name = '0012_reading_hourly_energy'")
    # (and what came after it)
    await made.query("DELETE FROM tortoise_migrations WHERE name = '0013_case_event_closing_index'")
    await made.query("DROP INDEX case_event_status_kind_at")
    await made.query("DELETE FROM tortoise_migrations WHERE name = '0014_ml_review'")
    await made.query("DROP TABLE ml_review")
    await undo_migration_0015(made)
    await made.query(
        "INSERT INTO reading_hourly (sensor_id, data_type, hour, n, total, lo, hi) VALUES "
        "('s', 'noise', 3600, 30, 1500.0, 40.0, 60.0), ('s', 'pm25', 3600, 30, 300.0, 5.0, 15.0)"
    )
    await made.close()
    # when it is migrated
    migrated = await open_records(url)
    try:
        assert migrated.migrations_applied == [
            "0012_reading_hourly_energy",
            "0013_case_event_closing_index",
            "0014_ml_review",
            "0015_ml_predictions_and_feeds",
            "0016_api_key_requests",
            "0017_api_usage",
            "0018_persisted_documents",
            "0019_reading_latest",
        ]
        rows = await migrated.query(
            "SELECT data_type, energy FROM reading_hourly ORDER BY data_type"
        )
    finally:
        await migrated.close()
    # then the noise hour's energy is n·10^(mean/10) (mean 50 dB) and PM2.5 has none
    assert rows[0]["data_type"] == "noise"
    assert rows[0]["energy"] == pytest.approx(30 * math.pow(10, 5.0))
    assert rows[1] == {"data_type": "pm25", "energy": None}
