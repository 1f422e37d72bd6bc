"""One GraphQL execution per subscription event, shared by every subscriber asking the same.

With thousands of clients on one gu and data type, each event used to be executed once per
subscriber by graphql-core (about 0.7 ms each, most of a push's cost). The result only depends
on the operation, its variables and the event, so an executor remembers the last results by
that key: the first subscriber's execution answers the others. Every subscriber still gets its
own push; only identical work is shared. Only event types that declare
`SHARED_WITH_EVERY_SUBSCRIBER = True` are shared: none of their fields may depend on who asks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, ClassVar, cast

from graphql.execution import ExecutionResult

from resolvers.core.leaf_fields import PlainLeafExecutor

MARK = "SHARED_WITH_EVERY_SUBSCRIBER"
MAX_ENTRIES = 4096


class SharedEventExecutor(PlainLeafExecutor):
    results: ClassVar[OrderedDict[tuple[int, str, str, str], tuple[Any, ExecutionResult]]] = (
        OrderedDict()
    )
    executions: ClassVar[int] = 0
    """Executions actually run for shareable events (for tests and the benchmark)."""

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
