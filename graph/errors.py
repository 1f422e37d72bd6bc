"""Errors raised by the graph package, and `CivicGraphError`, the base of every package's errors.

The base lives here, in the bottom layer, so that every package can sit under it.
"""

from __future__ import annotations


class CivicGraphError(Exception):
    """Base of every error CivicGraph raises on purpose: a user's mistake or a known condition.

    Each boundary (HTTP, websocket, CLI) catches it once and turns it into that door's own
    error format; anything else that escapes is a bug, logged with its traceback.
    """


class GraphError(CivicGraphError):
    """Base of every error the graph package raises on purpose."""


class StoreUnavailable(GraphError):
    """The store cannot be opened (missing file, locked by another writer, wrong URL)."""


class ReadOnlyGraph(StoreUnavailable):
    """A write to a graph this process opened read-only (`CIVIC_GRAPH_READ_ONLY`): answered as
    the store being unavailable for it (HTTP 503), since another process is the writer."""


class UnknownLabel(GraphError):
    """A label or relationship type that the ontology does not define."""


class InvalidKey(GraphError):
    """A key that is not of its label's form, written (a resident's id: `graph.numbered_key`)."""


class UnstorableValue(GraphError):
    """A value a store cannot hold as given: a list item holding a NUL (`graph.packed_list`),
    which every door refuses before it gets here."""


class QueryFailed(GraphError):
    """The database refused a query (an adapter bug, or a constraint such as a duplicate key)."""


class WriteAbandoned(GraphError):
    """A write to both stores outlived its grace period: repair undid it, so it did not happen."""
