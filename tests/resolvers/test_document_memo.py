"""The parse cache and what requests of the same document share with it
(resolvers/core/document_memo.py): found by the parsed node's identity, bounded by the documents
held and per document, and never what depends on the request's variables unless the variables
are part of the key."""

from __future__ import annotations

import httpx
import pytest
from graphql import GraphQLError, parse

from resolvers.core.document_memo import SMALL_VARIABLES, ParsedDocuments, variables_key
from tests.resolvers.test_cost import post


def test_the_same_text_is_the_same_node_while_held_and_facts_go_with_it() -> None:
    parsed = ParsedDocuments(maxsize=2, facts_per_document=2)
    one = parsed.parse("{ a }", 100)
    assert parsed.parse("{ a }", 100) is one
    assert parsed.fact(one, "k", lambda: "first") == "first"
    assert parsed.fact(one, "k", lambda: "again") == "first"  # kept
    equal = parse("{ a }")  # the same text parsed elsewhere: not held, nothing kept for it
    assert parsed.fact(equal, "k", lambda: "worked out") == "worked out"
    assert parsed.fact(equal, "k", lambda: "again") == "again"
    # facts per document are bounded: past them, worked out each time
    assert parsed.fact(one, "k2", lambda: "second") == "second"
    assert parsed.fact(one, "k3", lambda: "third") == "third"
    assert parsed.fact(one, "k3", lambda: "again") == "again"
    # documents are bounded: the least recently used goes, with its facts
    two = parsed.parse("{ b }", 100)
    assert parsed.fact(two, "k", lambda: "of b") == "of b"
    assert parsed.facts_held() == 3
    parsed.parse("{ a }", 100)  # used last
    parsed.parse("{ c }", 100)
    assert len(parsed) == 2
    assert parsed.facts_held() == 2  # b's went with it
    assert parsed.parse("{ a }", 100) is one
    assert parsed.parse("{ b }", 100) is not two  # parsed anew
    assert parsed.fact(two, "k", lambda: "not held") == "not held"


def test_a_text_that_does_not_parse_is_not_held() -> None:
    parsed = ParsedDocuments(maxsize=2, facts_per_document=2)
    with pytest.raises(GraphQLError):
        parsed.parse("{ a ", 100)
    with pytest.raises(GraphQLError):
        parsed.parse("{ a b c }", 2)  # past its tokens
    assert len(parsed) == 0


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
