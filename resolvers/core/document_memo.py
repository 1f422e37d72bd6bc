"""What requests that send the same document may share: the outcome of checks worked out from
the parsed document alone (its bounds, its validation) or from it and small variables (its
price). Nothing read from the stores is kept: every request still resolves every field.

Strawberry's parse cache (OperationGuard) hands back the same `DocumentNode` for the same text,
so an entry is found by the node's identity, not by its value: graphql-core's nodes hash and
compare by walking the whole tree (the app query's document took ~12 µs to hash, per request,
in Strawberry's validation cache). Each entry holds its node, so the identity is never reused
while the entry lives; the least recently used entry goes first past `maxsize`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

import orjson
from graphql import DocumentNode

V = TypeVar("V")

SMALL_VARIABLES = 1024
"""Bytes of a request's variables, as sorted JSON, past which nothing worked out from them is
kept: a key of the memo holds them, so entries stay small whatever callers send."""


class DocumentMemo(Generic[V]):
    """At most `maxsize` values, each worked out from one parsed document and a hashable `key`
    (the schema's identity, the validation rules, the variables…), the least recently used
    dropped first. Used from the event loop's thread only."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[int, Hashable], tuple[DocumentNode, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, document: DocumentNode, key: Hashable, work: Callable[[], V]) -> V:
        """The value kept for (`document`, `key`), else `work()` kept for the next request.
        Raises what `work` raises (and keeps nothing then)."""
        entry = (id(document), key)
        found = self._entries.get(entry)
        if found is not None:
            self._entries.move_to_end(entry)
            return found[1]
        value = work()
        self._entries[entry] = (document, value)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return value


def variables_key(variables: Mapping[str, Any] | None) -> bytes | None:
    """`variables` as sorted JSON, a key of a memo; b"" for none; None when they are too large
    to keep (SMALL_VARIABLES) or not plain JSON: then the caller works it out every time."""
    if not variables:
        return b""
    try:
        encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    return encoded if len(encoded) <= SMALL_VARIABLES else None
