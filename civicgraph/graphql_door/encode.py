"""JSON encoding of results that never holds the event loop for long, and stops at a size limit.

Measured here (2 cores, 2026-11): orjson writes ~90-200 MB/s of a result made of coordinates
(the costly case: floats), i.e. ~4 ms for one 60 KB district list and ~70 ms for 6 MB. orjson
holds the GIL for the whole call, so running it in a worker thread does not help: the loop
waited 320 ms while a thread encoded 19 MB. So a large result is encoded in slices: containers
of more than SMALL_ITEMS nested items are split into their members, each member encoded on its
own, and the loop gets control back after every SLICE_BYTES written. A small result (most
answers: under SMALL_ITEMS items, found by a walk that stops early) is one orjson call (µs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import orjson

SMALL_ITEMS = 8192
"""Nested items (object members, array elements) a value may hold and still be encoded in one
orjson call: at ~20 bytes an item, ~160 KB, under SLICE_BYTES, so about 1-2 ms at the slowest
(floats). One gu's latest readings at scale 1.0 hold 5,424 (72 KB, 60 µs): splitting them
walked the tree once per level and cost more than encoding it."""
SLICE_BYTES = 256 * 1024
"""Bytes written between two returns to the event loop (a few milliseconds of encoding)."""


def _is_small(value: object, limit: int = SMALL_ITEMS) -> bool:
    """True when `value` holds at most `limit` nested items; stops counting past it. (A result
    is plain JSON from the executor: only exact dicts and lists nest.)"""
    if type(value) is not dict and type(value) is not list:
        return True
    count = 0
    stack: list[dict[str, object] | list[object]] = [value]
    while stack:
        item = stack.pop()
        members = item.values() if type(item) is dict else item
        count += len(members)
        if count > limit:
            return False
        for member in members:
            if type(member) is dict or type(member) is list:
                stack.append(member)
    return True


def _dumps(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        # integers past 64 bits (a JSON scalar's value); rare, and exact in the stdlib
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _pieces(value: object) -> Iterator[bytes]:
    if isinstance(value, dict) and not _is_small(value):
        yield b"{"
        for index, (key, member) in enumerate(value.items()):
            yield (b"," if index else b"") + _dumps(str(key)) + b":"
            yield from _pieces(member)
        yield b"}"
    elif isinstance(value, list) and not _is_small(value):
        yield b"["
        for index, member in enumerate(value):
            if index:
                yield b","
            yield from _pieces(member)
        yield b"]"
    else:
        yield _dumps(value)


async def encode_json(value: object, max_bytes: int) -> bytes | None:
    """`value` as compact UTF-8 JSON, or None as soon as it passes `max_bytes` bytes. Gives the
    event loop control back every SLICE_BYTES bytes while encoding a large value."""
    if _is_small(value):
        encoded = _dumps(value)
        return encoded if len(encoded) <= max_bytes else None
    parts: list[bytes] = []
    size = since_yield = 0
    for piece in _pieces(value):
        parts.append(piece)
        size += len(piece)
        since_yield += len(piece)
        if size > max_bytes:
            return None
        if since_yield >= SLICE_BYTES:
            since_yield = 0
            await asyncio.sleep(0)
    return b"".join(parts)
