"""Trusted documents: the operations an operator registered for each client, found at run time
by the SHA-256 of their text (Apollo's `persistedQuery.sha256Hash`).

A document belongs to one client (the name given at registration: an app, a release); the same
text registered for two clients is two rows with one hash. Registering a manifest again adds
what is new and leaves what is there; removing a client removes its documents only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.errors import GraphError
from graph.records.db import Records, as_datetime
from graph.storable_text import unstorable

MAX_CLIENT = 100
"""Characters in a client's name."""
MAX_DOCUMENT_ID = 128
MAX_NAME = 200
OPERATION_TYPES = ("query", "mutation", "subscription")
COLUMNS = "client, document_id, sha256, name, operation_type, body, created_at"


class PersistedDocumentError(GraphError):
    """A registration the records refuse (a name out of bounds, text they cannot hold)."""


@dataclass(frozen=True)
class PersistedDocument:
    """One registered document. `document_id` is the manifest's id for it (Apollo: the
    SHA-256; Relay: the md5 or other hash its compiler wrote), `sha256` that of `body`."""

    client: str
    document_id: str
    sha256: str
    name: str | None
    operation_type: str
    body: str
    created_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PersistedDocument:
        return cls(
            row["client"],
            row["document_id"],
            row["sha256"],
            row["name"],
            row["operation_type"],
            row["body"],
            as_datetime(row["created_at"]),
        )


def check_client(client: str) -> str:
    """`client` if it is 1 to MAX_CLIENT storable characters, not blank; else
    PersistedDocumentError."""
    if not client.strip() or len(client) > MAX_CLIENT or unstorable(client) is not None:
        raise PersistedDocumentError(
            f"a client's name is 1 to {MAX_CLIENT} characters, not blank, without NUL"
        )
    return client


def _check(document: PersistedDocument) -> None:
    if not 1 <= len(document.document_id) <= MAX_DOCUMENT_ID:
        raise PersistedDocumentError(f"a document id is 1 to {MAX_DOCUMENT_ID} characters")
    if document.name is not None and len(document.name) > MAX_NAME:
        raise PersistedDocumentError(f"an operation name is at most {MAX_NAME} characters")
    if document.operation_type not in OPERATION_TYPES:
        raise PersistedDocumentError(f"an operation type is one of {', '.join(OPERATION_TYPES)}")
    for text in (document.document_id, document.name or "", document.body):
        why = unstorable(text)
        if why is not None:
            raise PersistedDocumentError(f"document {document.document_id[:64]!r} holds {why}")


async def register_documents(
    records: Records, client: str, documents: Sequence[PersistedDocument]
) -> int:
    """Registers `documents` for `client` in one transaction; returns how many were new (a
    text already registered for `client` is left as it is). Raises PersistedDocumentError for a
    bad client name or document (nothing is registered then)."""
    check_client(client)
    for document in documents:
        _check(document)
    mark = records.placeholders(1)[0]
    existing = {
        row["sha256"]
        for row in await records.query(
            f"SELECT sha256 FROM persisted_document WHERE client = {mark}", [client]
        )
    }
    new: dict[str, PersistedDocument] = {}
    for document in documents:
        if document.sha256 not in existing:
            new.setdefault(document.sha256, document)
    now = datetime.now(UTC)
    rows = [
        [client, d.document_id, d.sha256, d.name, d.operation_type, d.body, now]
        for d in new.values()
    ]
    if rows:
        marks = ", ".join(records.placeholders(7))
        async with records.transaction() as client_in_transaction:
            await client_in_transaction.execute_many(
                f"INSERT INTO persisted_document ({COLUMNS}) VALUES ({marks})", rows
            )
    return len(rows)


async def list_documents(records: Records, client: str | None = None) -> list[PersistedDocument]:
    """Every registered document (of `client` only, if given), by client then registration."""
    if client is None:
        rows = await records.query(f"SELECT {COLUMNS} FROM persisted_document ORDER BY client, id")
    else:
        mark = records.placeholders(1)[0]
        rows = await records.query(
            f"SELECT {COLUMNS} FROM persisted_document WHERE client = {mark} ORDER BY id",
            [client],
        )
    return [PersistedDocument.from_row(row) for row in rows]


async def remove_documents(records: Records, client: str, document_id: str | None = None) -> int:
    """Removes `client`'s documents (only the one whose manifest id or SHA-256 is
    `document_id`, if given); returns how many were removed."""
    before = await list_documents(records, client)
    if document_id is None:
        gone = before
        mark = records.placeholders(1)[0]
        await records.query(f"DELETE FROM persisted_document WHERE client = {mark}", [client])
        return len(gone)
    gone = [d for d in before if document_id in (d.document_id, d.sha256)]
    for document in gone:
        client_mark, hash_mark = records.placeholders(2)
        await records.query(
            f"DELETE FROM persisted_document WHERE client = {client_mark} AND sha256 = {hash_mark}",
            [client, document.sha256],
        )
    return len(gone)


async def registered_document(records: Records, sha256: str) -> str | None:
    """The text of a registered document (of any client) whose SHA-256 (hex) is `sha256`."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT body FROM persisted_document WHERE sha256 = {mark} LIMIT 1", [sha256]
    )
    return str(rows[0]["body"]) if rows else None
