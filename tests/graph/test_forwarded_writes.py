"""A read-only LadybugDB store forwards the four graph writes to the process that writes the
file (graph/forwarded_writes.py), which runs them and answers with their result or their typed
error; the follower's next read sees the write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from graph import forwarded_writes
from graph.errors import QueryFailed, ReadOnlyGraph, StoreUnavailable, UnknownLabel
from graph.forwarded_writes import socket_path
from graph.ladybug_store import LadybugStore
from graph.ontology import NODE_TYPES
from graph.query import Hop
from tests.contract.test_graph_store import sample

DISTRICT, DEPARTMENT = NODE_TYPES["District"], NODE_TYPES["Department"]
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def case(case_id: str) -> dict[str, object]:
    return {
        "id": case_id,
        "service_code": "noise",
        "service_name": "소음",
        "description": "야간 공사 소음",
        "status": "open",
        "status_notes": "",
        "agency_responsible": "environment",
        "requested_at": NOW,
        "updated_at": NOW,
        "expected_at": NOW + timedelta(hours=48),
        "lat": 37.5115,
        "lon": 127.0595,
        "district_code": "11680",
        "address": "테헤란로 1",
    }


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[LadybugStore]:
    store = LadybugStore(tmp_path / "graph.lbug")
    await store.create_schema()
    await store.load_nodes("District", pa.Table.from_pylist([sample(DISTRICT, "11680")]))
    departments = [sample(DEPARTMENT, key) for key in ("environment", "roads")]
    await store.load_nodes("Department", pa.Table.from_pylist(departments))
    try:
        yield store
    finally:
        await store.close()


async def test_a_followers_writes_run_on_the_writer_and_its_next_read_sees_them(
    writer: LadybugStore,
) -> None:
    follower = LadybugStore(writer._path, read_only=True)
    try:
        async with writer.taking_forwarded_writes():
            links = [("LOCATED_IN", "District", "11680"), ("ASSIGNED_TO", "Department", "roads")]
            assert await follower.create_node("Case", case("case-1"), links)
            assert not await follower.create_node(
                "Case", case("case-2"), [("LOCATED_IN", "District", "99999")]
            )
            (stored,) = await follower.get_nodes("Case", ["case-1"])
            assert stored == case("case-1")  # the timestamps back as they went, in UTC
            assert (await writer.get_nodes("Case", ["case-1"]))[0] == stored

            later = {"status": "closed", "updated_at": NOW + timedelta(hours=1)}
            await follower.update_node("Case", "case-1", later, unless_newer="updated_at")
            moved = await follower.relink_node(
                "Case",
                "case-1",
                {"agency_responsible": "environment"},
                ("ASSIGNED_TO", "Department", "environment"),
            )
            assert moved
            (changed,) = await follower.get_nodes("Case", ["case-1"])
            assert changed is not None
            assert (changed["status"], changed["agency_responsible"]) == ("closed", "environment")
            assigned = await writer.neighbors(Hop("ASSIGNED_TO", "Case", "Department"), ["case-1"])
            assert [d["id"] for d in assigned["case-1"]] == ["environment"]

            await follower.delete_node("Case", "case-1")
            assert await follower.get_nodes("Case", ["case-1"]) == [None]
    finally:
        await follower.close()


async def test_the_writers_errors_come_back_as_their_own_classes(writer: LadybugStore) -> None:
    follower = LadybugStore(writer._path, read_only=True)
    try:
        async with writer.taking_forwarded_writes():
            with pytest.raises(UnknownLabel):
                await follower.create_node("Nothing", {"id": "x"})
            await follower.create_node("Case", case("case-1"))
            with pytest.raises(QueryFailed, match="duplicated primary key"):
                await follower.create_node("Case", case("case-1"))
            with pytest.raises(TypeError):  # refused before it leaves: not a value of JSON
                await follower.update_node("Case", "case-1", {"status": object()})
            assert (await follower.get_nodes("Case", ["case-1"]))[0] is not None
    finally:
        await follower.close()


async def test_without_a_writer_taking_them_writes_are_refused_as_read_only(
    writer: LadybugStore,
) -> None:
    """No writer runs, or one runs without taking forwarded writes (a socket file left by a
    killed writer): a typed refusal (HTTP 503), not a hang."""
    follower = LadybugStore(writer._path, read_only=True)
    try:
        with pytest.raises(ReadOnlyGraph, match="no writer takes its graph writes"):
            await follower.delete_node("Case", "case-1")
        socket_path(writer._path).write_bytes(b"")
        with pytest.raises(ReadOnlyGraph):
            await follower.delete_node("Case", "case-1")
        async with writer.taking_forwarded_writes():  # replaces the file left behind
            await follower.create_node("Case", case("case-1"))
        assert not socket_path(writer._path).exists()
        with pytest.raises(ReadOnlyGraph):
            await follower.delete_node("Case", "case-1")
    finally:
        await follower.close()


async def test_a_malformed_request_is_answered_and_changes_nothing(
    writer: LadybugStore,
) -> None:
    async with writer.taking_forwarded_writes():
        for line in (
            b"not json\n",
            b'{"op": "drop_schema", "args": {}}\n',
            b'{"op": "delete_node", "args": {"label": ["Case"], "key": "x"}}\n',
            b'{"op": "create_node", "args": {"label": "Case", "properties": [], "links": []}}\n',
        ):
            reader, sender = await asyncio.open_unix_connection(str(socket_path(writer._path)))
            sender.write(line)
            answer = await reader.readline()
            sender.close()
            assert b'"error": "QueryFailed"' in answer
            assert b"malformed" in answer
    assert (await writer.count_by_label())["District"] == 1


async def test_each_side_talks_only_to_its_own_user(
    writer: LadybugStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    follower = LadybugStore(writer._path, read_only=True)
    try:
        async with writer.taking_forwarded_writes():
            assert socket_path(writer._path).stat().st_mode & 0o777 == 0o600
            real = forwarded_writes.os.getuid()
            monkeypatch.setattr(forwarded_writes.os, "getuid", lambda: real + 1)
            with pytest.raises(StoreUnavailable, match="another user"):
                await follower.create_node("Case", case("case-1"))
        assert await writer.get_nodes("Case", ["case-1"]) == [None]
    finally:
        await follower.close()


async def test_a_writer_stopping_answers_the_writes_under_way_first(
    writer: LadybugStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer leaves `taking_forwarded_writes` (and then closes its store) only once the
    writes under way have been answered: a review's writer stopped under 40 filing clients, and
    followers answered 500 for writes whose store had closed under them."""
    follower = LadybugStore(writer._path, read_only=True)
    create = writer.create_node

    async def slow(*args: Any, **kwargs: Any) -> bool:
        await asyncio.sleep(0.3)
        return await create(*args, **kwargs)

    monkeypatch.setattr(writer, "create_node", slow)
    try:
        async with writer.taking_forwarded_writes():
            filing = asyncio.create_task(follower.create_node("Case", case("case-1")))
            await asyncio.sleep(0.1)  # under way on the writer
        await writer.close()  # as `serve` does next
        assert await filing
        assert (await follower.get_nodes("Case", ["case-1"]))[0] is not None
    finally:
        await follower.close()
