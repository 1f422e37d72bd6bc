"""Numbers read from text that users send (form fields, headers), strictly: ASCII digits in the
JSON number grammar only. Python's `float` and `int` also take `3_7.5`, `١٢`, ` 1e3 `, `nan`
and `infinity`, and `str.isdigit` takes `²`, which `int` then refuses."""

from __future__ import annotations

import re

DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
"""A JSON number (RFC 8259 §6), ASCII only."""
LENGTH = re.compile(r"[0-9]{1,19}")
"""A `Content-Length` (RFC 9110 §8.6: `1*DIGIT`), at most 19 digits (a signed 64-bit size)."""


def parse_decimal(text: str) -> float | None:
    """The number `text` writes in the JSON number grammar, or None if it writes none (or
    one too large for a float)."""
    if DECIMAL.fullmatch(text) is None:
        return None
    number = float(text)
    return number if number not in (float("inf"), float("-inf")) else None


def parse_length(text: str) -> int | None:
    """The byte count a `Content-Length` value declares, or None if it is not 1-19 ASCII
    digits."""
    return int(text) if LENGTH.fullmatch(text) else None
