"""`/graphql`: Strawberry's ASGI view with our context, explorer, HTTP door and websocket
protocols (see `http` and `websockets`)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from civicgraph.explorer import Explorer
from civicgraph.graphql_door.apq_store import CacheBounds, MemoryDocuments
from civicgraph.graphql_door.body import JsonInvalid, decode_json
from civicgraph.graphql_door.http import DoorLimits, GraphQLOverHTTP
from civicgraph.graphql_door.persisted import PersistedDocuments
from civicgraph.graphql_door.shared_feeds import SharedFeeds
from civicgraph.graphql_door.websockets import LegacyWSHandler, TransportWSHandler, WebSocketAdapter
from civicgraph.persisted_mode import PersistedDocumentsMode
from resolvers.core.context import Context
from resolvers.core.shared_events import SharedEventExecutor
from resolvers.schema import build_schema
from resolvers.subgraphs import subgraph_schema


class CivicGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, our self-hosted explorer, GraphQL over HTTP as
    its spec says, and both websocket protocols refusing bad input in their own terms."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = WebSocketAdapter

    def __init__(
        self,
        state: Any,
        explorer: Explorer,
        limits: DoorLimits | None = None,
        subgraph: str | None = None,
        persisted: PersistedDocuments | None = None,
    ) -> None:
        """Serves the merged schema, or the one subgraph named `subgraph` (UnknownSubgraph).
        `persisted`: the persisted-documents policy; default APQ in this process's memory."""
        self.limits = limits or DoorLimits()
        self.persisted = persisted or PersistedDocuments(
            PersistedDocumentsMode.APQ, MemoryDocuments(CacheBounds())
        )
        max_tokens = self.limits.max_tokens
        schema = (
            subgraph_schema(subgraph, SharedEventExecutor, max_tokens)
            if subgraph is not None
            else build_schema(SharedEventExecutor, max_tokens)
        )
        super().__init__(schema, graphql_ide="graphiql")
        self.state = state
        self.explorer = explorer
        self.http = GraphQLOverHTTP(self, self.limits)
        self.shared_feeds = SharedFeeds(schema, max_tokens, self.limits.max_response_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = await self.http.answer(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context: Context = self.state.context_for(request)
        context.response = response
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        return await self.explorer.page(request)

    def decode_json(self, data: str | bytes) -> object:
        """A websocket message: strict JSON within the body limits (json.JSONDecodeError
        otherwise, which the protocol handlers answer). Its size in UTF-8 bytes is checked
        before anything parses it."""
        if _utf8_size(data) > self.limits.max_message_bytes:
            limit = self.limits.max_message_bytes
            message = f"payload_too_large: the message is over {limit} bytes"
            raise json.JSONDecodeError(message, "", 0)
        try:
            return decode_json(data, self.limits.max_json_depth)
        except JsonInvalid as error:
            raise json.JSONDecodeError(str(error), "", 0) from None

    def encode_json(self, data: object) -> str:
        """A websocket message, as text (graphql-ws clients read text frames)."""
        return orjson.dumps(data).decode()


def _utf8_size(data: str | bytes) -> int:
    """Bytes of `data` in UTF-8 (a lone surrogate counts 3, as `surrogatepass` writes it)."""
    if isinstance(data, bytes) or data.isascii():
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))
