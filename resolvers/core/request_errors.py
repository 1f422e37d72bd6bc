"""Codes for mistakes in a whole GraphQL request (not in one field's arguments), and how to tag
the errors graphql-core raises for them, so clients get `extensions.code` on every refusal."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from graphql import GraphQLError


class RequestErrorCode(StrEnum):
    """`extensions.code` of request errors: the request was refused before execution (or, for
    TIMEOUT and RESPONSE_TOO_LARGE, its result was). Listed with their HTTP statuses in
    docs/api.md."""

    JSON_INVALID = "json_invalid"
    """The body (or a `variables`/`extensions` parameter) is not UTF-8 JSON within limits."""
    BAD_REQUEST = "bad_request"
    """Not a well-formed GraphQL request: no `query` string, parameters of the wrong type."""
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    DOCUMENT_TOO_LARGE = "document_too_large"
    """The document has more characters or tokens than the server parses."""
    GRAPHQL_PARSE_FAILED = "graphql_parse_failed"
    GRAPHQL_VALIDATION_FAILED = "graphql_validation_failed"
    OPERATION_NOT_FOUND = "operation_not_found"
    """GetOperation failed: `operationName` names no operation, or several and no name."""
    OPERATION_NOT_SUPPORTED = "operation_not_supported"
    """A subscription over plain HTTP, or a mutation by GET."""
    BAD_USER_INPUT = "bad_user_input"
    """Variables that cannot be coerced to their declared types (or text UTF-8 cannot hold)."""
    TIMEOUT = "timeout"
    """The operation ran past the server's time limit and was cancelled."""
    RESPONSE_TOO_LARGE = "response_too_large"
    """The result, encoded, is larger than the server sends."""
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    """Apollo APQ: a hash without its text, and the server does not know it (HTTP 200: the
    client resends it with the text). Apollo's spelling, which Apollo Client matches."""
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    """Apollo APQ: persisted queries are switched off (HTTP 200: the client stops hashing)."""
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    """Trusted documents: the hash is not a registered document (Apollo Router's code)."""
    QUERY_NOT_IN_SAFELIST = "QUERY_NOT_IN_SAFELIST"
    """Trusted documents: the text is not a registered document (Apollo Router's code)."""
    PERSISTED_DOCUMENTS_UNAVAILABLE = "persisted_documents_unavailable"
    """Trusted documents: the registered documents cannot be read now (HTTP 503, Retry-After);
    the document may well be registered."""
    PERSISTED_QUERY_INVALID = "persisted_query_invalid"
    """The `persistedQuery` extension is not `{"version": 1, "sha256Hash": <64 hex>}`."""
    PERSISTED_QUERY_VERSION_NOT_SUPPORTED = "persisted_query_version_not_supported"
    """The `persistedQuery` extension's `version` is not 1."""
    PERSISTED_QUERY_HASH_MISMATCH = "persisted_query_hash_mismatch"
    """The text sent with a hash does not have that SHA-256."""


PARSE_FAILURES = frozenset(
    {RequestErrorCode.GRAPHQL_PARSE_FAILED, RequestErrorCode.DOCUMENT_TOO_LARGE}
)
"""Codes answered with HTTP 400 under application/graphql-response+json; other request
errors get 422 (GraphQL-over-HTTP, "Status Codes")."""

TOO_MANY_TOKENS = "Document contains more than"
"""How graphql-core's parser starts the message of its `max_tokens` refusal."""


def code_of(error: GraphQLError) -> str | None:
    """The error's `extensions.code`, if it has one."""
    extensions = error.extensions or {}
    code = extensions.get("code")
    return code if isinstance(code, str) else None


def tag(errors: Iterable[GraphQLError], code: RequestErrorCode) -> None:
    """Give every error without a code `code` (errors already coded keep theirs)."""
    for error in errors:
        if code_of(error) is None:
            error.extensions = {**(error.extensions or {}), "code": code.value}


def request_error(code: RequestErrorCode, message: str) -> GraphQLError:
    """A GraphQL error for a refused request, carrying `code`."""
    return GraphQLError(message, extensions={"code": code.value})
