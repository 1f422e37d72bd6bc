"""What only the LadybugDB adapter does; the shared behaviour is in tests/contract."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa
import pytest

from graph.errors import QueryFailed, StoreUnavailable
from graph.ladybug_store import LOOKUP_HERE_KEYS, LadybugStore, _to_its_end
from graph.ontology import NODE_TYPES, NodeType
from graph.query import Hop
from graph.write_lock import WriteLock
from tests.contract.test_graph_store import sample
from tests.helpers import resident_id


async def test_read_only_open_of_a_missing_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        LadybugStore(tmp_path / "absent.lbug", read_only=True)


def test_data_type_enum_matches_the_readings_columns() -> None:
    from graph.records.readings import DATA_TYPES
    from resolvers.sensing.types import DataType

    assert [t.value for t in DataType] == list(DATA_TYPES)


async def test_a_bulk_load_keeps_no_batch_in_memory(tmp_path: Path) -> None:
    """A seed streams batches through COPY: none may stay allocated once loaded (ladybug 0.22
    keeps every Arrow table bound on a connection, so the store copies on one of its own)."""
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        await store.create_schema()
        gc.collect()
        before = pa.total_allocated_bytes()
        size = 0
        for batch in range(4):
            table = pa.table(
                {
                    "id": [resident_id(batch * 20_000 + n) for n in range(20_000)],
                    "district_code": ["11680"] * 20_000,
                    "dong_code": ["1168010100"] * 20_000,
                    "birth_year": pa.array([1980] * 20_000, pa.int64()),
                    "sex": ["F"] * 20_000,
                    "welfare_eligible": [False] * 20_000,
                }
            )
            size = table.nbytes
            await store.load_nodes("Citizen", table)
            del table
        gc.collect()
        assert pa.total_allocated_bytes() - before < size
        assert (await store.count_by_label())["Citizen"] == 80_000
    finally:
        await store.close()


async def test_reads_by_key_look_the_key_up_instead_of_scanning(tmp_path: Path) -> None:
    """`get_nodes` and `neighbors` must reach their start nodes through the primary key: the
    same answers from a scan of the table cost 25 ms for 3 citizens at scale 0.01 and 2.4 s at
    1.0, and 2 s for 10 citizens' gu at 1.0 (bench.graph_reads). Checked on LadybugDB's own
    profile of each statement the store sends, since a scan gives the same rows: no operator
    may pass on more rows than the few asked for, where a scan passes on the whole table."""
    store = LadybugStore(tmp_path / "graph.lbug")
    sent: list[tuple[str, dict[str, Any]]] = []
    rows, lookup = store._rows, store._lookup

    async def spy(text: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        sent.append((text, dict(params or {})))
        return await rows(text, params, **kw)

    def spy_lookup(text: str, params: Mapping[str, Any], keys: int) -> Any:
        sent.append((text, dict(params)))
        return lookup(text, params, keys)

    try:
        await store.create_schema()
        # plans follow the tables' sizes: an empty graph is planned otherwise
        gus = ["11680", "11110"]
        citizens = [resident_id(n) for n in range(5_000)]
        for label, keys in (("District", gus), ("Citizen", citizens)):
            table = [sample(NODE_TYPES[label], key) for key in keys]
            await store.load_nodes(label, pa.Table.from_pylist(table))
        await store.load_rels(
            "LIVES_IN", "Citizen", "District", pa.table({"from": citizens, "to": gus * 2_500})
        )
        store._rows = spy  # type: ignore[method-assign]
        store._lookup = spy_lookup  # type: ignore[method-assign]
        await store.get_nodes("Citizen", citizens[1:4])
        await store.neighbors(Hop("LIVES_IN", "Citizen", "District"), citizens[2:3])
        await store.neighbors(Hop("LIVES_IN", "Citizen", "District"), citizens[1:4])
        profile = ladybug.Connection(store._opened.db)
        for text, params in sent:
            plan = profile.execute(f"PROFILE {text}", params).get_all()[0][0]  # type: ignore[union-attr]
            passed = [int(n) for n in re.findall(r"NumOutputTuples: (\d+)", plan)]
            assert max(passed) <= 3, (text, passed)
        profile.close()
        assert len(sent) == 3
    finally:
        await store.close()


def statements_on_the_pool(store: LadybugStore) -> list[str]:
    """The statements `store` sends through its pool from now on, as they are sent."""
    pooled: list[str] = []
    execute = store._opened.conn.execute

    async def counting(text: Any, parameters: dict[str, Any] | None = None) -> Any:
        pooled.append(text)
        return await execute(text, parameters)

    store._opened.conn.execute = counting  # type: ignore[method-assign]
    return pooled


async def test_a_lookup_of_a_few_keys_skips_the_pool_unless_a_write_is_under_way(
    tmp_path: Path,
) -> None:
    """A lookup of up to LOOKUP_HERE_KEYS keys is answered on the calling thread (a hop into the
    pool costs more than the lookup); more keys, or any while a write holds the lock (LadybugDB
    holds new transactions back while a write checkpoints: the loop must not wait), go through
    the pool. Both ways give the same nodes."""
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        await store.create_schema()
        citizens = [resident_id(n) for n in range(LOOKUP_HERE_KEYS + 1)]
        one, two, absent = citizens[1], citizens[2], resident_id(LOOKUP_HERE_KEYS + 1)
        table = [sample(NODE_TYPES["Citizen"], key) for key in citizens]
        await store.load_nodes("Citizen", pa.Table.from_pylist(table))
        pooled = statements_on_the_pool(store)

        few = await store.get_nodes("Citizen", [one, absent, two, "not an id", one])
        assert [n and n["id"] for n in few] == [one, None, two, None, one]
        at_most = await store.get_nodes("Citizen", citizens[:LOOKUP_HERE_KEYS])
        assert [n and n["id"] for n in at_most] == citizens[:LOOKUP_HERE_KEYS]
        assert pooled == []

        many = await store.get_nodes("Citizen", citizens)  # one key more
        assert [n and n["id"] for n in many] == citizens
        assert len(pooled) == 1

        async with store._writes.hold():  # as a write does while it runs
            assert [n and n["id"] for n in await store.get_nodes("Citizen", [one])] == [one]
        assert len(pooled) == 2
    finally:
        await store.close()


async def test_a_cancelled_write_keeps_the_writers_turn_until_it_has_ended() -> None:
    """A caller cancelled while LadybugDB runs its write hands the write lock back only once the
    write is over: until then no other write may start (LadybugDB refuses a second one) and no
    lookup may run on the event loop (a committing write holds new transactions back)."""
    writes = WriteLock()
    release = asyncio.Event()
    ended: list[str] = []

    async def write() -> str:  # the database's side of a write, ended from outside
        await release.wait()
        ended.append("write")
        return "done"

    async def caller() -> str:
        async with writes.hold():
            return await _to_its_end(write())

    calling = asyncio.create_task(caller())
    await asyncio.sleep(0.01)
    for _ in range(3):  # a timeout, then the client's `complete`, then shutdown
        calling.cancel()
        await asyncio.sleep(0.01)
        assert writes.held  # cancelled, but the write still runs: the turn is still taken
        assert not calling.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await calling
    assert ended == ["write"]
    assert not writes.held


async def test_a_write_that_fails_after_its_caller_was_cancelled_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def write() -> str:
        await release.wait()
        raise QueryFailed("LadybugDB refused the write")

    calling = asyncio.create_task(_to_its_end(write()))
    await asyncio.sleep(0.01)
    calling.cancel()
    await asyncio.sleep(0.01)
    release.set()
    with (
        caplog.at_level(logging.WARNING, logger="graph.ladybug_store"),
        pytest.raises(asyncio.CancelledError),
    ):
        await calling
    assert "a write whose caller was cancelled failed: LadybugDB refused the write" in caplog.text


async def test_a_write_cancelled_by_its_caller_still_ends_whole(tmp_path: Path) -> None:
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        await store.create_schema()
        creating = asyncio.create_task(
            store.create_node("District", sample(NODE_TYPES["District"], "11680"))
        )
        await asyncio.sleep(0)  # the write is under way
        creating.cancel()
        with pytest.raises(asyncio.CancelledError):
            await creating
        assert not store._writes.held
        assert (await store.get_nodes("District", ["11680"]))[0] is not None
    finally:
        await store.close()


def test_a_node_type_cannot_name_a_property_twice() -> None:
    """Reads return one column per property; a name twice would be one expression twice in a
    UNION ALL, which crashes LadybugDB 0.22 (`cypher.find_nodes_each`)."""
    district = NODE_TYPES["District"]
    with pytest.raises(ValueError, match="twice"):
        NodeType("Twice", "code", (*district.properties, district.properties[0]))


async def test_releasing_memory_reopens_the_database_unless_a_read_is_under_way(
    tmp_path: Path,
) -> None:
    """`release_memory` closes and reopens the database (LadybugDB gives a COPY's memory back
    only then): what was loaded reads back after, and the store goes on taking writes. While
    a read runs on the pool it leaves the database open."""
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        await store.create_schema()
        residents = [resident_id(n) for n in range(3)]
        rows = [sample(NODE_TYPES["Citizen"], key) for key in residents]
        await store.load_nodes("Citizen", pa.Table.from_pylist(rows))
        opened = store._opened.db
        await store.release_memory()
        assert store._opened.db is not opened
        assert [n and n["id"] for n in await store.get_nodes("Citizen", residents)] == residents
        await store.delete_node("Citizen", residents[0])
        assert (await store.count_by_label())["Citizen"] == 2

        store._opened.reading = 1  # as `_rows` counts a read on the pool
        opened = store._opened.db
        await store.release_memory()
        assert store._opened.db is opened
    finally:
        store._opened.reading = 0
        await store.close()


async def test_a_graph_with_lists_as_string_arrays_is_stored_anew_at_a_writing_open(
    tmp_path: Path,
) -> None:
    """A graph written before lists were packed (`graph.packed_list`) holds `STRING[]`
    columns: read-only it reads as it is; the first read-write open packs them in place, after
    which reads, writes and bulk loads (by column name: the packed column is now last) work."""
    path = tmp_path / "graph.lbug"
    store = LadybugStore(path)
    await store.create_schema()
    await store.close()
    older = ladybug.Database(str(path))
    connection = ladybug.Connection(older)
    for label in ("Sensor", "Dataset"):
        kind = NODE_TYPES[label]
        for p in kind.properties:
            if p.type.value == "STRING[]":
                connection.execute(f"ALTER TABLE {label} DROP {p.name}")
                connection.execute(f"ALTER TABLE {label} ADD {p.name} STRING[]")
    connection.execute(
        "CREATE (n:Sensor {id: 's-old', kind: 'sdot', data_types: ['pm25', 'noise']})"
    )
    connection.execute("CREATE (n:Sensor {id: 's-empty', kind: 'sdot', data_types: []})")
    connection.close()
    older.close()

    reader = LadybugStore(path, read_only=True)
    [old] = await reader.get_nodes("Sensor", ["s-old"])
    assert old is not None
    assert old["data_types"] == ["pm25", "noise"]
    await reader.close()

    store = LadybugStore(path)
    types = {
        row[1]: row[2] for row in store._opened.here.execute("CALL table_info('Sensor') RETURN *")
    }
    assert types["data_types"] == "STRING"
    nodes = await store.get_nodes("Sensor", ["s-old", "s-empty"])
    assert [n["data_types"] if n else None for n in nodes] == [["pm25", "noise"], []]
    kind = NODE_TYPES["Sensor"]
    assert await store.create_node("Sensor", {**sample(kind, "s-new"), "data_types": ["o3"]})
    await store.load_nodes("Sensor", pa.Table.from_pylist([sample(kind, "s-loaded")]))
    [new, loaded] = await store.get_nodes("Sensor", ["s-new", "s-loaded"])
    assert new is not None
    assert new["data_types"] == ["o3"]
    assert loaded == sample(kind, "s-loaded")
    await store.close()
