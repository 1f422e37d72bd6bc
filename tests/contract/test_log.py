"""The verifiable log's contract on SQLite and PostgreSQL: roots, proofs, heads, concurrency, API.

Cases share each backend's one log, so they work from whatever size it has when they start.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoint import Signer, Verifier, open_checkpoint
from ledger.entries import Entry, EntryError
from ledger.errors import LogError
from ledger.hashing import hash_leaf
from ledger.log import Log
from ledger.verify import verify_consistency, verify_inclusion
from tests.contract.conftest import Backend, unique
from tests.ledger import reference

HEAD = "{ logHead { origin treeSize rootHash checkpoint keyId verifierKey } }"
ENTRY = """query($i: Int!, $size: Int) { logEntry(index: $i) {
  index kind subject leafInput leafHash body
  inclusionProof(treeSize: $size) { leafIndex treeSize leafHash rootHash hashes }
} }"""
CONSISTENCY = """query($a: Int!, $b: Int) {
  logConsistency(fromSize: $a, toSize: $b) { fromSize toSize fromRoot toRoot hashes }
}"""


@pytest.fixture
def log(backend: Backend) -> Log:
    found: Log = backend.app.state.log
    return found


def facts(count: int, tag: str) -> list[Entry]:
    return [Entry("test.fact", f"{tag}-{i}", {"n": i, "tag": tag}) for i in range(count)]


async def all_leaf_inputs(log: Log, size: int) -> list[bytes]:
    return [entry.leaf_input for entry in await log.entries(0, size)]


async def test_batches_of_any_size_give_the_rfc_root_under_a_signed_head(log: Log) -> None:
    tag = unique()
    for count in (1, 7, 64, 3, 128, 1):
        appended = await log.append(facts(count, tag))
        assert open_checkpoint(appended.head.note, log.signer.verifier) == appended.head.checkpoint
        assert [e.subject for e in await log.entries(appended.first_index, appended.head.size)] == [
            f"{tag}-{i}" for i in range(count)
        ]
    head = await log.head()
    assert head.root == reference.mth(await all_leaf_inputs(log, head.size))


async def test_proofs_read_from_the_store_verify(log: Log) -> None:
    await log.append(facts(37, unique()))
    head = await log.head()
    leaves = await all_leaf_inputs(log, head.size)
    for size in sorted({1, 2, head.size // 3, head.size - 1, head.size}):
        root = await log.root(size)
        assert root == reference.mth(leaves[:size])
        for index in sorted({0, size // 2, size - 1}):
            proof = await log.inclusion_proof(index, size)
            verify_inclusion(index, size, hash_leaf(leaves[index]), proof, root)
        if size < head.size:
            proof = await log.consistency_proof(size, head.size)
            verify_consistency(size, head.size, proof, root, head.root)


async def test_concurrent_appends_each_get_their_own_leaves(log: Log) -> None:
    tag = unique()
    before = (await log.head()).size
    batches = [facts(25, f"{tag}-{b}") for b in range(8)]
    results = await asyncio.gather(*(log.append(batch) for batch in batches))
    head = await log.head()
    assert head.size >= before + 200
    firsts = sorted(result.first_index for result in results)
    assert all(b - a >= 25 for a, b in itertools.pairwise(firsts))
    for batch, result in zip(batches, results, strict=True):
        stored = await log.entries(result.first_index, result.first_index + 25)
        assert [row.subject for row in stored] == [entry.subject for entry in batch]
    assert head.root == reference.mth(await all_leaf_inputs(log, head.size))


async def test_an_entry_that_cannot_be_canonical_appends_nothing(log: Log) -> None:
    before = (await log.head()).size
    with pytest.raises(EntryError):
        await log.append([*facts(3, unique()), Entry("test.fact", "x", {"ratio": 0.5})])
    with pytest.raises(EntryError):
        await log.append([Entry("test.fact", "s" * 129)])
    assert (await log.head()).size == before


async def test_requests_beyond_the_head_are_refused(log: Log) -> None:
    size = (await log.append(facts(2, unique()))).head.size
    with pytest.raises(LogError):
        await log.inclusion_proof(size)
    with pytest.raises(LogError):
        await log.inclusion_proof(0, size + 1)
    with pytest.raises(LogError):
        await log.consistency_proof(size + 1)
    with pytest.raises(LogError):
        await log.entry(size + 5)


async def test_a_log_signed_by_another_key_is_refused(log: Log) -> None:
    await log.append(facts(1, unique()))
    stranger = Log(log.records, Signer(log.origin, Ed25519PrivateKey.generate()))
    with pytest.raises(LogError, match="restore the log key"):
        await stranger.check_key()


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_the_api_serves_heads_and_proofs_a_client_can_check(
    log: Log, client: httpx.AsyncClient
) -> None:
    tag = unique()
    first = await log.append(facts(5, tag))
    old = (await gql(client, HEAD))["data"]["logHead"]
    await log.append(facts(9, tag))
    new = (await gql(client, HEAD))["data"]["logHead"]
    verifier = Verifier.decode(new["verifierKey"])
    head = open_checkpoint(new["checkpoint"], verifier)
    assert (head.size, base64.b64encode(head.root).decode()) == (new["treeSize"], new["rootHash"])

    index = first.index_of(2)
    entry = (await gql(client, ENTRY, i=index))["data"]["logEntry"]
    assert entry["body"] == {"n": 2, "tag": tag}
    proof = entry["inclusionProof"]
    assert proof["treeSize"] == head.size
    verify_inclusion(
        index,
        head.size,
        hash_leaf(base64.b64decode(entry["leafInput"])),
        [base64.b64decode(h) for h in proof["hashes"]],
        head.root,
    )

    consistency = (await gql(client, CONSISTENCY, a=old["treeSize"]))["data"]["logConsistency"]
    verify_consistency(
        old["treeSize"],
        head.size,
        [base64.b64decode(h) for h in consistency["hashes"]],
        open_checkpoint(old["checkpoint"], verifier).root,
        head.root,
    )


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (ENTRY, {"i": 10**9}, "index"),
        (ENTRY, {"i": 0, "size": 10**9}, "treeSize"),
        (CONSISTENCY, {"a": 0}, "fromSize"),
        (CONSISTENCY, {"a": 1, "b": 10**9}, "fromSize"),
    ],
    ids=["entry-past-end", "proof-past-head", "from-empty", "to-past-head"],
)
async def test_the_api_refuses_sizes_outside_the_log_with_a_code(
    log: Log, client: httpx.AsyncClient, query: str, variables: dict[str, int], field: str
) -> None:
    await log.append(facts(2, unique()))
    body = await gql(client, query, **variables)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "out_of_range", "field": field}
