"""A key the API shows as text and the graph stores as a number: a resident's id.

A resident's id is `cz-` and 16 lowercase hex digits of a number in [0, 2**63), drawn at random
when the resident is made (`seeds.generator`). Both graph backends store that number (INT64)
instead of the text: LadybugDB's primary-key index of 9.6 M residents at scale 1.0 holds each
INT64 key in about 118 bytes against 199 for the 19-character text, and a relationship batch
from residents pages in half as much of it (bench/README.md, "Seeding memory").

Every id has the same prefix and width, so ids sort as their numbers do: keyset pages ordered
by the stored number are the pages ordered by the id. Text that is no well-formed id names no
resident: looked up, it becomes `NO_NODE`, a number no resident has; as a page's bound, it
becomes the bound on numbers that takes the same ids as the text would (`at_most`, `below`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import InvalidKey

NUMBERS = 2**63
"""Numbers are in [0, NUMBERS): non-negative INT64."""

NO_NODE = -1
"""What a key that is no well-formed id is looked up as: no node's number."""


@dataclass(frozen=True)
class NumberedKey:
    """Ids `prefix` + `digits` lowercase hex digits of a number in [0, 2**63)."""

    prefix: str
    digits: int = 16

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(f"{re.escape(self.prefix)}[0-7][0-9a-f]{{{self.digits - 1}}}")

    def shown(self, number: int) -> str:
        """The id of a stored number."""
        return f"{self.prefix}{number:0{self.digits}x}"

    def number(self, key: Any) -> int:
        """The number an id stands for. Raises InvalidKey if `key` is no well-formed id."""
        if not isinstance(key, str) or self._pattern.fullmatch(key) is None:
            raise InvalidKey(
                f"{key!r} is not an id of the form {self.prefix} and {self.digits} hex digits "
                "(0-7 first)"
            )
        return int(key[len(self.prefix) :], 16)

    def looked_up(self, key: Any) -> int:
        """The number to look `key` up by: its number, or NO_NODE if it is no well-formed id."""
        try:
            return self.number(key)
        except InvalidKey:
            return NO_NODE

    def at_most(self, key: str) -> int:
        """The largest number whose id sorts at or before `key`, -1 if none: the ids after
        `key` are the numbers above it."""
        return self._last(lambda shown: shown <= key)

    def below(self, key: str) -> int:
        """The largest number whose id sorts before `key`, -1 if none: the ids before `key`
        are the numbers up to it."""
        return self._last(lambda shown: shown < key)

    def _last(self, holds: Callable[[str], bool]) -> int:
        """The largest number whose id `holds`, -1 if none; `holds` is true of the ids up to
        some point in their order and false after (a binary search: ids sort as numbers)."""
        low, high = -1, NUMBERS - 1
        while low < high:
            middle = (low + high + 1) // 2
            if holds(self.shown(middle)):
                low = middle
            else:
                high = middle - 1
        return low

    def column(self, values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
        """A bulk load's key column as stored: numbers (INT64) as they are, ids converted.

        Raises InvalidKey for an id that is not well-formed, or a number outside [0, 2**63)."""
        if pa.types.is_integer(values.type):
            bounds = pc.min_max(values).as_py()
            low, high = bounds["min"], bounds["max"]
            if values.null_count or (low is not None and (low < 0 or high >= NUMBERS)):
                raise InvalidKey(f"a {self.prefix} key column of numbers outside [0, 2**63)")
            return values.cast(pa.int64())
        return pa.array([self.number(key) for key in values.to_pylist()], pa.int64())
