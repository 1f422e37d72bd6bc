"""`Error`: the one GraphQL interface every domain's typed error implements (docs/api.md).

A mutation answers a user mistake or a refusal with a `<Domain>Error` member of its result
union (STYLE.md, Saleor's and Shopify's pattern); each of those types implements `Error`, so a
client handles every domain's refusals with one fragment: `... on Error { code field message }`.

`code` is a String in the interface, since GraphQL has no subtyping between enums: each
domain's codes are the names of its own `<Domain>ErrorCode` enum (upper snake case, e.g.
`NOT_FOUND`), which the domain's subgraph still publishes, and each error type's `code`
field says which enum. A domain type is built with its enum member (`code=Code.NOT_FOUND`);
the name is taken here, once.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry


@strawberry.interface(
    name="Error",
    description="A user mistake or a refusal, returned by a mutation instead of its result.",
)
class Error:
    code: str = strawberry.field(
        description="Why, as a name of the error type's code enum (e.g. NOT_FOUND)."
    )
    field: str | None = strawberry.field(
        description="The argument or input field at fault, in the API's spelling; null when "
        "the refusal is about the whole operation."
    )
    message: str = strawberry.field(description="What went wrong, for a person to read.")

    def __post_init__(self) -> None:
        """An enum member given as `code` becomes its name (StrEnum members are str, and their
        value is lower snake case: the name is what clients have always received)."""
        if isinstance(self.code, Enum):
            self.code = self.code.name


def code_field(enum_name: str) -> Any:
    """The `code` field of an error type whose codes are the names of GraphQL enum
    `enum_name` (the description names it, so a client can look the values up)."""
    return strawberry.field(description=f"Why, as the name of one of {enum_name}'s values.")
