"""Persisted queries at the HTTP door: Apollo's automatic persisted queries (APQ) and trusted
documents, resolving a request's `persistedQuery` extension to the document text it stands for.

Apollo APQ (apollographql/apollo-server: packages/server/src/requestPipeline.ts, and
apollo-link-persisted-queries' protocol): `extensions.persistedQuery` is
`{"version": 1, "sha256Hash": "<64 lower-case hex>"}`, the SHA-256 of the document's UTF-8 text.

- a hash without text that the server knows: that text runs; unknown: HTTP 200 with
  `PERSISTED_QUERY_NOT_FOUND` (message "PersistedQueryNotFound", `Cache-Control: private,
  no-cache, must-revalidate`), and the client resends the hash with the text;
- a hash with text: the text's SHA-256 must be the hash (HTTP 400
  `persisted_query_hash_mismatch` otherwise, nothing stored); the text runs, and is stored only
  once it has parsed and validated (`GraphQLOverHTTP._run` calls `remember`);
- a `version` other than 1: HTTP 400 `persisted_query_version_not_supported`; an extension that
  is not an object, or a hash that is not 64 lower-case hex digits: HTTP 400
  `persisted_query_invalid`;
- persisted queries switched off: HTTP 200 `PERSISTED_QUERY_NOT_SUPPORTED` for any request with
  the extension, and Apollo Client stops sending hashes.

Trusted documents (`CIVIC_PERSISTED_DOCUMENTS=trusted`): only documents an operator registered
(`civicgraph documents register`, graph/records/persisted_documents.py) run. A hash that is not
registered: HTTP 400 `PERSISTED_QUERY_NOT_IN_LIST`; text whose hash is not registered: HTTP 400
`QUERY_NOT_IN_SAFELIST` (Apollo Router's codes for its safelist); the registered documents
unreadable (the records down): HTTP 503 `persisted_documents_unavailable`, never a refusal
that blames the document. Operator keys may still send any text (docs/operations.md, "Trusted
documents").
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from tortoise.exceptions import BaseORMException

from civicgraph.graphql_door.refusal import Refusal
from civicgraph.persisted_mode import PersistedDocumentsMode
from graph.errors import CivicGraphError
from graph.records.api_keys import Tier
from resolvers.core.errors import RETRY_AFTER_OUTAGE_S
from resolvers.core.request_errors import RequestErrorCode

log = logging.getLogger("civicgraph.persisted")

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
"""A SHA-256 as Apollo writes it: 64 lower-case hexadecimal digits."""
APQ_VERSION = 1
NO_CACHE = {"cache-control": "private, no-cache, must-revalidate"}
"""Apollo Server's headers on PERSISTED_QUERY_NOT_FOUND/NOT_SUPPORTED: the next identical GET
must reach the server, which by then holds the text."""
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_SUPPORTED_MESSAGE = "PersistedQueryNotSupported"


class DocumentCache(Protocol):
    """Where APQ keeps documents by SHA-256 (civicgraph/graphql_door/apq_store.py)."""

    async def get(self, sha256_hash: str) -> str | None:
        """The document stored under `sha256_hash`, or None (unknown, expired, evicted, or the
        store unreachable)."""
        ...

    async def put(self, sha256_hash: str, document: str) -> None:
        """Stores `document` under `sha256_hash`; never raises for a store that is down."""
        ...


Registered = Callable[[str], Awaitable[str | None]]
"""The registered document whose text has this SHA-256 (hex), or None."""


def sha256_hex(text: str) -> str:
    """The SHA-256 of `text` in UTF-8, as 64 lower-case hex digits (Apollo's `sha256Hash`)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def persisted_hash(extensions: object) -> str | None:
    """The `sha256Hash` of the request's `persistedQuery` extension, or None without one.

    Requires `extensions` to be a dict or None (the door refuses other values first). Raises
    Refusal 400 `persisted_query_invalid` for an extension that is not an object or a hash that
    is not 64 lower-case hex digits, 400 `persisted_query_version_not_supported` for a
    `version` other than 1 (a JSON `true` is not 1)."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    extension = extensions["persistedQuery"]
    if not isinstance(extension, dict):
        raise Refusal(
            400,
            RequestErrorCode.PERSISTED_QUERY_INVALID,
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex>"}',
        )
    version = extension.get("version")
    if type(version) is not int or version != APQ_VERSION:
        raise Refusal(
            400,
            RequestErrorCode.PERSISTED_QUERY_VERSION_NOT_SUPPORTED,
            "Unsupported persisted query version",
        )
    digest = extension.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        raise Refusal(
            400,
            RequestErrorCode.PERSISTED_QUERY_INVALID,
            "extensions.persistedQuery.sha256Hash must be 64 lower-case hexadecimal digits",
        )
    return digest


@dataclass(frozen=True)
class Resolved:
    """A request's document after persisted-query resolution.

    `query` is the text to run (or the request's `query` value as sent, for the door's own
    checks to refuse); `remember` is the hash under which to store `query` once it has parsed
    and validated, or None."""

    query: object
    remember: str | None = None


class PersistedDocuments:
    """The persisted-documents policy of one door: `mode`, the APQ `cache`, and `registered`
    (the operator-registered documents in the records; None: none are consulted)."""

    def __init__(
        self,
        mode: PersistedDocumentsMode,
        cache: DocumentCache,
        registered: Registered | None = None,
    ) -> None:
        self.mode = PersistedDocumentsMode(mode)
        self.cache = cache
        self.registered = registered

    async def resolve(self, query: object, extensions: object, tier: Tier) -> Resolved:
        """The document a request stands for, from its `query` and `extensions` values as sent
        (None when absent) and the caller's `tier`. Raises Refusal as the module says."""
        digest = persisted_hash(extensions)
        trusted = self.mode is PersistedDocumentsMode.TRUSTED and not tier.at_least(Tier.OPERATOR)
        if digest is None:
            text = query if isinstance(query, str) else None
            if (
                trusted
                and text is not None
                and await self._registered(sha256_hex(text), trusted) is None
            ):
                raise _not_in_safelist()
            return Resolved(query)
        if self.mode is PersistedDocumentsMode.OFF:
            raise Refusal(
                200, RequestErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, NOT_SUPPORTED_MESSAGE, NO_CACHE
            )
        if query is None:
            return Resolved(await self._document(digest, trusted))
        if not isinstance(query, str):
            return Resolved(query)  # the door refuses it: `query` must be a string
        if sha256_hex(query) != digest:
            raise Refusal(
                400,
                RequestErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                "provided sha does not match query",
            )
        if self.mode is PersistedDocumentsMode.TRUSTED:
            if trusted and await self._registered(digest, trusted) is None:
                raise _not_in_safelist()
            return Resolved(query)  # registered documents live in the records, not the cache
        return Resolved(query, remember=digest)

    async def remember(self, sha256_hash: str, document: str) -> None:
        """Stores a document that parsed and validated, under its hash (APQ mode)."""
        await self.cache.put(sha256_hash, document)

    async def _document(self, digest: str, trusted: bool) -> str:
        if not trusted and self.mode is PersistedDocumentsMode.APQ:
            cached = await self.cache.get(digest)
            if cached is not None:
                return cached
        registered = await self._registered(digest, trusted)
        if registered is not None:
            return registered
        if trusted:
            raise Refusal(
                400,
                RequestErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
                "no registered document has this hash: this server runs trusted documents only",
            )
        raise Refusal(200, RequestErrorCode.PERSISTED_QUERY_NOT_FOUND, NOT_FOUND_MESSAGE, NO_CACHE)

    async def _registered(self, digest: str, trusted: bool) -> str | None:
        """The registered document of `digest`, or None. The records down: None for APQ (the
        client resends its text), a 503 Refusal when only registered documents may run."""
        if self.registered is None:
            return None
        try:
            return await self.registered(digest)
        except (CivicGraphError, BaseORMException, OSError) as error:  # the driver's own too
            log.warning("registered documents unavailable: %s", error)
            if trusted:
                raise Refusal(
                    503,
                    RequestErrorCode.PERSISTED_DOCUMENTS_UNAVAILABLE,
                    "the registered documents cannot be read now: try again shortly",
                    {"retry-after": str(RETRY_AFTER_OUTAGE_S)},
                ) from error
            return None


def _not_in_safelist() -> Refusal:
    return Refusal(
        400,
        RequestErrorCode.QUERY_NOT_IN_SAFELIST,
        "this server runs registered documents only: send a registered document's hash "
        "(extensions.persistedQuery)",
    )
