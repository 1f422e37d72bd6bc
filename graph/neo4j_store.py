"""The scale-out `GraphStore`: Neo4j 5 through the official async driver.

Queries are the shared Cypher of `graph.cypher`; what differs from LadybugDB stays here. Neo4j
needs no tables, so the schema is a uniqueness constraint on every node key plus indexes on the
properties filters use. It does not store nulls and hands back its own temporal types, so nodes
are rebuilt in ontology order with every property present and timestamps as aware UTC datetimes,
exactly as the LadybugDB adapter returns them. Bulk loads go through `UNWIND` in batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    NotificationDisabledClassification,
    Query,
    RoutingControl,
)
from neo4j import exceptions as neo4j_errors
from neo4j.time import DateTime

from graph import cypher
from graph.cypher_store import CypherReads
from graph.errors import QueryFailed, StoreUnavailable, UnknownLabel
from graph.ontology import NODE_TYPES, REL_TYPES, NodeType, PropertyType
from graph.query import Link
from graph.store import Node

BATCH_ROWS = 10_000
"""Rows per `UNWIND` statement when bulk loading: large enough to amortise a round trip."""

INDEXED = ("district_code", "lat")
"""Properties besides the key that filters use, indexed wherever a label has them."""


GRAPH_OUTAGES = (
    neo4j_errors.ServiceUnavailable,  # no server answers
    neo4j_errors.SessionExpired,  # the server of a session went away
    neo4j_errors.DatabaseUnavailable,  # the database is stopped or starting
)
"""The driver's errors that mean the graph cannot be used now: answered as an outage
(StoreUnavailable: retry), not as a refused query."""


def _from_value(value: Any) -> Any:
    if isinstance(value, DateTime):
        return value.to_native().astimezone(UTC)
    return value


def _from_columns(kind: NodeType, values: Sequence[Any]) -> Node:
    """A node from its `cypher.node_columns`: every ontology property, in ontology order; an
    absent one is None (null), as in LadybugDB."""
    return {
        name: _from_value(value) for name, value in zip(kind.property_names, values, strict=True)
    }


def _to_value(kind: PropertyType, value: Any) -> Any:
    if kind is PropertyType.FLOAT and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is PropertyType.TIMESTAMP and isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _to_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value.replace(tzinfo=UTC)
        if isinstance(value, datetime) and value.tzinfo is None
        else value
        for name, value in params.items()
    }


def _typed(kind: NodeType, properties: Mapping[str, Any]) -> dict[str, Any]:
    types = {p.name: p.type for p in kind.properties}
    return {
        name: _to_value(types[cypher.check_property(kind, name)], value)
        for name, value in properties.items()
    }


_LOCK_NODE = "SET n.`_lock` = true REMOVE n.`_lock`"
"""Takes the node's write lock (held to commit) before a conditional update reads it."""


class Neo4jStore(CypherReads):
    """`GraphStore` over a Neo4j 5 server (`neo4j://` or `bolt://` URL)."""

    backend = "neo4j"

    def __init__(self, driver: AsyncDriver, url: str, *, database: str | None = None) -> None:
        self._driver = driver
        self._database = database
        self.url = url
        self.calls = 0
        self.writes = 0

    @classmethod
    async def connect(
        cls, url: str, *, user: str = "neo4j", password: str = "", database: str | None = None
    ) -> Neo4jStore:
        """Open a driver and check the server answers, or raise StoreUnavailable."""
        try:
            driver = AsyncGraphDatabase.driver(
                url,
                auth=(user, password),
                # every read names each property of its label (`cypher.node_columns`): one that
                # no node holds yet (nulls are not stored) would log a warning per query
                notifications_disabled_classifications=[
                    NotificationDisabledClassification.UNRECOGNIZED
                ],
            )
        except (ValueError, neo4j_errors.ConfigurationError) as error:
            raise StoreUnavailable(f"bad graph URL {url!r}: {error}") from None
        try:
            await driver.verify_connectivity()
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            await driver.close()
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise StoreUnavailable(f"cannot reach the graph at {url}: {reason}") from None
        return cls(driver, url, database=database)

    async def close(self) -> None:
        await self._driver.close()

    async def release_memory(self) -> None:
        """Nothing: Neo4j holds a load's memory in its own process, bounded by its heap."""

    def taking_forwarded_writes(self) -> AbstractAsyncContextManager[None]:
        """Nothing: every process writes to Neo4j itself."""
        return contextlib.nullcontext()

    def _node(self, kind: NodeType, values: Sequence[Any]) -> Node:
        return _from_columns(kind, values)

    async def _rows(
        self, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> list[list[Any]]:
        """The one place a query reaches the driver."""
        self.calls += 1
        self.writes += write
        try:
            result = await self._driver.execute_query(
                Query(text),
                _to_params(params or {}),
                database_=self._database,
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
            )
        except GRAPH_OUTAGES as error:
            raise StoreUnavailable(f"the graph at {self.url} went away: {error}") from None
        except neo4j_errors.Neo4jError as error:
            raise QueryFailed(f"Neo4j refused {text[:80]!r}: {error.message}") from error
        return [list(record.values()) for record in result.records]

    async def _auto_commit(self, text: str) -> None:
        """Statements that manage their own transactions (`CALL {} IN TRANSACTIONS`)."""
        self.calls += 1
        self.writes += 1
        try:
            async with self._driver.session(database=self._database) as session:
                result = await session.run(Query(text))
                await result.consume()
        except GRAPH_OUTAGES as error:
            raise StoreUnavailable(f"the graph at {self.url} went away: {error}") from None
        except neo4j_errors.Neo4jError as error:
            raise QueryFailed(f"Neo4j refused {text[:80]!r}: {error.message}") from error

    async def create_schema(self) -> None:
        for kind in NODE_TYPES.values():
            await self._rows(
                f"CREATE CONSTRAINT `{kind.label}_key` IF NOT EXISTS "
                f"FOR (n:`{kind.label}`) REQUIRE n.{kind.key} IS UNIQUE",
                write=True,
            )
            for name in INDEXED:
                if name in kind.property_names:
                    await self._rows(
                        f"CREATE INDEX `{kind.label}_{name}` IF NOT EXISTS "
                        f"FOR (n:`{kind.label}`) ON (n.{name})",
                        write=True,
                    )
        await self._rows("CALL db.awaitIndexes(300)", write=True)

    async def drop_schema(self) -> None:
        labels = "|".join(f"`{label}`" for label in NODE_TYPES)
        await self._auto_commit(
            f"MATCH (n:{labels}) CALL (n) {{ DETACH DELETE n }} "
            f"IN TRANSACTIONS OF {BATCH_ROWS} ROWS"
        )
        for kind in NODE_TYPES.values():
            await self._rows(f"DROP CONSTRAINT `{kind.label}_key` IF EXISTS", write=True)
            for name in INDEXED:
                await self._rows(f"DROP INDEX `{kind.label}_{name}` IF EXISTS", write=True)

    async def load_nodes(self, label: str, rows: pa.Table) -> None:
        kind = cypher.node_type(label)
        table = cypher.stored_nodes(kind, rows)
        text = f"UNWIND $rows AS row CREATE (n:`{kind.label}`) SET n = row"
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            await self._rows(text, {"rows": batch.to_pylist()}, write=True)

    async def load_rels(self, rel: str, source: str, target: str, rows: pa.Table) -> None:
        relation = REL_TYPES[rel]
        if (source, target) not in relation.pairs:
            raise UnknownLabel(f"{rel} does not connect {source} to {target}")
        a, b = NODE_TYPES[source], NODE_TYPES[target]
        text = (
            f"UNWIND $rows AS r MATCH (a:`{a.label}` {{{a.key}: r.`from`}}) "
            f"MATCH (b:`{b.label}` {{{b.key}: r.`to`}}) CREATE (a)-[:`{relation.name}`]->(b)"
        )
        for batch in cypher.stored_links(a, b, rows).to_batches(max_chunksize=BATCH_ROWS):
            await self._rows(text, {"rows": batch.to_pylist()}, write=True)

    async def create_node(
        self, label: str, properties: Mapping[str, Any], links: Sequence[Link] = ()
    ) -> bool:
        kind = cypher.node_type(label)
        text, params = cypher.create_node(label, _typed(kind, properties), links)
        try:
            rows = await self._rows(text, params, write=True)
        except QueryFailed as error:
            cause = error.__cause__
            if isinstance(cause, neo4j_errors.ConstraintError):
                raise QueryFailed(f"{label} {properties.get(kind.key)!r} already exists") from cause
            raise
        return bool(rows and rows[0][0])

    async def update_node(
        self,
        label: str,
        key: str,
        properties: Mapping[str, Any],
        *,
        unless_newer: str | None = None,
    ) -> None:
        kind = cypher.node_type(label)
        statement = cypher.update_node(
            label, key, _typed(kind, properties), unless_newer=unless_newer, lock=_LOCK_NODE
        )
        await self._rows(*statement, write=True)

    async def relink_node(
        self, label: str, key: str, properties: Mapping[str, Any], link: Link
    ) -> bool:
        kind = cypher.node_type(label)
        statement = cypher.relink_node(label, key, _typed(kind, properties), link, lock=_LOCK_NODE)
        rows = await self._rows(*statement, write=True)
        return bool(rows and rows[0][0])

    async def delete_node(self, label: str, key: str) -> None:
        await self._rows(*cypher.delete_node(label, key), write=True)
