"""One GraphQL execution per subscription event, shared by every subscriber asking the same.

Two levels. `SharedEventExecutor` remembers the last results by operation, variables and event,
so that subscribers still running their own stream (those resuming with `after`) execute each
event once between them. And a websocket door may offer a subscriber a `SharedFeed`: once
`feed` finds one for a live-only subscription, it hands the subscriber over, and the door's one
stream per operation and variables (a `FeedSource`) executes and encodes each event once and
writes the same payload to every subscriber of the group.

With thousands of clients on one gu and data type, each event used to be executed once per
subscriber by graphql-core (about 0.7 ms each, most of a push's cost). The result only depends
on the operation, its variables and the event, so an executor remembers the last results by
that key: the first subscriber's execution answers the others. Every subscriber still gets its
own push; only identical work is shared. Only event types that declare
`SHARED_WITH_EVERY_SUBSCRIBER = True` are shared: none of their fields may depend on who asks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, cast

from graphql import (
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql import get_named_type as named_type
from graphql.execution import ExecutionResult
from graphql.execution.executor import Executor

from resolvers.core.leaf_fields import PlainLeafExecutor

if TYPE_CHECKING:
    from subscriptions.fanout import Subscription
    from subscriptions.live import Live

MARK = "SHARED_WITH_EVERY_SUBSCRIBER"
MAX_ENTRIES = 4096


class SharedEventExecutor(PlainLeafExecutor):
    results: ClassVar[OrderedDict[tuple[int, str, str, str], tuple[Any, ExecutionResult]]] = (
        OrderedDict()
    )
    executions: ClassVar[int] = 0
    """Executions actually run for shareable events (for tests and the benchmark)."""

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        """graphql-core's, with a memo of collected subfields of its own. In 3.3.2 every
        event's executor shares the subscription's memo, keyed by the identity of field lists
        built anew for each event: it only grew, two entries an event, for as long as the
        subscription lived (a leak of every long-lived subscription)."""
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        payload = self.root_value
        if not getattr(type(payload), MARK, False):
            return super().execute_operation(serially)
        coerced: dict[str, Any] = cast(Any, self.variable_values).coerced
        variables = repr(sorted(coerced.items()))
        key = (id(self.operation), variables, type(payload).__name__, str(payload.id))
        found = self.results.get(key)
        if found is not None:
            self.results.move_to_end(key)
            return found[1]
        result = super().execute_operation(serially)
        SharedEventExecutor.executions += 1
        if isinstance(result, ExecutionResult) and not result.errors:
            # The operation node is kept with the result, so its id is not reused meanwhile.
            self.results[key] = (self.operation, result)
            if len(self.results) > MAX_ENTRIES:
                self.results.popitem(last=False)
        return result


def shares_every_event(schema: GraphQLSchema, operation: OperationDefinitionNode) -> bool:
    """True when `operation` is a subscription whose one root field, without directives, yields
    an event type marked `SHARED_WITH_EVERY_SUBSCRIBER`: its results are the same for every
    subscriber sending the same document and variables. Conservative: False otherwise."""
    root = schema.subscription_type
    selections = operation.selection_set.selections
    if operation.operation is not OperationType.SUBSCRIPTION or root is None:
        return False
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return False
    node = selections[0]
    field = root.fields.get(node.name.value)
    if field is None or node.directives:
        return False
    definition = named_type(field.type).extensions.get("strawberry-definition")
    return bool(getattr(getattr(definition, "origin", None), MARK, False))


def resume_variable(operation: OperationDefinitionNode) -> str | None:
    """The name of the variable the operation's root field takes its `after` (resume point)
    from, if any: subscribers differing only in it share a group (its stream never replays)."""
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for argument in selection.arguments or ():
                if argument.name.value == "after" and isinstance(argument.value, VariableNode):
                    return argument.value.name.value
    return None


class SharedFeed(ABC):
    """A door's offer, for one websocket operation, to deliver its live events from the one
    execution its group shares (same document, operation name and variables)."""

    @abstractmethod
    async def join(self, live: Live) -> None:
        """Delivers the group's events to this subscriber from now on, each pushed as this
        operation's result, until the subscriber leaves, is cut off as too slow (its connection
        closed with `subscriptions.live.CLOSE_TOO_SLOW` and where to resume), or the group's
        stream ends; returns then."""

    @abstractmethod
    def join_now(self, live: Live, after: int) -> bool:
        """For a subscriber sent every event up to `after`, with none waiting: joins its group
        at once (nothing published meanwhile is lost or sent twice) if the group's stream runs
        already, and returns True; `deliver` then does what `join` does. False otherwise."""

    @abstractmethod
    async def deliver(self) -> None:
        """After `join_now`: delivers as `join` does, until the subscriber leaves."""


class FeedSource(ABC):
    """The side of a group's one stream that `feed` reports to: when it is live, which event
    each result is, and when the stream fell behind (`cut_off`, called by `Live`)."""

    @abstractmethod
    def live(self, subscription: Subscription) -> None:
        """The stream's feed is registered as `subscription`: events published from now on
        reach it."""

    @abstractmethod
    def event(self, event_id: int) -> None:
        """The result executed next is the one of the event `event_id` (which came in the
        subscription's current `batch`)."""

    @abstractmethod
    def cut_off(self, resume_after: int) -> None:
        """The stream fell too far behind and ends: every subscriber is cut off, told to resume
        after its last event sent, or `resume_after` where it was sent none. Never blocks."""


SHARED_FEED: ContextVar[SharedFeed | FeedSource | None] = ContextVar("shared_feed", default=None)
"""Set by the door in an operation's task: what `feed` hands a subscriber to, or reports to."""
