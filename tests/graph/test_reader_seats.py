"""A LadybugDB writer never checkpoints while a read-only store has the file open
(graph/reader_seats.py): a checkpoint rewrites main-file pages in place, and a reader reads
them as it needs them, so one under a reader handed it a later state (LadybugDB 0.22)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path

import pyarrow as pa
import pytest

from graph.errors import ReadOnlyGraph, StoreUnavailable
from graph.ladybug_store import LadybugStore
from graph.reader_seats import ReaderSeat, WriterDesk, seated_pids
from tests.helpers import resident_id

CITIZENS = 40_000


def citizens(first: int, count: int) -> pa.Table:
    return pa.table(
        {
            "id": [resident_id(first + n) for n in range(count)],
            "district_code": ["11680"] * count,
            "dong_code": ["1168010100"] * count,
            "birth_year": pa.array([1980] * count, pa.int64()),
            "sex": ["F"] * count,
            "welfare_eligible": [False] * count,
        }
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def born_in(store: LadybugStore, year: int) -> int:
    rows = await store._rows(
        "MATCH (c:Citizen) WHERE c.birth_year = $year RETURN count(*)", {"year": year}
    )
    return int(rows[0][0])


async def rebirth(store: LadybugStore, year: int) -> None:
    await store._rows("MATCH (c:Citizen) SET c.birth_year = $year", {"year": year}, write=True)


@pytest.fixture
async def writer(tmp_path: Path) -> LadybugStore:
    store = LadybugStore(tmp_path / "graph.lbug")
    await store.create_schema()
    await store.load_nodes("Citizen", citizens(0, CITIZENS))
    store.checkpoint_bytes = 0  # every write asks for a checkpoint
    return store


async def test_a_reader_keeps_its_snapshot_while_the_writer_commits(writer: LadybugStore) -> None:
    """The writer's checkpoints wait for the reader to leave; then the next write folds the log
    in, and a new reader sees it. Without the seats, the write's checkpoint rewrote the main
    file under the reader (on larger files that gave readers wrong sums and torn strings)."""
    path = writer._path
    reader = LadybugStore(path, read_only=True)
    try:
        assert (await reader.count_by_label())["Citizen"] == CITIZENS
        before = digest(path)
        await rebirth(writer, 1900)
        assert digest(path) == before  # committed to the log only
        assert await born_in(reader, 1900) == 0
        assert await born_in(reader, 1980) == CITIZENS
        assert await born_in(writer, 1900) == CITIZENS
    finally:
        await reader.close()
    await rebirth(writer, 1901)
    assert digest(path) != before
    assert writer._log_bytes() < 64 * 1024
    fresh = LadybugStore(path, read_only=True)
    try:
        assert await born_in(fresh, 1901) == CITIZENS
    finally:
        await fresh.close()
        await writer.close()


async def test_a_bulk_load_waits_for_readers_before_its_checkpoint(
    writer: LadybugStore, caplog: pytest.LogCaptureFixture
) -> None:
    """LadybugDB logs no COPY: until its checkpoint the rows are in the writer alone, so the
    load waits for the seats to empty, says so once, and then every reader sees the rows."""
    path = writer._path
    reader = LadybugStore(path, read_only=True)
    before = digest(path)
    with caplog.at_level(logging.WARNING, logger="graph.ladybug_store"):
        load = asyncio.create_task(writer.load_nodes("Citizen", citizens(CITIZENS, 1_000)))
        await asyncio.sleep(0.5)
        assert not load.done()
        assert digest(path) == before
        assert (await reader.count_by_label())["Citizen"] == CITIZENS
        await reader.close()
        await asyncio.wait_for(load, 30)
    told = [r.getMessage() for r in caplog.records if "waits for them to close" in r.getMessage()]
    assert len(told) == 1
    assert f"pids {os.getpid()}" in told[0]
    fresh = LadybugStore(path, read_only=True)
    try:
        assert (await fresh.count_by_label())["Citizen"] == CITIZENS + 1_000
    finally:
        await fresh.close()
        await writer.close()


async def test_a_writer_closing_beside_a_reader_leaves_the_log_for_the_next_open(
    writer: LadybugStore,
) -> None:
    path = writer._path
    reader = LadybugStore(path, read_only=True)
    try:
        writer.checkpoint_bytes = 1 << 40  # no checkpoint after the write
        await rebirth(writer, 1900)
        before = digest(path)
        await writer.close()
        assert digest(path) == before
        assert await born_in(reader, 1980) == CITIZENS
    finally:
        await reader.close()
    again = LadybugStore(path)  # replays the log, then folds it in: no reader now
    try:
        assert digest(path) != before
        assert await born_in(again, 1900) == CITIZENS
    finally:
        await again.close()


def test_seats_are_shared_and_exclude_the_writer(tmp_path: Path) -> None:
    graph = tmp_path / "graph.lbug"
    graph.write_bytes(b"")
    desk = WriterDesk(graph)
    first, second = ReaderSeat(graph), ReaderSeat(graph)
    assert seated_pids(graph) == [os.getpid()]
    with desk.no_reader_seated() as free:
        assert not free
    first.release()
    first.release()  # idempotent
    with desk.no_reader_seated() as free:
        assert not free
    second.release()
    assert seated_pids(graph) == []
    with desk.no_reader_seated() as free:
        assert free
        with pytest.raises(StoreUnavailable, match="checkpointed by its writer"):
            ReaderSeat(graph, wait_s=0.1)
    ReaderSeat(graph, wait_s=0.1).release()
    desk.close()


async def test_files_beside_the_graph_do_not_hold_the_seats(writer: LadybugStore) -> None:
    """The seats are on the graph file itself: deleting a stray file beside it (a review
    deleted an earlier sidecar under a reader, and the writer then checkpointed under it)
    leaves the reader seated."""
    path = writer._path
    reader = LadybugStore(path, read_only=True)
    try:
        for stray in path.parent.iterdir():
            if stray != path and stray.is_file():
                stray.unlink()
        before = digest(path)
        await rebirth(writer, 1900)
        assert digest(path) == before
        assert await born_in(reader, 1980) == CITIZENS
    finally:
        await reader.close()
        await writer.close()


async def test_a_write_to_a_read_only_graph_is_a_typed_refusal(writer: LadybugStore) -> None:
    """Answered as the store being unavailable for writes (HTTP 503), not LadybugDB's untyped
    error (a 500 and a traceback through fileCase on a read-only worker)."""
    await writer.close()
    reader = LadybugStore(writer._path, read_only=True)
    try:
        with pytest.raises(ReadOnlyGraph, match="read-only"):
            await reader.update_node("Citizen", resident_id(0), {"birth_year": 1900})
        with pytest.raises(ReadOnlyGraph):
            await reader.load_nodes("Citizen", citizens(CITIZENS, 10))
        assert await born_in(reader, 1980) == CITIZENS
    finally:
        await reader.close()
