"""The parse cache, and what requests that send the same document may share beside it: the
outcome of checks worked out from the parsed document alone (its bounds, its validation) or
from it and small variables (its price). Nothing read from the stores is kept: every request
still resolves every field.

`ParsedDocuments.parse` hands back the same `DocumentNode` for the same text while it holds it,
so a document's facts (`fact`) are found by the node's identity, not by its value: graphql-core's
nodes hash and compare by walking the whole tree (the app query's document took ~12 µs to hash,
per request, in Strawberry's validation cache). Facts live in the document's own entry and go
with it: what is kept is bounded by the documents held (PARSE_CACHE_SIZE, each within the token
limit) and FACTS_PER_DOCUMENT, whatever callers send. A document the cache does not hold (parsed
elsewhere, or evicted meanwhile) has its facts worked out each time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import orjson
from graphql import DocumentNode, parse

V = TypeVar("V")

PARSE_CACHE_SIZE = 1024
"""Parsed documents held, the least recently used dropped first."""

FACTS_PER_DOCUMENT = 16
"""Facts kept per document (its bounds, its validation, prices for a few sets of variables);
past it new ones are worked out each time."""

SMALL_VARIABLES = 1024
"""Bytes of a request's variables, as sorted JSON, past which nothing worked out from them is
kept: a fact's key holds them."""


class ParsedDocuments:
    """At most `maxsize` parsed documents by (text, token limit), each with up to
    `facts_per_document` facts. Used from the event loop's thread only."""

    def __init__(self, maxsize: int, facts_per_document: int) -> None:
        self.maxsize = maxsize
        self.facts_per_document = facts_per_document
        self._documents: OrderedDict[tuple[str, int], DocumentNode] = OrderedDict()
        self._facts: dict[int, dict[Hashable, Any]] = {}
        """Each held document's facts, by the document's identity."""

    def __len__(self) -> int:
        return len(self._documents)

    def facts_held(self) -> int:
        """Facts kept, about every document held."""
        return sum(len(facts) for facts in self._facts.values())

    def parse(self, query: str, max_tokens: int) -> DocumentNode:
        """`query` parsed (graphql-core, at most `max_tokens` tokens), the same node for the
        same text while held. Raises graphql-core's GraphQLError (nothing is kept then)."""
        entry = (query, max_tokens)
        document = self._documents.get(entry)
        if document is not None:
            self._documents.move_to_end(entry)
            return document
        document = parse(query, max_tokens=max_tokens)
        self._documents[entry] = document
        self._facts[id(document)] = {}
        if len(self._documents) > self.maxsize:
            _, dropped = self._documents.popitem(last=False)
            del self._facts[id(dropped)]
        return document

    def fact(self, document: DocumentNode, key: Hashable, work: Callable[[], V]) -> V:
        """The fact kept for `key` about `document`, else `work()`, kept while the document is
        held and has room. Raises what `work` raises (and keeps nothing then)."""
        facts = self._facts.get(id(document))  # an id is a held document's while it is held
        if facts is None:
            return work()
        if key in facts:
            found: V = facts[key]
            return found
        value = work()
        if len(facts) < self.facts_per_document:
            facts[key] = value
        return value


PARSED = ParsedDocuments(PARSE_CACHE_SIZE, FACTS_PER_DOCUMENT)
"""The process's parse cache (resolvers/core/operation_guard.py `parse_document`)."""


def variables_key(variables: Mapping[str, Any] | None) -> bytes | None:
    """`variables` as sorted JSON, part of a fact's key; b"" for none; None when they are too
    large to keep (SMALL_VARIABLES) or not plain JSON: then the caller works it out every time."""
    if not variables:
        return b""
    try:
        encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return encoded if len(encoded) <= SMALL_VARIABLES else None
