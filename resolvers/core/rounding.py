"""Unbiased random rounding of published table cells, with one fixed draw per cell and count.

A cell whose true count is n = b*q + r (0 <= r < b) is published as b*(q+1) with probability r/b
and as b*q otherwise, so the published value is unbiased (its expectation is n) and always
within b-1 of n. The draw is not random per request: it is HMAC-SHA256 (RFC 2104) under a
per-deployment secret of the cell's id and its true count. Asking again gives the same value,
so averaging repeated answers learns nothing; without the key nobody can predict the draw.
This is the "random rounding to base 5" of official statistics (e.g. Statistics New Zealand,
the Australian Bureau of Statistics' TableBuilder), made repeatable by a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict
from collections.abc import Sequence

ROUNDING_BASE = 5
"""Published cells are multiples of this; a published value v means a true count in (v-5, v+5)."""

KEY_BYTES = 32
"""Length of a rounding key: 256 bits, the HMAC-SHA256 block's security."""

PUBLISHED_CACHE_SIZE = 131_072
"""Published values remembered per process: every cell of Seoul at scale 1.0 (467 dong x about
100 birth years, ~47,000) with room for the gu's cells of unknown dong or year (~10 MB)."""

CellId = Sequence[str | int | None]
"""A cell's coordinates, e.g. ("residents", gu, dong, birth year); the table name comes first."""


class RandomRounding:
    """Publishes table cells rounded to multiples of `base` with a keyed, repeatable draw.

    Requires a secret `key` of at least 16 bytes; ValueError otherwise. The key must be the same
    on every worker and kept for the life of the data: another key gives fresh draws, and two
    draws of one cell narrow its true count.
    """

    def __init__(self, key: bytes, base: int = ROUNDING_BASE) -> None:
        if len(key) < 16:
            raise ValueError("a rounding key has at least 16 bytes")
        if base < 2:
            raise ValueError("the rounding base is at least 2")
        self._key = key
        self.base = base
        self._published: OrderedDict[tuple[tuple[str | int | None, ...], int], int] = OrderedDict()

    def draw(self, cell: CellId, count: int) -> int:
        """The cell's fixed draw, uniform in [0, base): HMAC-SHA256(key, JSON([*cell, count])).

        The first 8 bytes of the MAC as a big-endian integer, reduced mod `base` (bias < 2^-60).
        """
        message = json.dumps([*cell, count], separators=(",", ":")).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") % self.base

    def publish(self, cell: CellId, count: int) -> int:
        """The published value of a cell whose true count is `count` (>= 0).

        A multiple of `base` within base-1 of `count`; `count` itself when it is a multiple.
        Requires count >= 0; ValueError otherwise. A pure function of (cell, count) under the
        key, so it is remembered (a bounded LRU of `PUBLISHED_CACHE_SIZE` values): an HMAC and
        a JSON encoding per cell and answer held the event loop 0.5 s for 30 aliases.
        """
        if count < 0:
            raise ValueError("a cell count is never negative")
        key = (tuple(cell), count)
        found = self._published.get(key)
        if found is not None:
            self._published.move_to_end(key)
            return found
        low, remainder = divmod(count, self.base)
        up = self.draw(cell, count) < remainder
        value = (low + up) * self.base
        self._published[key] = value
        if len(self._published) > PUBLISHED_CACHE_SIZE:
            self._published.popitem(last=False)
        return value
