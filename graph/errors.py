"""Errors raised by the graph package."""

from __future__ import annotations


class GraphError(Exception):
    """Base of every error the graph package raises on purpose."""


class StoreUnavailable(GraphError):
    """The store cannot be opened (missing file, locked by another writer, wrong URL)."""


class UnknownLabel(GraphError):
    """A label or relationship type that the ontology does not define."""


class QueryFailed(GraphError):
    """The database refused a query (an adapter bug, or a constraint such as a duplicate key)."""
