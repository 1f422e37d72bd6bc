"""The two websocket protocols with every input mistake answered in the protocol's own terms.

graphql-transport-ws (enisdenjo/graphql-ws, PROTOCOL.md): a frame that is not a JSON object
with a known `type`, a `subscribe` without an id and a payload holding a `query` string, a
document that does not parse, is too large, or names no operation to run: close 4400 (Bad
request). Validation, variable and execution errors of one operation: its `error` message.

Legacy graphql-ws (apollographql/subscriptions-transport-ws, PROTOCOL.md): queries and mutations
run too (`data` then `complete`); a frame that is not JSON gets `connection_error`, an unknown
`type` or a `start` without a good payload an `error` for that id; the socket stays open.

On both: the persisted-documents policy holds as over HTTP (a trusted deployment runs only
registered documents: anything else is refused as a bad request, 4400 or an `error`); each
operation message counts against the caller's quota once parsed (an `error`
coded `rate_limited` when over), a query or mutation runs within the HTTP time limit (an
`error` coded `timeout`), and every message is encoded as HTTP answers are: in slices, with a
result over the response limit replaced by a `response_too_large` error (see `results`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected as ClosedSocket
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import OperationMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError

from civicgraph.graphql_door.http import is_request_error
from civicgraph.graphql_door.refusal import Refusal
from civicgraph.graphql_door.results import encode_message, timed_out
from civicgraph.graphql_door.shared_feeds import LEGACY_WS_DATA, TRANSPORT_WS_NEXT
from civicgraph.graphql_door.ws_operations import (
    count_operation,
    next_result,
    over_quota,
    time_limit,
)
from graph.records.api_keys import Tier
from resolvers.core.context import Context
from resolvers.core.operation_guard import get_operation, parse_document
from resolvers.core.request_errors import RequestErrorCode, request_error
from resolvers.core.shared_events import SHARED_FEED

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

    from civicgraph.graphql_door.view import CivicGraphQL

MAX_CLOSE_REASON = 123
"""RFC 6455 §5.5: a close frame's body is at most 125 bytes, 2 of them the code."""

MAX_OPERATION_ID_CHARS = 128
"""The longest operation `id` taken. Every message of an operation repeats its id, each push of a
subscription included: a 64 KiB id would make every push of a small reading 64 KiB to build and
send. Clients use a UUID (graphql-ws) or a counter (subscriptions-transport-ws)."""


def is_operation_id(value: object) -> bool:
    """Whether `value` can be an operation's `id`: a string of at most MAX_OPERATION_ID_CHARS
    characters."""
    return isinstance(value, str) and len(value) <= MAX_OPERATION_ID_CHARS


def operation_id_problem(kind: str, value: object) -> str | None:
    """Why `value` cannot be the `id` of a `kind` message (`subscribe`, `start`, `stop`), or
    None when it can (`is_operation_id`)."""
    if not isinstance(value, str):
        return f"a {kind} needs a string `id`"
    if not is_operation_id(value):
        return f"a {kind}'s `id` is at most {MAX_OPERATION_ID_CHARS} characters"
    return None


def close_reason(text: str) -> str:
    """`text` cut to what a close frame can carry (whole UTF-8 characters)."""
    encoded = text.encode("utf-8", "replace")[:MAX_CLOSE_REASON]
    return encoded.decode("utf-8", "ignore")


class WebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, with close reasons cut to fit a close frame (a longer one made
    the server drop the socket without a close code), messages encoded by `results`
    (sliced, within the response limit) instead of in one blocking call, and a send to a
    socket already closed (by either side) reported as Strawberry's `WebSocketDisconnected`."""

    async def close(self, code: int, reason: str) -> None:
        await super().close(code, close_reason(reason))

    async def send_json(self, message: Mapping[str, object]) -> None:
        view = cast("CivicGraphQL", self.view)
        encoded = await encode_message(message, view.limits.max_response_bytes)
        try:
            await self.ws.send_text(encoded.decode())
        except (WebSocketDisconnect, ClosedSocket) as exc:
            raise WebSocketDisconnected from exc


def _subscribe_payload_problem(payload: object) -> str | None:
    """Why a subscribe/start payload is not a GraphQL request, or None if it is one."""
    if not isinstance(payload, dict):
        return "the payload must be an object"
    if not isinstance(payload.get("query"), str):
        return "the payload needs a `query` string"
    if payload.get("operationName") is not None and not isinstance(payload["operationName"], str):
        return "`operationName` must be a string or null"
    for name in ("variables", "extensions"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"`{name}` must be an object or null"
    return None


def check_document(view: CivicGraphQL, payload: Mapping[str, Any]) -> str | None:
    """Why the payload's document cannot run (too long, not parsed, GetOperation failed),
    checked before Strawberry sees it; None when it can."""
    query: str = payload["query"]
    if len(query) > view.limits.max_document_chars:
        return f"the document is longer than {view.limits.max_document_chars} characters"
    try:
        get_operation(
            parse_document(query, view.limits.max_tokens), payload.get("operationName") or None
        )
    except GraphQLError as error:
        return error.message
    return None


async def persisted_problem(
    view: CivicGraphQL, tier: Tier, payload: Mapping[str, Any]
) -> str | GraphQLError | None:
    """Why the deployment's persisted-documents policy refuses the payload's document (a
    trusted deployment runs only registered documents; a hash must be its text's), as
    `<code>: <message>`; None when it may run. Over websockets the text is always sent (no
    client sends a hash alone there), so nothing is looked up in the APQ store or stored.

    When the registered documents cannot be read now (HTTP's 503), the refusal is this
    operation's coded error (`persisted_documents_unavailable`, `retryAfter`), not a bad
    message: the socket stays open and the client may subscribe again."""
    try:
        await view.persisted.resolve(payload["query"], payload.get("extensions"), tier)
    except Refusal as refusal:
        if refusal.status < 500:
            return f"{refusal.code.value}: {refusal}"
        error = request_error(refusal.code, str(refusal))
        if retry := refusal.headers.get("retry-after"):
            error.extensions = {**(error.extensions or {}), "retryAfter": int(retry)}
        return error
    return None


async def checked_payload(
    view: CivicGraphQL, context: Context, payload: Mapping[str, Any]
) -> str | GraphQLError | None:
    """Why a subscribe/start payload (already a GraphQL request) cannot run: the persisted
    documents policy, then the document itself; None when it can (then it is counted). A
    string is a bad message; a GraphQLError refuses this operation only (retry later)."""
    problem = await persisted_problem(view, context.tier, payload) or check_document(view, payload)
    if problem is None:
        count_operation(context, view.limits, payload)
    return problem


def offer_shared_feed(
    view: CivicGraphQL,
    websocket: object,
    context: Context,
    operation_id: str,
    request: Mapping[str, Any],
    *,
    legacy: bool = False,
) -> None:
    """In an operation's task: offers the operation to its group of subscribers asking the
    same (`shared_feeds`), framed in its protocol's result message, for `feed` to take up."""
    socket = cast("WebSocketAdapter", websocket).ws
    start = LEGACY_WS_DATA if legacy else TRANSPORT_WS_NEXT
    SHARED_FEED.set(view.shared_feeds.offer(socket, context, operation_id, start, request))


def _refused_first(result: object) -> list[GraphQLError] | None:
    """The errors of a first result that refuses the operation before it ran, else None."""
    if isinstance(result, PreExecutionError) or (
        isinstance(result, ExecutionResult) and is_request_error(result)
    ):
        return list(result.errors or []) or None
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, refusing malformed messages with 4400 instead of crashing."""

    view: CivicGraphQL

    async def handle_task_exception(self, error: Exception) -> None:
        """An operation's task failed: logged with its traceback, unless the client had only
        gone (its `complete` could not be sent), which is no fault and, for thousands of
        clients leaving at once, thousands of tracebacks."""
        if not isinstance(error, WebSocketDisconnected):
            await super().handle_task_exception(error)

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.handle_invalid_message("a message must be an object with a string `type`")
            return
        if message["type"] == "subscribe":
            problem: str | GraphQLError | None = operation_id_problem(
                "subscribe", message.get("id")
            ) or _subscribe_payload_problem(message.get("payload"))
            if problem is None and self.connection_acknowledged:
                if (refused := await over_quota(self.context)) is not None:
                    frame = {"type": "error", "id": message["id"], "payload": [refused.formatted]}
                    await self.send_message(cast("Any", frame))
                    return
                problem = await checked_payload(self.view, self.context, message["payload"])
            if isinstance(problem, GraphQLError):
                frame = {"type": "error", "id": message["id"], "payload": [problem.formatted]}
                await self.send_message(cast("Any", frame))
                return
            if problem is not None:
                await self.handle_invalid_message(problem)
                return
        await super().handle_message(cast("Any", message))

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, in a task that offers a live subscription to its group (shared_feeds)."""
        request = {
            "query": operation.query,
            "operationName": operation.operation_name,
            "variables": operation.variables,
        }
        offer_shared_feed(self.view, self.websocket, self.context, operation.id, request)
        await super().run_operation(operation)

    async def _send_result_stream(
        self, operation: Operation[Context, None], result_source: StreamResult
    ) -> None:
        seconds = time_limit(self.view.limits, operation.query, operation.operation_name)
        first = True
        while True:
            try:
                result = await next_result(result_source, seconds)
            except TimeoutError:
                assert seconds is not None
                await operation.send_initial_errors([timed_out(seconds)])
                return
            if result is None:
                return
            if first and (errors := _refused_first(result)) is not None:
                await operation.send_initial_errors(errors)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            await operation.send_next(result)
            first = False


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy graphql-ws: runs queries and mutations as well, answers every bad frame."""

    view: CivicGraphQL

    async def handle(self) -> None:
        try:
            while True:
                try:
                    async for message in self.websocket.iter_json():
                        await self.handle_message(cast("OperationMessage", message))
                    break
                except NonJsonMessageReceived:
                    frame = {"type": "connection_error", "payload": {"message": "not JSON"}}
                    await self.send_message(cast("OperationMessage", frame))
        except NonTextMessageReceived:
            await self.websocket.close(code=1002, reason="WebSocket message type must be text")
        except WebSocketDisconnected:
            pass
        finally:
            if self.keep_alive_task:
                self.keep_alive_task.cancel()
                with suppress(BaseException):
                    await self.keep_alive_task
            await self.cleanup()

    async def _send_error(self, operation_id: object, message: str) -> None:
        error = request_error(RequestErrorCode.BAD_REQUEST, message)
        frame: dict[str, object] = {"type": "error", "payload": error.formatted}
        if isinstance(operation_id, int) or is_operation_id(operation_id):
            frame["id"] = str(operation_id)
        await self.send_message(cast("OperationMessage", frame))

    async def handle_message(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._send_error(None, "a message must be an object with a string `type`")
            return
        kind = message["type"]
        if kind in ("connection_init", "connection_terminate"):
            await super().handle_message(cast("Any", message))
            return
        if kind not in ("start", "stop"):
            await self._send_error(message.get("id"), f"unknown message type {kind!r}")
            return
        if (id_problem := operation_id_problem(kind, message.get("id"))) is not None:
            await self._send_error(None, id_problem)
            return
        if kind == "start":
            refused = await over_quota(self.context) if self.connection_acknowledged else None
            if refused is not None:
                frame = {"type": "error", "id": message["id"], "payload": refused.formatted}
                await self.send_message(cast("OperationMessage", frame))
                return
            problem: str | GraphQLError | None = _subscribe_payload_problem(message.get("payload"))
            if problem is None and self.connection_acknowledged:
                problem = await checked_payload(self.view, self.context, message["payload"])
            if isinstance(problem, GraphQLError):
                frame = {"type": "error", "id": message["id"], "payload": problem.formatted}
                await self.send_message(cast("OperationMessage", frame))
                return
            if problem is not None:
                await self._send_error(message["id"], problem)
                return
        await super().handle_message(cast("Any", message))

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        """As Strawberry's, but through `stream`, which runs queries and mutations too, and
        offering a live subscription to its group (shared_feeds)."""
        request = {"query": query, "operationName": operation_name, "variables": variables}
        offer_shared_feed(
            self.view, self.websocket, self.context, operation_id, request, legacy=True
        )
        try:
            result_source = await self.schema.stream(
                query=query,
                variable_values=variables,
                operation_name=operation_name,
                context_value=self.context,
                root_value=self.root_value,
            )
            self.subscriptions[operation_id] = result_source
            seconds = time_limit(self.view.limits, query, operation_name)
            first = True
            while True:
                try:
                    result = await next_result(result_source, seconds)
                except TimeoutError:
                    assert seconds is not None
                    error = timed_out(seconds).formatted
                    frame = {"type": "error", "id": operation_id, "payload": error}
                    await self.send_message(cast("OperationMessage", frame))
                    return
                if result is None:
                    break
                if first and (errors := _refused_first(result)) is not None:
                    await self.send_message(
                        cast(
                            "OperationMessage",
                            {"type": "error", "id": operation_id, "payload": errors[0].formatted},
                        )
                    )
                    return
                await self.send_data_message(cast("ExecutionResult", result), operation_id)
                first = False
            await self.send_message(
                cast("OperationMessage", {"type": "complete", "id": operation_id})
            )
        except asyncio.CancelledError:
            with suppress(WebSocketDisconnected):  # stopped by the client leaving: say nothing
                await self.send_message(
                    cast("OperationMessage", {"type": "complete", "id": operation_id})
                )
        except WebSocketDisconnected:
            pass  # the client went: nobody to tell, and no fault (no traceback per operation)
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)
