"""A LadybugDB writer never checkpoints while a read-only store has the file open
(graph/reader_seats.py): a checkpoint rewrites main-file pages in place, and a reader reads
them as it needs them, so one under a reader handed it a later state (LadybugDB 0.22). A
read-only store follows its writer: it opens the file anew once the writer has committed, and
gives way for the writer's checkpoint once the log is long."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from graph import ladybug_store
from graph.errors import ReadOnlyGraph, StoreUnavailable
from graph.ladybug_open import LadybugOpen
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


def follower(path: Path) -> LadybugStore:
    """A read-only store that never gives way (its log threshold out of reach)."""
    store = LadybugStore(path, read_only=True)
    store.checkpoint_bytes = 1 << 40
    return store


async def test_a_seated_reader_keeps_the_main_file_while_it_follows_the_log(
    writer: LadybugStore,
) -> None:
    """The writer's checkpoints wait for the reader to leave, while the reader follows each
    commit through the log; then the next write folds the log in. Without the seats, the
    write's checkpoint rewrote the main file under the reader (on larger files that gave
    readers wrong sums and torn strings)."""
    path = writer._path
    reader = follower(path)
    try:
        assert (await reader.count_by_label())["Citizen"] == CITIZENS
        before = digest(path)
        await rebirth(writer, 1900)
        assert digest(path) == before  # committed to the log only
        assert await born_in(reader, 1900) == CITIZENS
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
    reader = follower(path)
    try:
        writer.checkpoint_bytes = 1 << 40  # no checkpoint after the write
        await rebirth(writer, 1900)
        before = digest(path)
        await writer.close()
        assert digest(path) == before
        assert await born_in(reader, 1900) == CITIZENS
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
    reader = follower(path)
    try:
        assert await born_in(reader, 1980) == CITIZENS
        for stray in path.parent.iterdir():
            if stray != path and stray.is_file():
                stray.unlink()
        before = digest(path)
        await rebirth(writer, 1900)
        assert digest(path) == before
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


async def test_each_read_sees_what_was_committed_before_it_began(
    writer: LadybugStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-your-writes across processes: a read on a follower that begins after a commit
    returns it. Reads that arrive while the follower opens the file anew share that one open."""
    opens = 0
    opening = ladybug_store.LadybugOpen

    def counted(*args: Any, **kwargs: Any) -> LadybugOpen:
        nonlocal opens
        opens += 1
        return opening(*args, **kwargs)

    reader = follower(writer._path)
    monkeypatch.setattr(ladybug_store, "LadybugOpen", counted)
    try:
        for year in range(1900, 1905):
            await rebirth(writer, year)
            assert await born_in(reader, year) == CITIZENS
        assert opens == 5
        await rebirth(writer, 1950)
        counts = await asyncio.gather(*(born_in(reader, 1950) for _ in range(20)))
        assert counts == [CITIZENS] * 20
        assert opens <= 7  # one, and one more for reads that came after it began
        shared = opens
        nodes = await reader.get_nodes("Citizen", [resident_id(0)])  # a lookup on the loop
        assert nodes[0] is not None
        assert nodes[0]["birth_year"] == 1950
        assert opens == shared
    finally:
        await reader.close()
        await writer.close()


async def test_followers_give_way_for_the_writers_checkpoint(writer: LadybugStore) -> None:
    """Once the writer's log passes its threshold, a follower that reads and one that stays
    idle both leave their seats for the writer's checkpoint and come back: the log is folded in
    with both open, and both still answer. Without giving way, they pinned it."""
    path = writer._path
    busy, idle = LadybugStore(path, read_only=True), LadybugStore(path, read_only=True)
    for store in (writer, busy, idle):
        store.checkpoint_bytes = 64 * 1024
    try:
        assert await born_in(busy, 1980) == await born_in(idle, 1980) == CITIZENS
        before = digest(path)
        await rebirth(writer, 1900)
        assert writer._log_bytes() > 64 * 1024
        assert await born_in(busy, 1900) == CITIZENS
        for _ in range(300):
            if writer._log_bytes() <= 64 * 1024:
                break
            await asyncio.sleep(0.02)
        assert writer._log_bytes() <= 64 * 1024
        assert digest(path) != before
        assert seated_pids(path) == [os.getpid()]
        assert await born_in(busy, 1900) == await born_in(idle, 1900) == CITIZENS
    finally:
        await busy.close()
        await idle.close()
        await writer.close()


async def test_a_read_cancelled_while_its_follower_reopens_leaves_no_seat(
    writer: LadybugStore,
) -> None:
    """The reopen runs to its end and takes the place of the old open: a cancelled read
    (a client gone) leaves no database open and no seat taken once the follower closes."""
    path = writer._path
    reader = follower(path)
    assert await born_in(reader, 1980) == CITIZENS
    await rebirth(writer, 1900)
    read = asyncio.create_task(born_in(reader, 1900))
    await asyncio.sleep(0.01)  # the new open under way in its thread
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read
    assert await born_in(reader, 1900) == CITIZENS
    await reader.close()
    assert seated_pids(path) == []
    await writer.close()


def test_a_retired_open_closes_after_its_last_read(tmp_path: Path) -> None:
    path = tmp_path / "graph.lbug"
    LadybugOpen(path, read_only=False, concurrency=1).close()
    opened = LadybugOpen(path, read_only=True, concurrency=1)
    opened.reading = 2
    opened.retire()
    opened.read_ended()
    assert not opened.closed
    assert seated_pids(path) == [os.getpid()]
    opened.read_ended()
    assert opened.closed
    assert seated_pids(path) == []


async def test_once_a_reader_that_does_not_follow_leaves_the_log_is_folded_again(
    writer: LadybugStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A follower that gave way in vain (a plain read-only open kept the seat: `ml score`)
    gives way again at a later commit, not only once the log has doubled: a review saw 4 MB
    left unfolded, each follower read after a write replaying it."""
    path = writer._path
    follower = LadybugStore(path, read_only=True)
    for store in (writer, follower):
        store.checkpoint_bytes = 64 * 1024
    monkeypatch.setattr(ladybug_store, "GIVE_WAY_S", 0.2)
    monkeypatch.setattr(ladybug_store, "GIVE_WAY_AGAIN_S", 0.5)
    pinning = ReaderSeat(path)
    try:
        await rebirth(writer, 1900)
        assert await born_in(follower, 1900) == CITIZENS  # it gave way; no checkpoint came
        pinned = writer._log_bytes()
        assert pinned > 64 * 1024
        pinning.release()
        await asyncio.sleep(0.6)
        await writer.update_node("Citizen", resident_id(0), {"birth_year": 1950})
        assert writer._log_bytes() < 2 * pinned  # not doubled
        assert await born_in(follower, 1950) == 1
        for _ in range(200):
            if writer._log_bytes() <= 64 * 1024:
                break
            await asyncio.sleep(0.02)
        assert writer._log_bytes() <= 64 * 1024
    finally:
        pinning.release()
        await follower.close()
        await writer.close()
