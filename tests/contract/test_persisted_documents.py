"""Trusted documents in the records (graph/records/persisted_documents.py), on SQLite and
PostgreSQL: registered per client, found by their text's SHA-256, removed per client or one."""

from __future__ import annotations

import hashlib

import pytest

from graph.records import Records
from graph.records.persisted_documents import (
    PersistedDocument,
    PersistedDocumentError,
    list_documents,
    register_documents,
    registered_document,
    remove_documents,
)

DISTRICTS = "query Districts { districts { code } }"
NAMES = "query Names { districts { nameEn } }"


def document(client: str, body: str, relay: bool = False) -> PersistedDocument:
    sha256 = hashlib.sha256(body.encode()).hexdigest()
    document_id = hashlib.md5(body.encode()).hexdigest() if relay else sha256
    return PersistedDocument(client, document_id, sha256, body.split()[1], "query", body)


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def test_register_documents_then_find_by_sha256(empty_records: Records) -> None:
    # given two documents registered for a client, one again for another (Relay's md5 id)
    added = await register_documents(
        empty_records, "web", [document("web", DISTRICTS), document("web", NAMES)]
    )
    added_ios = await register_documents(
        empty_records, "ios", [document("ios", DISTRICTS, relay=True)]
    )
    # when they are looked up and listed
    found = await registered_document(empty_records, sha(DISTRICTS))
    missing = await registered_document(empty_records, sha("query Other { districts { code } }"))
    listed = await list_documents(empty_records)
    # then
    assert (added, added_ios) == (2, 1)
    assert found == DISTRICTS
    assert missing is None
    assert [(d.client, d.name) for d in listed] == [
        ("ios", "Districts"),
        ("web", "Districts"),
        ("web", "Names"),
    ]
    assert listed[0].document_id == hashlib.md5(DISTRICTS.encode()).hexdigest()
    assert listed[0].created_at is not None


async def test_register_documents_again_adds_only_what_is_new(empty_records: Records) -> None:
    await register_documents(empty_records, "web", [document("web", DISTRICTS)])
    again = await register_documents(
        empty_records, "web", [document("web", DISTRICTS), document("web", NAMES)]
    )
    assert again == 1
    assert len(await list_documents(empty_records, "web")) == 2


async def test_remove_documents_one_or_a_whole_client(empty_records: Records) -> None:
    await register_documents(
        empty_records, "web", [document("web", DISTRICTS), document("web", NAMES)]
    )
    await register_documents(empty_records, "ios", [document("ios", DISTRICTS)])
    one = await remove_documents(empty_records, "web", sha(NAMES))
    assert one == 1
    assert await registered_document(empty_records, sha(NAMES)) is None
    whole = await remove_documents(empty_records, "web")
    assert whole == 1
    assert await registered_document(empty_records, sha(DISTRICTS)) == DISTRICTS  # ios's
    assert await remove_documents(empty_records, "nobody") == 0


@pytest.mark.parametrize(
    "body",
    ["query Districts { districts { code } }\x00", "query Districts { districts { code\ud800 } }"],
    ids=["nul", "surrogate"],
)
async def test_register_documents_refuses_text_a_store_cannot_hold(
    empty_records: Records, body: str
) -> None:
    bad = PersistedDocument("web", "a" * 64, "a" * 64, "Districts", "query", body)
    with pytest.raises(PersistedDocumentError):
        await register_documents(empty_records, "web", [document("web", NAMES), bad])
    assert await list_documents(empty_records) == []
