"""Opening the records database (Tortoise ORM; SQLite by default, PostgreSQL at scale)."""

from __future__ import annotations

import contextlib
import math
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import context as tortoise_context
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.context import TortoiseContext
from tortoise.exceptions import (
    ConfigurationError,
    DBConnectionError,
    IntegrityError,
    OperationalError,
    TransactionManagementError,
)
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from graph.errors import StoreUnavailable

MODELS = "graph.records.models"
MIGRATIONS = "graph.records.migrations"
HISTORY_TABLE = "tortoise_migrations"
SCHEMES = ("sqlite", "postgres", "postgresql")
SQLITE_MMAP_BYTES = 1 << 31
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite statement waits for another process's write lock before it fails."""
MAX_ROW_ID = 2**63 - 1
"""The largest integer both SQLite (INTEGER) and PostgreSQL (BIGINT) hold: an id or bound past
it must be refused before it reaches a query (the drivers raise OverflowError)."""


SQLITE_OUTAGES = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
    "attempt to write a readonly database",
)
"""Starts of SQLite's messages (sqlite3.OperationalError) that mean the database cannot be used
now: another process holds its lock past the busy timeout, its file or disk is gone or full."""

POSTGRES_OUTAGES: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # class 08: the connection failed or was lost
    asyncpg.OperatorInterventionError,  # class 57: shut down, restarting, cannot connect now
    asyncpg.InsufficientResourcesError,  # class 53: too many connections, disk or memory full
    asyncpg.exceptions.ConnectionDoesNotExistError,  # the connection closed mid-statement
    asyncpg.TransactionRollbackError,  # class 40: a deadlock or serialization failure, retried
)
"""asyncpg's errors (PostgreSQL's SQLSTATE classes) that mean the server cannot serve now, or
not this time: a retry may well succeed."""
NOT_OUTAGES: tuple[type[BaseException], ...] = (asyncpg.QueryCanceledError,)
"""Class 57 all the same: a statement cancelled (by `statement_timeout`) would be as slow again."""
NETWORK_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, socket.gaierror, TimeoutError)
"""The OSErrors a driver raises when the server cannot be reached (refused, reset, a name that
does not resolve, a connection that timed out); other OSErrors are not the database's."""


def is_outage(error: BaseException) -> bool:
    """Whether `error`, raised by the records driver, means the database cannot be reached or
    used now (a lost connection, a server shutting down, a file locked past the busy timeout, a
    full disk), not a fault of one statement. Constraint violations (IntegrityError) and SQL
    the database refuses are never outages: those are answers or bugs."""
    if isinstance(error, (IntegrityError, *NOT_OUTAGES)):
        return False
    if isinstance(error, (DBConnectionError, *NETWORK_ERRORS, *POSTGRES_OUTAGES)):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        return "closed" in str(error)  # "connection is closed", "pool is closed"
    if isinstance(error, OperationalError | TransactionManagementError):
        cause = error.__cause__ or (error.args[0] if error.args else None)
        if isinstance(cause, BaseException) and cause is not error:
            return is_outage(cause)
        return False
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(SQLITE_OUTAGES)
    return False


def _reason(error: BaseException) -> str:
    """The first line of a driver's error, or its type's name when it says nothing."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def outage(url: str, error: BaseException) -> StoreUnavailable:
    """StoreUnavailable for a driver error that `is_outage`, naming the (redacted) database."""
    return StoreUnavailable(f"the records at {redact(url)} cannot be used now: {_reason(error)}")


def as_datetime(value: datetime | str) -> datetime:
    """A timestamp as the driver returns it (SQLite: ISO text) as an aware UTC datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sqlite_url(path: Path) -> str:
    return f"sqlite://{path.resolve()}"


def _sql_function(compute: Callable[..., float]) -> Callable[..., float | None]:
    """`compute` as SQLite's built-in math functions behave: NULL in or out of range, NULL out."""

    def function(*args: float | None) -> float | None:
        if any(arg is None for arg in args):
            return None
        try:
            return compute(*args)
        except (ValueError, OverflowError):
            return None

    return function


SQLITE_MATH: dict[str, tuple[int, Callable[..., float | None]]] = {
    "power": (2, _sql_function(math.pow)),
    "log10": (1, _sql_function(math.log10)),
}
"""SQL functions the records' queries use (graph/records/levels.py) that a SQLite built without
its math functions (SQLITE_ENABLE_MATH_FUNCTIONS, before 3.35) lacks: name -> (arity, function)."""


async def ensure_sqlite_math(client: BaseDBAsyncClient) -> bool:
    """Registers SQLITE_MATH on the SQLite connection of `client` unless SQLite has them built
    in; returns whether it had to."""
    try:
        await client.execute_query("SELECT power(10, 1) AS p, log10(10) AS l")
        return False
    except OperationalError:
        connection = client._connection  # aiosqlite's
        for name, (arity, function) in SQLITE_MATH.items():
            await connection.create_function(name, arity, function, deterministic=True)
        return True


class _ImmediateTransaction(SqliteTransactionWrapper):
    """A SQLite transaction that takes the database's write lock when it begins.

    Tortoise begins with a deferred `BEGIN`: the write lock is then taken at the first write,
    and if another process committed since this transaction's first read, SQLite answers
    "database is locked" at once, without waiting for the busy timeout. `BEGIN IMMEDIATE`
    waits its turn (up to `SQLITE_BUSY_TIMEOUT_MS`) before reading anything.
    """

    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class Records:
    """An open records database: every read and write is SQL through `query` and friends.

    Tortoise gives us connections, pools, transactions and migrations from the models in
    `graph.records.models`; its model query API is not used at run time, because a model class
    binds to one database's dialect per process and a process may hold two (the contract suite
    compares SQLite with PostgreSQL). Dialect differences stay in this package.
    """

    def __init__(
        self,
        context: TortoiseContext,
        client: BaseDBAsyncClient,
        url: str,
        previous: TortoiseContext | None = None,
    ) -> None:
        self.context = context
        self._previous = previous
        self.client = client
        self.url = url
        self.dialect: str = client.capabilities.dialect
        self.calls = 0
        self._sequences: dict[str, str] = {}
        self.migrations_applied: list[str] = []
        """Migrations this connection applied when it opened."""
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        self._path = path if self.dialect == "sqlite" and path != ":memory:" else None
        self._reader: sqlite3.Connection | None = None

    @contextlib.contextmanager
    def outages(self) -> Iterator[None]:
        """Turns the driver's errors that mean the database cannot be used now (`is_outage`)
        into StoreUnavailable, which every boundary answers as "try again later" (HTTP 503,
        GraphQL `service_unavailable`, websocket 1013, CLI exit 1); other errors pass as they
        are (IntegrityError is an answer a caller may catch)."""
        try:
            yield
        except Exception as error:
            if is_outage(error):
                raise outage(self.url, error) from error
            raise

    def placeholders(self, count: int, start: int = 1) -> list[str]:
        """Positional parameter markers for this dialect (`?` or `$n`)."""
        if self.dialect == "sqlite":
            return ["?"] * count
        return [f"${i}" for i in range(start, start + count)]

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[BaseDBAsyncClient]:
        """A client whose statements commit together or not at all.

        The same call `tortoise.transactions.in_transaction` makes, on our client rather than
        one looked up by name in the current context. Every transaction here writes, so on
        SQLite it holds the write lock from its first statement (`_ImmediateTransaction`); in
        the process, Tortoise's one SQLite connection already runs one transaction at a time.
        """
        context: TransactionContext
        if isinstance(self.client, SqliteClient):
            context = SqliteTransactionContext(
                _ImmediateTransaction(self.client),
                self.client._lock,  # the lock Tortoise's own transactions take
            )
        else:
            context = self.client._in_transaction()
        with self.outages():
            async with context as client:
                self.calls += 1
                yield client

    async def copy_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        client: BaseDBAsyncClient | None = None,
    ) -> None:
        """PostgreSQL's COPY FROM STDIN: the fastest way in, all rows or none.

        With `client` (from `transaction()`), the rows commit with that transaction.
        """
        if self.dialect != "postgres":
            raise ValueError("COPY is PostgreSQL's")
        self.calls += 1
        with self.outages():
            async with (client or self.client).acquire_connection() as connection:
                try:
                    await connection.copy_records_to_table(
                        table, records=rows, columns=list(columns)
                    )
                except asyncpg.IntegrityConstraintViolationError as error:
                    raise IntegrityError(error) from error

    async def reserve_ids(self, table: str, count: int) -> list[int]:
        """`count` fresh ids from a PostgreSQL table's id sequence, ascending."""
        sequence = self._sequences.get(table)
        if sequence is None:
            found = await self.query("SELECT pg_get_serial_sequence($1, 'id') AS s", [table])
            sequence = self._sequences[table] = str(found[0]["s"])
        rows = await self.query(
            "SELECT array_agg(nextval($1::regclass)) AS ids FROM generate_series(1, $2)",
            [sequence, count],
        )
        return sorted(int(key) for key in rows[0]["ids"])

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The one place raw SQL reaches the driver (outside a transaction). Raises
        StoreUnavailable when the database cannot be used now (`is_outage`)."""
        self.calls += 1
        with self.outages():
            return await self.client.execute_query_dict(sql, list(params))

    def lookup(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]] | None:
        """A read by key that takes microseconds, answered on the calling thread without a hop
        into the driver's thread: on SQLite, through a read-only connection of its own (in WAL
        mode a reader never waits for a writer; it sees what is committed). None when the
        caller must use `query` instead: not SQLite (PostgreSQL is across a network), an
        in-memory or closed database, or a lock held (the loop never waits for one: `query`
        does, in the driver's thread). Raises StoreUnavailable as `query`."""
        if self.dialect != "sqlite" or self._path is None:
            return None
        self.calls += 1
        with self.outages():
            if self._reader is None:
                self._reader = _read_only_sqlite(self._path)
            try:
                cursor = self._reader.execute(sql, list(params))
                rows = cursor.fetchall()
            except sqlite3.OperationalError as error:
                if str(error).lower().startswith(SQLITE_BUSY):
                    return None
                raise
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in rows]

    async def rows_after(
        self,
        table: str,
        columns: Sequence[str],
        after: int,
        *,
        limit: int,
        where_in: tuple[str, Sequence[str]] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of `table` with an id above `after`, oldest first, at most `limit`.

        `where_in` = (column, values) keeps rows whose column is one of the values. This is how
        a live stream is replayed from the records for a client resuming by id.
        """
        clause = self._after_clause(after, where_in)
        if clause is None:
            return []
        where, params = clause
        limit_mark = self.placeholders(1, start=len(params) + 1)[0]
        return await self.query(
            f"SELECT id, {', '.join(columns)} FROM {table} WHERE {where} "
            f"ORDER BY id LIMIT {limit_mark}",
            [*params, limit],
        )

    def _after_clause(
        self, after: int, where_in: tuple[str, Sequence[str]] | None
    ) -> tuple[str, list[Any]] | None:
        """`id > after` (and `column IN (values)`) with its parameters; None when `where_in`
        has no values (no row can match)."""
        params: list[Any] = [after]
        where = f"id > {self.placeholders(1)[0]}"
        if where_in is not None:
            column, values = where_in
            if not values:
                return None
            marks = self.placeholders(len(values), start=2)
            where += f" AND {column} IN ({', '.join(marks)})"
            params += list(values)
        return where, params

    async def has_more_than(
        self,
        table: str,
        after: int,
        count: int,
        *,
        where_in: tuple[str, Sequence[str]] | None = None,
    ) -> bool:
        """True when `table` has more than `count` rows with an id above `after` (and, with
        `where_in`, that column in the values). Reads ids only, at most `count + 1` of them, so
        a replay can be refused before any row is loaded. Requires 0 <= count."""
        clause = self._after_clause(after, where_in)
        if clause is None:
            return False
        where, params = clause
        offset_mark = self.placeholders(1, start=len(params) + 1)[0]
        rows = await self.query(
            f"SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT 1 OFFSET {offset_mark}",
            [*params, count],
        )
        return bool(rows)

    async def applied_count(self) -> int:
        """How many schema migrations this database has applied (0 when it is new)."""
        try:
            rows = await self.query(f"SELECT count(*) AS n FROM {HISTORY_TABLE}")
        except OperationalError:
            return 0
        return int(rows[0]["n"])

    async def execute_many(self, sql: str, rows: list[list[Any]]) -> None:
        self.calls += 1
        with self.outages():
            await self.client.execute_many(sql, rows)

    async def close(self) -> None:
        """Close, and hand Tortoise's process-wide context back to whoever had it before.

        Tortoise keeps the active context in a contextvar and a global fallback; a process that
        opens records twice (the CLI's tests, a benchmark) must not leave the closed one active.
        """
        self._path = None  # a lookup from now on goes to `query`, which says it is closed
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        await self.context.close_connections()
        if tortoise_context._global_context is self.context:
            tortoise_context._global_context = self._previous
        if tortoise_context._current_context.get() is self.context:
            tortoise_context._current_context.set(self._previous)


SQLITE_BUSY = ("database is locked", "database table is locked")
"""How SQLite's messages start when a lock is held (SQLITE_BUSY, SQLITE_LOCKED)."""


def _read_only_sqlite(path: str) -> sqlite3.Connection:
    """A read-only connection to the records file at `path` (as Tortoise opened it: its
    characters taken literally), for `Records.lookup`; it never waits for a lock."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"  # % and spaces quoted
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=0")
    connection.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    return connection


def _connection_name(url: str) -> str:
    """One connection name per dialect: Tortoise caches each model's SQL under this name.

    With one shared name, a process that opens SQLite and then PostgreSQL (the contract suite)
    would send SQLite's `?` placeholders to PostgreSQL.
    """
    return "postgres" if url.startswith("postgres") else "sqlite"


def _apps(connection: str) -> dict[str, dict[str, Any]]:
    return {
        "models": {"models": [MODELS], "default_connection": connection, "migrations": MIGRATIONS}
    }


def _unreachable(url: str, error: BaseException) -> StoreUnavailable:
    return StoreUnavailable(f"cannot open records at {redact(url)}: {_reason(error)}")


async def open_records(url: str, *, migrate: bool = True, loading: bool = False) -> Records:
    """Connect, and bring the schema up to date with the migrations if `migrate`.

    `loading` (a process that bulk writes, `civicgraph seed`): on SQLite, no memory map. Writing
    millions of readings reads their index's pages through the map, and each page read stays
    in the process's resident memory (about 0.9 GiB at scale 1.0); without it they are read
    into SQLite's small page cache and the OS's, outside the process."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SCHEMES:
        raise StoreUnavailable(
            f"no records backend for {redact(url)!r} (supported: sqlite://PATH, postgres://...)"
        )
    if scheme == "sqlite":
        path = url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    name = _connection_name(url)
    previous = tortoise_context._global_context
    # A fresh context each time: Tortoise.init would re-initialise whichever context is current.
    context = TortoiseContext()
    tortoise_context._current_context.set(context)
    tortoise_context._global_context = None  # ours until close() hands it back
    try:
        await context.init(
            config={"connections": {name: url}, "apps": _apps(name)},
            _enable_global_fallback=True,
        )
        client = context.connections.get(name)
        await client.execute_query("SELECT 1")
        if scheme == "sqlite":
            # Reads through the OS page cache without a copy per page: proofs in a large log
            # read O(log n) scattered rows (SQLite caps the map at 2 GiB by default).
            mapped = 0 if loading else SQLITE_MMAP_BYTES
            await client.execute_query(f"PRAGMA mmap_size={mapped}")
            # Another process (a CLI command beside the server) may hold the write lock.
            await client.execute_query(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            await ensure_sqlite_math(client)  # sound levels average by energy
        records = Records(context, client, url, previous)
        if migrate:
            records.migrations_applied = await apply_migrations(records)
        elif pending := await pending_migrations(records):
            if await records.applied_count() == 0 and not await _predates_migrations(records):
                raise StoreUnavailable(
                    f"the records at {redact(url)} are empty: run `civicgraph seed` "
                    "(or `civicgraph migrate` for the schema alone)"
                )
            raise StoreUnavailable(
                f"the records schema at {redact(url)} lacks migration(s) {', '.join(pending)}: "
                "run `civicgraph migrate`"
            )
    except StoreUnavailable:
        await _restore(context, previous)
        raise
    except (
        OSError,
        ConnectionError,
        DBConnectionError,
        OperationalError,
        ConfigurationError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ) as error:
        await _restore(context, previous)
        raise _unreachable(url, error) from None
    return records


async def _restore(context: TortoiseContext, previous: TortoiseContext | None) -> None:
    with contextlib.suppress(Exception):
        await context.close_connections()
    tortoise_context._global_context = previous
    tortoise_context._current_context.set(previous)


async def _predates_migrations(records: Records) -> bool:
    """A database made by `generate_schemas` before migrations existed: tables, no history."""
    if records.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('reading', ?)"
    else:
        sql = "SELECT tablename AS name FROM pg_tables WHERE tablename IN ('reading', $1)"
    names = {row["name"] for row in await records.query(sql, [HISTORY_TABLE])}
    return names == {"reading"}


async def apply_migrations(records: Records) -> list[str]:
    """Apply every migration not yet applied; returns their names, in order.

    A database from before migrations is adopted: its tables match `0001_initial`, which is
    recorded as applied without running it.
    """
    executor = MigrationExecutor(records.client, _apps(records.client.connection_name))
    if await _predates_migrations(records):
        await executor.migrate([MigrationTarget("models", "0001_initial")], fake=True)
    applied: list[str] = []

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    await executor.migrate(progress=progress)
    return applied


async def pending_migrations(records: Records) -> list[str]:
    """Names of the migrations this database has not applied yet."""
    executor = MigrationExecutor(records.client, _apps(records.client.connection_name))
    if await _predates_migrations(records):
        return ["0001_initial (adopt)"]
    return [step.migration.name for step in await executor.plan() if not step.backward]


def redact(url: str) -> str:
    """The URL without its passwords (in its user part and in `?password=`/`sslpassword=`),
    for messages and logs."""
    parts = urlsplit(url)
    if parts.password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1))
    if parts.query:
        pairs = [pair.partition("=") for pair in parts.query.split("&")]
        hidden = [
            (name, mark, "***" if name.lower() in SECRET_PARAMETERS else value)
            for name, mark, value in pairs
        ]
        parts = parts._replace(query="&".join("".join(pair) for pair in hidden))
    return urlunsplit(parts)


SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
"""Query parameters of a database URL that hold a secret (libpq's names)."""


__all__ = ["Records", "apply_migrations", "open_records", "redact", "sqlite_url"]
