"""`CIVIC_PERSISTED_DOCUMENTS`: which persisted documents the GraphQL door accepts
(civicgraph/graphql_door/persisted.py)."""

from __future__ import annotations

from enum import StrEnum


class PersistedDocumentsMode(StrEnum):
    """Which persisted documents the door accepts."""

    APQ = "apq"
    """Automatic persisted queries: any client registers a validated document by its hash."""
    TRUSTED = "trusted"
    """Trusted documents: only registered documents run (operator keys excepted)."""
    OFF = "off"
    """No persisted queries: the extension is answered PERSISTED_QUERY_NOT_SUPPORTED."""
