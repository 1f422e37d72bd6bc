"""`/graphql/check` on a subgraph server: what the merged server would refuse before running an
operation, for a federation gateway to ask once per client operation before it plans anything.

A gateway sends the client's request as it came (method, `Content-Type`, `Accept`, body or query
string, the key headers and X-Forwarded-For). The check applies the merged server's door and
every pre-execution limit to the WHOLE operation against the MERGED schema, with the same code:
the body and document limits of `GraphQLOverHTTP`, parse within the token limit, GetOperation,
validation with the depth and alias rules, selections and list lengths (`BoundedValidation`),
variable coercion, and the static cost and writes against the caller's tier (`QueryCost`, with
this server's list bounds). It executes nothing. A refusal is answered exactly as the merged
server's `/graphql` answers it (status, body, `extensions.cost` included); an operation that
passes gets 200 `{"data": null, "extensions": {"cost": {requested, budget, tier}}}`.
Subscriptions are checked too, as the merged server checks them at `subscribe`, when the gateway
says the operation came over a websocket (`x-civicgraph-transport: websocket`); over HTTP they
are refused `operation_not_supported` as on the merged server. A persisted query's hash is
resolved as on the merged server (persisted.py, this server's store), and a hash sent with its
text is stored once the check has validated it, so a gateway's client meets the same APQ
protocol (docs/api.md, "Persisted queries").
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from graphql import ExecutionResult as GraphQLExecutionResult
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperationType

from civicgraph.graphql_door.http import DoorLimits, GraphQLOverHTTP, GraphQLParams
from resolvers.core.shared_events import SharedEventExecutor
from resolvers.schema import MergedSchema

if TYPE_CHECKING:
    from collections.abc import Iterator

    from strawberry.types import ExecutionResult

    from civicgraph.graphql_door.view import CivicGraphQL
    from resolvers.core.context import Context

CHECK_PATH = "/graphql/check"
TRANSPORT_HEADER = "x-civicgraph-transport"
"""Set to WEBSOCKET by a gateway checking an operation its client sent over a websocket."""
WEBSOCKET = "websocket"
EVERY_OPERATION = frozenset(StrawberryOperationType)


class ExecuteNothing(SchemaExtension):
    """Stops an operation after every pre-execution step: an empty result takes the place of
    execution, unless an earlier extension already refused it (variables that do not coerce)."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.result is None:
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=None)
        yield


class CheckSchema(MergedSchema):
    """The merged schema with its extensions, and `ExecuteNothing` after them."""

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        return [*super().get_extensions(sync), ExecuteNothing()]


@functools.cache
def check_schema(max_tokens: int) -> CheckSchema:
    """The check's schema for a token limit, built once per process: the subgraph servers that
    one process hosts (`federation up` on LadybugDB: all seven) share it, as it holds no state of
    a request (building the merged schema takes 0.1-0.2 s)."""
    return CheckSchema(SharedEventExecutor, max_tokens)


class OperationCheck(GraphQLOverHTTP):
    """The ASGI endpoint of `CHECK_PATH`: `GraphQLOverHTTP` over `CheckSchema`."""

    def serves_subscriptions(self, request: Request) -> bool:
        """True for an operation a gateway received over a websocket (the TRANSPORT_HEADER
        says so); over HTTP a subscription is refused as the merged server's `/graphql`
        refuses it."""
        return request.headers.get(TRANSPORT_HEADER) == WEBSOCKET

    def __init__(self, view: CivicGraphQL, limits: DoorLimits) -> None:
        super().__init__(view, limits)
        self.schema = check_schema(limits.max_tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.answer(Request(scope, receive))
        await response(scope, receive, send)

    async def _execute(self, params: GraphQLParams, context: Context) -> ExecutionResult:
        return await self.schema.execute(
            params.query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types=EVERY_OPERATION,
            operation_extensions=params.extensions,
        )
