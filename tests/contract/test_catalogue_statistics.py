"""`catalogueStatistics` on LadybugDB and Neo4j: datasets in the catalogue, published and
modified today (the calendar day in Asia/Seoul), and per theme and publisher, never withheld."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from graph.ontology import DATASET_THEMES
from tests.contract.conftest import Backend, unique
from tests.contract.test_identity_api import gql

STATISTICS = """{ catalogueStatistics {
  datasets publishedToday modifiedToday
  byTheme { key count suppressed } byPublisher { key count suppressed }
} }"""


def dataset(issued: datetime, modified: datetime, theme: str, publisher: str) -> dict[str, Any]:
    key = unique("ds")
    return {
        "id": key,
        "title_ko": key,
        "title_en": key,
        "description": "a dataset of the catalogue-statistics test",
        "theme": theme,
        "publisher_code": publisher,
        "license": "CC-BY-4.0",
        "accrual_periodicity": "daily",
        "formats": ["CSV"],
        "keywords": ["test"],
        "issued": issued,
        "modified": modified,
        "landing_page": f"https://data.seoul.go.kr/{key}",
    }


@pytest.fixture
async def added(backend: Backend) -> AsyncIterator[list[dict[str, Any]]]:
    """Datasets a case adds to the seeded catalogue, removed afterwards."""
    made: list[dict[str, Any]] = []
    yield made
    for node in made:
        await backend.stores.graph.delete_node("Dataset", node["id"])


def by_key(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in rows}


async def test_catalogue_statistics_count_today_in_seoul_and_by_theme_and_publisher(
    backend: Backend, client: httpx.AsyncClient, added: list[dict[str, Any]]
) -> None:
    # given the catalogue as it is
    before = (await gql(client, backend, STATISTICS, None))["catalogueStatistics"]

    # when datasets are added around the start of today in Seoul (00:00 KST = 15:00 UTC the
    # day before): one issued at that instant, one a microsecond earlier and modified at it
    seoul = ZoneInfo("Asia/Seoul")
    midnight = datetime.combine(datetime.now(seoul).date(), time(), seoul).astimezone(UTC)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    publisher = unique("dept")
    rows = [
        dataset(midnight, midnight, "culture", publisher),
        dataset(midnight - timedelta(microseconds=1), midnight, "culture", publisher),
        dataset(long_ago, midnight - timedelta(microseconds=1), "health", publisher),
        dataset(long_ago, long_ago, "culture", publisher),
    ]
    for row in rows:
        assert await backend.stores.graph.create_node("Dataset", row)
        added.append(row)
    after = (await gql(client, backend, STATISTICS, None))["catalogueStatistics"]

    # then the figures moved by what was added, "today" counted from 00:00 in Seoul
    assert after["datasets"] == before["datasets"] + 4
    assert after["publishedToday"] == before["publishedToday"] + 1
    assert after["modifiedToday"] == before["modifiedToday"] + 2
    themes = by_key(after["byTheme"])
    assert list(themes)[: len(DATASET_THEMES)] == list(DATASET_THEMES)
    assert themes["culture"] == by_key(before["byTheme"])["culture"] + 3
    assert themes["health"] == by_key(before["byTheme"])["health"] + 1
    assert sum(themes.values()) == after["datasets"]
    # and datasets are not people: a cell of 4 is shown to the public, never withheld
    assert {"key": publisher, "count": 4, "suppressed": False} in after["byPublisher"]
    counts = [row["count"] for row in after["byPublisher"]]
    assert counts == sorted(counts, reverse=True)
    assert not any(row["suppressed"] for row in after["byTheme"] + after["byPublisher"])
