"""GraphQL over HTTP (graphql/graphql-over-http, draft of 2026-08): methods, content
negotiation, request parameters, status codes; bodies, documents, time and results within limits.

Statuses under `application/graphql-response+json`: 200 data without errors; 294 data (even
null) with errors; 400 body not JSON or document not parsed; 422 not a well-formed GraphQL
request, failed validation, no operation to run, variables not coerced; 405 mutation by GET or
another method; 406 nothing acceptable; 413 body too large; 415 not `application/json`. A
legacy client (`application/json`, a wildcard or no `Accept`) gets 200 for every well-formed
GraphQL request, as the spec said until its July 2026 revision: legacy clients treat other
statuses as transport failures and would lose the errors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType as StrawberryOperationType

from civicgraph.graphql_door.body import JsonInvalid, decode_json
from civicgraph.graphql_door.encode import encode_json
from civicgraph.graphql_door.negotiation import JSON, is_json_request, negotiate
from civicgraph.graphql_door.persisted import PersistedDocuments
from civicgraph.graphql_door.refusal import Refusal
from civicgraph.graphql_door.results import response_too_large, timed_out
from graph.records.api_keys import Tier
from graph.request_body import BodyTooLarge, LengthInvalid, read_body
from graph.usage import SCOPE_KEY, UsageMark
from resolvers.core.operation_guard import get_operation, parse_document
from resolvers.core.request_errors import (
    PARSE_FAILURES,
    RequestErrorCode,
    code_of,
    request_error,
)

if TYPE_CHECKING:
    from strawberry.types import ExecutionResult

    from civicgraph.graphql_door.view import CivicGraphQL
    from resolvers.core.context import Context

PARTIAL_SUCCESS = 294
"""GraphQL-over-HTTP, "Partial success": data (even null) with errors."""
ALLOWED = "GET, POST"


@dataclass(frozen=True)
class DoorLimits:
    """What one request may send and get (settings `CIVIC_GRAPHQL_*`, docs/security.md)."""

    max_body_bytes: int = 1024 * 1024
    """Largest POST body."""
    max_message_bytes: int = 64 * 1024
    """Largest websocket message: a message is parsed before its type is known, and pings are
    not counted against the quota, so each must stay cheap (1 MiB of `{}` is 60 ms of parsing)."""
    max_document_chars: int = 32 * 1024
    max_tokens: int = 5000
    max_json_depth: int = 32
    """Deepest nesting of arrays/objects in a body, `variables` or `extensions`."""
    max_response_bytes: int = 8 * 1024 * 1024
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class GraphQLParams:
    """A well-formed GraphQL-over-HTTP request's parameters."""

    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    remember: str | None = None
    """The SHA-256 under which to store `query` once it parsed and validated (Apollo APQ)."""


def _malformed(media: str, message: str) -> Refusal:
    # 422 says "well-formed JSON, not a GraphQL request"; legacy clients got 400 for it
    return Refusal(422 if media != JSON else 400, RequestErrorCode.BAD_REQUEST, message)


def _json_param(raw: str | None, name: str, max_depth: int) -> object:
    if raw is None or raw == "":
        return None
    try:
        return decode_json(raw.encode("utf-8", "surrogatepass"), max_depth)
    except JsonInvalid as error:
        raise Refusal(400, RequestErrorCode.JSON_INVALID, f"{name}: {error}") from None


async def _params(
    data: object, media: str, persisted: PersistedDocuments, tier: Tier
) -> GraphQLParams:
    if not isinstance(data, dict):
        raise _malformed(media, "the body must be a JSON object (batches are not supported)")
    if data.get("extensions") is not None and not isinstance(data["extensions"], dict):
        raise _malformed(media, "`extensions` must be an object or null")
    # the one place a document's text is taken from a request, GET or POST: a persisted
    # query's hash becomes its text here, before any check of the text (persisted.py)
    resolved = await persisted.resolve(data.get("query"), data.get("extensions"), tier)
    query = resolved.query
    if not isinstance(query, str):
        raise _malformed(media, "`query` must be a string holding a GraphQL document")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _malformed(media, "`operationName` must be a string or null")
    for name in ("variables", "extensions"):
        if data.get(name) is not None and not isinstance(data[name], dict):
            raise _malformed(media, f"`{name}` must be an object or null")
    return GraphQLParams(
        query,
        operation_name or None,
        data.get("variables"),
        data.get("extensions"),
        resolved.remember,
    )


async def request_params(
    request: Request, media: str, limits: DoorLimits, persisted: PersistedDocuments
) -> GraphQLParams:
    """The parameters of a GET (query string, GraphQL-over-HTTP §GET) or a POST (UTF-8 JSON
    body), a persisted query's hash resolved to its text (persisted.py). Raises Refusal: 415,
    413, 400 (not JSON), 422/400 (not a GraphQL request), and those of persisted queries."""
    tier = request.scope.get("state", {}).get("tier", Tier.PUBLIC)
    if request.method == "GET":
        query_params = request.query_params
        return await _params(
            {
                # an empty parameter counts as absent (docs/api.md): `?query=` is no query
                "query": query_params.get("query") or None,
                "operationName": query_params.get("operationName") or None,
                "variables": _json_param(
                    query_params.get("variables"), "variables", limits.max_json_depth
                ),
                "extensions": _json_param(
                    query_params.get("extensions"), "extensions", limits.max_json_depth
                ),
            },
            media,
            persisted,
            tier,
        )
    if not is_json_request(request.headers.get("content-type")):
        raise Refusal(
            415,
            RequestErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "send the request as Content-Type: application/json (UTF-8)",
        )
    try:
        body = await read_body(
            request.headers.get("content-length"), request.stream(), limits.max_body_bytes
        )
        data = decode_json(body, limits.max_json_depth)
    except BodyTooLarge as error:
        raise Refusal(413, RequestErrorCode.PAYLOAD_TOO_LARGE, str(error)) from None
    except (JsonInvalid, LengthInvalid) as error:
        raise Refusal(400, RequestErrorCode.JSON_INVALID, f"the body: {error}") from None
    return await _params(data, media, persisted, tier)


def _request_error_status(errors: list[GraphQLError]) -> int:
    return 400 if any(code_of(e) in PARSE_FAILURES for e in errors) else 422


INVALID_DOCUMENT = frozenset(
    {
        RequestErrorCode.GRAPHQL_PARSE_FAILED,
        RequestErrorCode.DOCUMENT_TOO_LARGE,
        RequestErrorCode.GRAPHQL_VALIDATION_FAILED,
        RequestErrorCode.OPERATION_NOT_FOUND,
    }
)
"""Codes of a document no persisted-query store keeps: it did not parse or validate."""


def _invalid_document(errors: list[GraphQLError]) -> bool:
    return any(code_of(e) in INVALID_DOCUMENT for e in errors)


def is_request_error(result: ExecutionResult) -> bool:
    """True when execution never started: no data, and every error is coded and has no path
    (parse, validation, GetOperation, variable coercion, cost)."""
    errors = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(code_of(e) is not None and e.path is None for e in errors)
    )


class GraphQLOverHTTP:
    """Answers one HTTP request to `/graphql` for `view` (the explorer page included)."""

    def serves_subscriptions(self, request: Request) -> bool:
        """False: a subscription is refused (`operation_not_supported`), it runs over a
        websocket."""
        return False

    def __init__(self, view: CivicGraphQL, limits: DoorLimits) -> None:
        self.view = view
        self.limits = limits
        self.persisted: PersistedDocuments = view.persisted

    async def answer(self, request: Request) -> Response:
        """The response to `request`; never raises for anything the client sent."""
        media = negotiate(request.headers.get("accept"))
        try:
            if request.method not in ("GET", "POST"):
                raise Refusal(
                    405,
                    RequestErrorCode.METHOD_NOT_ALLOWED,
                    "GraphQL is served by GET and POST",
                    {"allow": ALLOWED},
                )
            if (
                request.method == "GET"
                and "query" not in request.query_params
                and "text/html" in request.headers.get("accept", "")
            ):
                return await self.view.render_graphql_ide(request)
            if media is None:
                raise Refusal(
                    406,
                    RequestErrorCode.NOT_ACCEPTABLE,
                    "accept application/graphql-response+json or application/json",
                )
            params = await request_params(request, media, self.limits, self.persisted)
            return await self._run(request, params, media)
        except Refusal as refusal:
            body = {"errors": [request_error(refusal.code, refusal.message).formatted]}
            return await self._respond(body, refusal.status, media or JSON, refusal.headers)

    async def _run(self, request: Request, params: GraphQLParams, media: str) -> Response:
        errors = self._prepare(request, params)
        if errors:
            refused = 200 if media == JSON else _request_error_status(errors)
            return await self._respond({"errors": [e.formatted for e in errors]}, refused, media)
        sub_response = await self.view.get_sub_response(request)
        context = await self.view.get_context(request, sub_response)
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                result = await self._execute(params, context)
        except TimeoutError:
            error = timed_out(self.limits.timeout_seconds)
            return await self._respond({"data": None, "errors": [error.formatted]}, None, media)
        body: dict[str, Any] = {}
        if not is_request_error(result):
            body["data"] = result.data
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        if params.remember is not None and not _invalid_document(result.errors or []):
            await self.persisted.remember(params.remember, params.query)
        status: int | None = None
        if "data" not in body:
            status = 200 if media == JSON else _request_error_status(result.errors or [])
        return await self._respond(body, status, media, dict(sub_response.headers))

    async def _execute(self, params: GraphQLParams, context: Context) -> ExecutionResult:
        """Runs the operation on the view's schema (queries and mutations)."""
        return await self.view.schema.execute(
            params.query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types={
                StrawberryOperationType.QUERY,
                StrawberryOperationType.MUTATION,
            },
            operation_extensions=params.extensions,
        )

    def _prepare(self, request: Request, params: GraphQLParams) -> list[GraphQLError]:
        """Request errors found before execution: the document's size, parse, GetOperation
        (GraphQL spec §6.1); raises Refusal 405 for a mutation by GET."""
        if len(params.query) > self.limits.max_document_chars:
            return [
                request_error(
                    RequestErrorCode.DOCUMENT_TOO_LARGE,
                    f"the document is longer than {self.limits.max_document_chars} characters",
                )
            ]
        try:
            document = parse_document(params.query, self.limits.max_tokens)
            operation = get_operation(document, params.operation_name)
        except GraphQLError as error:
            return [error]
        usage = request.scope.get("state", {}).get(SCOPE_KEY)
        if isinstance(usage, UsageMark):  # counted under the operation's name
            usage.name(operation.name.value if operation.name else None)
        subscription = operation.operation is OperationType.SUBSCRIPTION
        if subscription and not self.serves_subscriptions(request):
            return [
                request_error(
                    RequestErrorCode.OPERATION_NOT_SUPPORTED,
                    "subscriptions are served over websockets (graphql-transport-ws)",
                )
            ]
        if operation.operation is OperationType.MUTATION and request.method == "GET":
            raise Refusal(
                405,
                RequestErrorCode.METHOD_NOT_ALLOWED,
                "a mutation is sent by POST",
                {"allow": "POST"},
            )
        return []

    async def _respond(
        self,
        body: dict[str, Any],
        status: int | None,
        media: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Encodes `body` (within the response limit, without stalling the loop). `status`
        None: an executed operation, 200 without errors, else 294 (200 for legacy clients)."""
        encoded = await encode_json(body, self.limits.max_response_bytes)
        if encoded is None:
            error = response_too_large(self.limits.max_response_bytes)
            body = {"data": None, "errors": [error.formatted]}
            encoded = await encode_json(body, self.limits.max_response_bytes) or b""
            status = PARTIAL_SUCCESS if media != JSON else 200
        elif status is None:
            status = PARTIAL_SUCCESS if body.get("errors") and media != JSON else 200
        extra = {
            name: value
            for name, value in (headers or {}).items()
            if name.lower() not in ("content-type", "content-length")
        }
        return Response(
            encoded,
            status_code=status,
            headers=extra,
            media_type=f"{media}; charset=utf-8",
        )
