"""The merged schema: every subgraph's fields in one GraphQL API, served by default."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, print_schema
from strawberry.types import ExecutionContext

from resolvers.composition import compose
from resolvers.core.civic_schema import (
    SCALAR_OVERRIDES,
    log_server_faults,
    schema_extensions,
)
from resolvers.core.enum_output import look_up_enum_results
from resolvers.core.operation_guard import DEFAULT_MAX_TOKENS
from resolvers.subgraphs import SUBGRAPHS, subgraph_schema


class MergedSchema(strawberry.federation.Schema):
    """The subgraphs composed in process (resolvers/composition.py), with the same extensions
    as each subgraph. Not itself a subgraph: no `_service`, no `_entities`."""

    def __init__(
        self, execution_context_class: type[Any] | None = None, max_tokens: int = DEFAULT_MAX_TOKENS
    ) -> None:
        parts = [
            (name, subgraph_schema(name, execution_context_class, max_tokens)) for name in SUBGRAPHS
        ]
        first = SUBGRAPHS[parts[0][0]]
        # Strawberry builds a schema from classes; the merged one is then put in its place.
        super().__init__(
            query=first.query,
            execution_context_class=execution_context_class,
            scalar_overrides=SCALAR_OVERRIDES,
            extensions=schema_extensions(max_tokens),
        )
        self.subgraphs = dict(parts)
        self._schema = compose([(name, part._schema) for name, part in parts])
        self._schema._strawberry_schema = self  # type: ignore[attr-defined]
        look_up_enum_results(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_server_faults(errors, execution_context, super().process_errors)

    def as_str(self) -> str:
        """The merged SDL (graphql-core's printer: no federation directives)."""
        return print_schema(self._schema)

    __str__ = as_str


def build_schema(
    execution_context_class: type[Any] | None = None, max_tokens: int = DEFAULT_MAX_TOKENS
) -> MergedSchema:
    """The merged schema; documents longer than `max_tokens` tokens are refused before they
    are parsed whole."""
    return MergedSchema(execution_context_class, max_tokens)
