"""A client's persisted-query manifest, read and checked before its documents are registered as
trusted documents (graph/records/persisted_documents.py).

Two formats, as the tools write them:
- Apollo (`@apollo/generate-persisted-query-manifest`): `{"format":
  "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name", "type",
  "body"}]}`, each `id` the SHA-256 (hex) of `body`;
- Relay (the compiler's `persistConfig.file`, `persisted_queries.json`): `{"<id>": "<text>"}`,
  each id the hex hash of the text under the compiler's `persistConfig.algorithm`: MD5 (its
  default, 32 digits), SHA1 (40) or SHA256 (64).

Every id is checked against its text's hash, and every document must parse within the door's
limits, hold exactly one operation (with its fragments) of the type and name the manifest says,
and validate against the merged schema. The first mistake refuses the whole manifest
(ManifestInvalid), naming the operation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, validate

from graph.errors import CivicGraphError
from graph.records.persisted_documents import (
    MAX_DOCUMENT_ID,
    MAX_NAME,
    PersistedDocument,
)
from graph.storable_text import unstorable

APOLLO_FORMAT = "apollo-persisted-query-manifest"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_OPERATIONS = 10_000
RELAY_HASHES: dict[int, Callable[[bytes], Any]] = {
    32: hashlib.md5,
    40: hashlib.sha1,
    64: hashlib.sha256,
}
"""Relay's id lengths (hex digits) and the hash each stands for (persistConfig.algorithm)."""
HEX = frozenset("0123456789abcdef")


class ManifestInvalid(CivicGraphError):
    """A manifest that cannot be registered: not a known format, too large, an id that is not
    its text's hash, a document that does not parse or validate."""


def read_manifest(
    data: bytes,
    client: str,
    schema: GraphQLSchema,
    max_document_chars: int,
    max_tokens: int,
) -> list[PersistedDocument]:
    """The documents of an Apollo or Relay manifest (`data`, UTF-8 JSON of at most
    MAX_MANIFEST_BYTES and MAX_OPERATIONS operations), for `client`, each checked as the module
    says. Raises ManifestInvalid."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestInvalid(f"the manifest is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ManifestInvalid(f"the manifest is not JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise ManifestInvalid("a manifest is a JSON object (Apollo's or Relay's)")
    if "format" not in manifest:
        entries = _relay_entries(manifest)
    elif manifest["format"] == APOLLO_FORMAT:
        entries = _apollo_entries(manifest)
    else:
        raise ManifestInvalid(f"unknown manifest format {str(manifest['format'])[:80]!r}")
    if len(entries) > MAX_OPERATIONS:
        raise ManifestInvalid(f"a manifest holds at most {MAX_OPERATIONS} operations")
    return [_document(client, entry, schema, max_document_chars, max_tokens) for entry in entries]


def _apollo_entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    if manifest.get("version") != 1 or type(manifest.get("version")) is not int:
        raise ManifestInvalid("an Apollo manifest of version 1 is needed")
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ManifestInvalid("an Apollo manifest's `operations` is a list")
    entries = []
    for index, operation in enumerate(operations[: MAX_OPERATIONS + 1]):
        if not isinstance(operation, dict) or not all(
            isinstance(operation.get(k), str) for k in ("id", "name", "type", "body")
        ):
            raise ManifestInvalid(
                f"operation {index}: needs the strings `id`, `name`, `type` and `body`"
            )
        if len(operation["id"]) != 64:
            raise ManifestInvalid(f"operation {index}: an Apollo id is a SHA-256 (64 hex digits)")
        entries.append(operation)
    return entries


def _relay_entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    entries = []
    for document_id, body in list(manifest.items())[: MAX_OPERATIONS + 1]:
        if not isinstance(body, str):
            raise ManifestInvalid(f"{document_id[:80]!r}: a Relay manifest maps ids to texts")
        if len(document_id) not in RELAY_HASHES:
            raise ManifestInvalid(
                f"{document_id[:80]!r}: a Relay id is an MD5, SHA1 or SHA256 in hex"
            )
        entries.append({"id": document_id, "name": None, "type": None, "body": body})
    return entries


def _document(
    client: str,
    entry: dict[str, Any],
    schema: GraphQLSchema,
    max_document_chars: int,
    max_tokens: int,
) -> PersistedDocument:
    document_id, body = entry["id"], entry["body"]
    label = f"operation {document_id[:MAX_DOCUMENT_ID]!r}"
    why = unstorable(body) or unstorable(document_id)
    if why is not None:
        raise ManifestInvalid(f"{label}: holds {why}")
    if not set(document_id) <= HEX:
        raise ManifestInvalid(f"{label}: an id is lower-case hexadecimal")
    digest = RELAY_HASHES[len(document_id)](body.encode("utf-8")).hexdigest()
    if digest != document_id:
        raise ManifestInvalid(f"{label}: the id is not the hash of its body")
    if len(body) > max_document_chars:
        raise ManifestInvalid(f"{label}: longer than {max_document_chars} characters")
    try:
        parsed = parse(body, max_tokens=max_tokens)
    except GraphQLError as error:
        raise ManifestInvalid(f"{label}: does not parse: {error.message}") from None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise ManifestInvalid(f"{label}: a document holds exactly one operation")
    operation = operations[0]
    name = operation.name.value if operation.name is not None else None
    kind = operation.operation.value
    if entry["type"] is not None and (entry["type"] != kind or entry["name"] != name):
        raise ManifestInvalid(f"{label}: the manifest says {entry['type']} {entry['name']}")
    if name is not None and len(name) > MAX_NAME:
        raise ManifestInvalid(f"{label}: an operation name is at most {MAX_NAME} characters")
    errors = validate(schema, parsed)
    if errors:
        raise ManifestInvalid(f"{label}: does not validate: {errors[0].message}")
    sha256 = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return PersistedDocument(client, document_id, sha256, name, kind, body)
