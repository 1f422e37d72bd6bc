"""Key requests past their retention are purged by the running server (its lifespan), and a key
changed through one worker stops working on another within the door's key cache time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records import api_key_requests as requests
from graph.records import api_keys
from graph.records.api_key_requests import PendingBounds
from graph.records.api_keys import Tier
from tests.civicgraph.door import client, door_app
from tests.helpers import graphql

ME = "{ apiKey { prefix tier } }"
ROTATE = "mutation { rotateApiKey { ... on RotateApiKeySuccess { secret } } }"


async def rejected_request(stores: Stores, name: str, decided: datetime) -> str:
    new = requests.checked_request(name, "lee@example.com", "purge test", Tier.DEVELOPER)
    made = await requests.create_request(
        stores.records, new, f"purge-{name}", decided, PendingBounds()
    )
    await requests.reject(
        stores.records, made.request.request_id, by="t", at=decided, reason="test"
    )
    return made.request.request_id


async def test_serve_purges_key_requests_past_their_retention(
    settings: Settings, stores: Stores
) -> None:
    # given a request rejected 31 days ago and one rejected 29 days ago
    now = datetime.now(UTC)
    stale = await rejected_request(stores, "stale", now - timedelta(days=31))
    fresh = await rejected_request(stores, "fresh", now - timedelta(days=29))
    # when a server with a 30-day retention runs a while
    limits = {"key_contact_retention_days": 30, "key_purge_every_seconds": 0.05}
    app = create_app(settings.model_copy(update=limits), stores, key_purge=True)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if await requests.find_request(stores.records, stale) is None:
                break
            await asyncio.sleep(0.05)
    # then the stale request is gone, contact and all, and the fresh one kept
    assert await requests.find_request(stores.records, stale) is None
    assert await requests.find_request(stores.records, fresh) is not None


async def test_a_server_with_the_purge_off_keeps_them(settings: Settings, stores: Stores) -> None:
    stale = await rejected_request(stores, "kept", datetime.now(UTC) - timedelta(days=31))
    limits = {"key_contact_retention_days": 30, "key_purge_every_seconds": 0}
    app = create_app(settings.model_copy(update=limits), stores, key_purge=True)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.2)
    assert await requests.find_request(stores.records, stale) is not None
    await requests.purge(stores.records, datetime.now(UTC), timedelta(days=30))  # tidy


async def test_another_worker_refuses_a_rotated_secret_within_its_cache_time(
    settings: Settings, stores: Stores
) -> None:
    # given two workers over the same records, each caching key lookups for 0.5 s
    issued = await api_keys.create_key(stores.records, "two workers", Tier.DEVELOPER)
    old = {"x-api-key": issued.secret}
    async with (
        door_app(settings, stores, key_cache_seconds=0.5) as one,
        door_app(settings, stores, key_cache_seconds=0.5) as other,
        client(one) as first,
        client(other) as second,
    ):
        assert (await second.post("/graphql", json={"query": ME}, headers=old)).status_code == 200
        # when the key is rotated through the first worker
        rotated = await graphql(first, ROTATE, key=issued.secret)
        assert rotated["data"]["rotateApiKey"]["secret"]  # type: ignore[index]
        # then the first refuses the old secret at once, the second once its cache entry ends
        assert (await first.post("/graphql", json={"query": ME}, headers=old)).status_code == 401
        cached = await second.post("/graphql", json={"query": ME}, headers=old)
        await asyncio.sleep(0.6)
        expired = await second.post("/graphql", json={"query": ME}, headers=old)
    assert cached.status_code == 200  # the documented bound: CIVIC_KEY_CACHE_SECONDS
    assert expired.status_code == 401
