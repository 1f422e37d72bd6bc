"""Filter inputs of the data catalogue."""

from __future__ import annotations

import strawberry


@strawberry.input
class DatasetFilter:
    theme: list[str] | None = strawberry.UNSET
    publisher: list[str] | None = strawberry.UNSET
