"""A validation rule: no string literal of a document holds text the stores cannot hold.

Variables are checked when they are coerced (operation_guard); a literal (an argument, a
default value, a directive's argument) is part of the document, so it is checked with the
document, once per cached validation. graphql-core already refuses a lone surrogate escape
(`"\\ud800"`) as a syntax error; `"\\u0000"` and `"\\u{0}"` parse, to a NUL.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from graph.storable_text import unstorable


class StorableStringLiterals(ValidationRule):
    """Reports each string literal holding a NUL (or a lone surrogate), at its location."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        why = unstorable(node.value)
        if why is not None:
            self.report_error(
                GraphQLError(f"A string literal holds {why}, which is not storable text", node)
            )
