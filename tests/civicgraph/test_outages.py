"""A store that cannot be used while requests come in: every door says "try again later" in its
own format (HTTP 503 with `Retry-After`, GraphQL `service_unavailable`, websocket close 1013),
never a 500 or a masked "Internal error.", and serves again once the store is back.

The outage is real: another connection holds SQLite's exclusive lock on the app's records while
the app's own connection does not wait (busy timeout 0), so the driver itself fails, as it does
for a database locked by another process past the timeout. (The copy keeps a rollback journal:
in WAL mode, the default, a lock blocks writers only.)"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from civicgraph.outages import OutageMiddleware
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.errors import StoreUnavailable
from graph.records import open_records
from graph.records.api_keys import Tier
from graph.records.db import is_outage, outage
from graph.records.readings import COLUMNS, insert_readings, latest_readings
from resolvers.core.errors import STORES_UNAVAILABLE
from tests.civicgraph.door import client, door_app
from tests.e2e.conftest import serving

APP_QUERY = """{ district(code: "11680") { sensors { id
  latestReading { measuredAt values { dataType value } } } } }"""


@contextlib.asynccontextmanager
async def app_over_copied_records(
    settings: Settings, stores: Stores, tmp_path: Path
) -> AsyncIterator[tuple[Starlette, Path]]:
    """An app over the session's graph and a copy of its records whose connection never waits
    for a lock; yields (app, the copy's file)."""
    copy = tmp_path / "records.sqlite3"
    source = sqlite3.connect(stores.records.url.removeprefix("sqlite://"))
    with contextlib.closing(source), contextlib.closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    records = await open_records(f"sqlite://{copy}?journal_mode=DELETE")
    await records.query("PRAGMA busy_timeout=0")
    try:
        async with door_app(settings, Stores(stores.graph, records)) as app:
            yield app, copy
    finally:
        await records.close()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another connection holds the database's exclusive lock until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


@pytest.fixture
async def outage_app(
    settings: Settings, stores: Stores, keys: dict[Tier, str], tmp_path: Path
) -> AsyncIterator[tuple[Starlette, Path]]:
    async with app_over_copied_records(settings, stores, tmp_path) as opened:
        yield opened


async def test_a_keyed_request_is_503_while_the_records_are_locked_then_served(
    outage_app: tuple[Starlette, Path], keys: dict[Tier, str]
) -> None:
    app, path = outage_app
    headers = {"x-api-key": keys[Tier.DEVELOPER]}
    async with client(app) as http:
        # given records another process holds locked
        with locked(path):
            # when a keyed request comes (its key must be looked up)
            refused = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        # and again once the lock is released
        served = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    # then it was a 503 to retry, in GraphQL's format, and is now served
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5"
    [error] = refused.json()["errors"]
    assert error["extensions"] == {"code": "service_unavailable", "retryAfter": 5}
    assert error["message"] == STORES_UNAVAILABLE
    assert served.status_code == 200, served.text


async def test_a_field_reading_locked_records_is_coded_not_masked(
    outage_app: tuple[Starlette, Path],
) -> None:
    app, path = outage_app
    async with client(app) as http:
        # given locked records, when a public app query reads the latest readings from them
        with locked(path):
            response = await http.post("/graphql", json={"query": APP_QUERY})
    # then the graph's part is answered and each failed field says why, to retry
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["district"]["sensors"], body
    assert body["errors"]
    for error in body["errors"]:
        assert error["message"] == STORES_UNAVAILABLE
        assert error["extensions"] == {"code": "service_unavailable", "retryAfter": 5}


async def test_open311_answers_an_outage_in_its_own_error_list(
    outage_app: tuple[Starlette, Path],
) -> None:
    app, path = outage_app
    async with client(app) as http:
        with locked(path):
            response = await http.get("/open311/v2/requests.json")
    assert response.status_code == 503, response.text
    assert response.json() == [{"code": 503, "description": STORES_UNAVAILABLE}]
    assert response.headers["retry-after"] == "5"


@pytest.mark.parametrize("extension", ["csv", "geojson"])
async def test_a_download_is_503_when_its_first_rows_cannot_be_read(
    outage_app: tuple[Starlette, Path], extension: str
) -> None:
    app, path = outage_app
    async with client(app) as http:
        with locked(path):
            response = await http.get(f"/catalog/datasets/ds-sdot/data.{extension}")
        served = await http.get(f"/catalog/datasets/ds-sdot/data.{extension}")
    # then nothing was sent as if it were the data: a 503 in the catalogue's format, to retry
    assert response.status_code == 503, response.text
    assert response.json() == {
        "error": STORES_UNAVAILABLE,
        "code": "service_unavailable",
        "retryAfter": 5,
    }
    assert served.status_code == 200


async def test_an_outage_after_the_answer_started_cuts_it_without_a_traceback() -> None:
    # given an app that has sent its status and part of a body when its store goes away
    sent: list[Message] = []

    async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise StoreUnavailable("the records at sqlite:///x cannot be used now: disk I/O error")

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    # when the outage middleware meets it, then nothing is raised and the body stays
    # unfinished (the server drops the connection: the client sees a cut, not a whole answer)
    scope: Scope = {"type": "http", "path": "/catalog/datasets/x/data.csv", "headers": []}
    await OutageMiddleware(streaming)(scope, receive, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1]["more_body"] is True


async def test_a_keyed_websocket_is_closed_1013_while_the_records_are_locked(
    outage_app: tuple[Starlette, Path], keys: dict[Tier, str]
) -> None:
    app, path = outage_app
    async with serving(app) as url:
        target = url.replace("http://", "ws://") + "/graphql"
        with locked(path):
            async with connect(
                target,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers={"x-api-key": keys[Tier.DEVELOPER]},
            ) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, STORES_UNAVAILABLE)


async def test_a_key_lookup_reads_the_file_the_records_opened_and_stops_after_close(
    tmp_path: Path,
) -> None:
    # given records in a folder whose name holds characters a URI would read otherwise
    folder = tmp_path / "a%20b c"
    records = await open_records(f"sqlite://{folder / 'records.sqlite3'}")
    await insert_readings(records, [["s", 60, *[1.5] * (len(COLUMNS) - 2)]])
    # when the latest reading is looked up by key, then it is found in that very file
    assert records.lookup("SELECT sensor_id FROM reading_latest") == [{"sensor_id": "s"}]
    assert (await latest_readings(records, ["s"]))["s"]["measured_at"] == 60
    # and once closed, a lookup is left to `query` (which says the records are closed)
    await records.close()
    assert records.lookup("SELECT 1") is None


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError(sqlite3.OperationalError("database is locked")), True),
        (OperationalError(sqlite3.OperationalError("disk I/O error")), True),
        (OperationalError(sqlite3.OperationalError("unable to open database file")), True),
        (OperationalError(sqlite3.OperationalError("no such column: nope")), False),
        (OperationalError(sqlite3.OperationalError('near "SELEC": syntax error')), False),
        (IntegrityError(sqlite3.IntegrityError("UNIQUE constraint failed: api_key.prefix")), False),
        (DBConnectionError("cannot connect"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.exceptions.InterfaceError("cannot perform operation: connection is closed"), True),
        (asyncpg.exceptions.InterfaceError("another operation is in progress"), False),
        (OperationalError(asyncpg.exceptions.UndefinedColumnError("column nope")), False),
        (asyncpg.exceptions.QueryCanceledError("canceling statement due to timeout"), False),
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), True),
        (asyncpg.exceptions.SerializationError("could not serialize access"), True),
        (socket.gaierror(-2, "Name or service not known"), True),
        (TimeoutError(), True),
        (FileNotFoundError(2, "not the database's"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_driver_errors_are_outages(error: BaseException, outage: bool) -> None:
    assert is_outage(error) is outage


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://civic:secret@db:5432/civic", "postgres://civic:***@db:5432/civic"),
        (
            "postgres://civic@db/civic?password=secret&sslmode=require",
            "postgres://civic@db/civic?password=***&sslmode=require",
        ),
        ("postgres://db/civic?sslpassword=secret", "postgres://db/civic?sslpassword=***"),
        ("sqlite:///var/records.sqlite3?journal_mode=DELETE", None),
    ],
)
def test_an_outage_s_log_line_never_holds_a_password(url: str, shown: str | None) -> None:
    message = str(outage(url, ConnectionRefusedError(111, "Connection refused")))
    assert "secret" not in message
    assert (shown or url) in message
