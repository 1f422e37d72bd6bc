"""What requests of the same document share (resolvers/core/document_memo.py): found by the
parsed node's identity, bounded, and never what depends on the request's variables unless the
variables are part of the key."""

from __future__ import annotations

import httpx
from graphql import parse

from resolvers.core.document_memo import SMALL_VARIABLES, DocumentMemo, variables_key
from tests.resolvers.test_cost import post


def test_entries_are_found_by_the_documents_identity_and_bounded() -> None:
    memo: DocumentMemo[str] = DocumentMemo(maxsize=2)
    one, same_text = parse("{ a }"), parse("{ a }")
    assert memo.get(one, "k", lambda: "first") == "first"
    assert memo.get(one, "k", lambda: "again") == "first"  # kept
    assert memo.get(same_text, "k", lambda: "other node") == "other node"  # equal, not it
    assert memo.get(one, "k", lambda: "again") == "first"  # used last: same_text's is older
    assert memo.get(one, "k2", lambda: "other key") == "other key"
    assert len(memo) == 2  # the least recently used (same_text's) went
    assert memo.get(one, "k", lambda: "again") == "first"
    assert memo.get(same_text, "k", lambda: "worked out anew") == "worked out anew"


def test_only_small_plain_variables_make_a_key() -> None:
    assert variables_key(None) == variables_key({}) == b""
    assert variables_key({"b": 1, "a": [True]}) == variables_key({"a": [True], "b": 1})
    assert variables_key({"a": 1}) != variables_key({"a": 1.0})
    assert variables_key({"a": "x" * SMALL_VARIABLES}) is None
    assert variables_key({"a": 2**70}) is None  # past 64 bits: not plain JSON to orjson


async def test_a_kept_document_still_has_each_requests_variables_checked(
    client: httpx.AsyncClient,
) -> None:
    query = "query($v:[String!]){ cases(first:1, filter:{district:$v}) { totalCount } }"
    fits = await post(client, query, {"v": ["11680"]})
    assert "errors" not in fits, fits
    too_long = await post(client, query, {"v": ["11680"] * 101})
    [error] = too_long["errors"]
    assert (error["extensions"]["code"], error["extensions"]["maxLength"]) == (
        "bad_user_input",
        100,
    )
    assert "errors" not in await post(client, query, {"v": ["11680"]})


async def test_a_kept_price_is_the_price_of_the_requests_variables(
    client: httpx.AsyncClient,
) -> None:
    query = "query($n:Int!){ cases(first:$n) { edges { node { id } } } }"
    costs = [
        (await post(client, query, {"n": n}))["extensions"]["cost"]["requested"]
        for n in (1, 50, 1, 50)
    ]
    assert costs[0] == costs[2] < costs[1] == costs[3]
