"""Request bodies as strict JSON (UTF-8, no NaN, no lone surrogates, bounded nesting), decoded
before anything else looks at them; `graph.request_body` reads them within their limit."""

from __future__ import annotations

import numpy as np
import orjson

from graph.errors import CivicGraphError


class JsonInvalid(CivicGraphError):
    """The bytes are not JSON as GraphQL over HTTP takes it: HTTP 400."""


_BRACKETS = np.zeros(256, dtype=np.int8)
_BRACKETS[[ord("["), ord("{")]] = 1
_BRACKETS[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in the JSON text `data`, read from its bytes
    with numpy (a few ms a MiB, whatever its shape) rather than by walking parsed values, which
    took 1.5 s of the event loop for 1 MiB of `{}`.

    A quote ends or starts a string unless an odd run of backslashes precedes it; brackets
    inside strings do not count. For text that is not JSON the figure means nothing (the parse
    refuses it anyway).
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    if raw.size == 0:
        return 0
    positions = np.arange(raw.size)
    backslash = raw == _BACKSLASH
    # index of the last byte that is not a backslash, at or before each position
    last_other = np.maximum.accumulate(np.where(backslash, -1, positions))
    quotes = np.flatnonzero(raw == _QUOTE)
    run = quotes - 1 - last_other[np.maximum(quotes - 1, 0)]
    run[quotes == 0] = 0
    toggles = np.zeros(raw.size, dtype=np.int32)
    toggles[quotes[run % 2 == 0]] = 1
    outside = np.cumsum(toggles) % 2 == 0
    steps = np.where(outside, _BRACKETS[raw], 0).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def decode_json(data: bytes | str, max_depth: int) -> object:
    """The JSON value of `data`. Raises JsonInvalid for bytes that are not UTF-8, text that is
    not JSON (NaN and Infinity are not), strings with a lone UTF-16 surrogate (RFC 8259 §8.2:
    not text any database or hash here takes) and arrays/objects nested deeper than
    `max_depth` (orjson itself stops at 1024, before Python's recursion limit)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if nesting_depth(raw) > max_depth:  # before parsing: no objects are built for it
        raise JsonInvalid(f"the JSON nests deeper than {max_depth} levels")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise JsonInvalid(f"not JSON: {error}") from None
