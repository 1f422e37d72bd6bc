"""JSON documents the CLI reads from a file or stdin (certificate documents, ballots, proofs)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from civicgraph.console import fail
from graph.storable_text import unstorable_in


def read_json(source: str | Path) -> Any:
    """The JSON document in the file `source`, or on stdin when `source` is "-". Raises
    typer.Exit (one error line, exit 1) for an unreadable file, text that is not UTF-8 or not
    JSON (NaN and Infinity are not; nor is nesting past 1,024 levels), or a string the
    stores cannot hold (NUL, a lone surrogate: graph.storable_text)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        # orjson: stops at 1,024 levels (the stdlib's parser recurses in C, and py_ecc raises
        # the recursion limit to 100,000: deep enough to overflow the stack), refuses NaN
        value = orjson.loads(text)
    except (OSError, ValueError) as error:  # orjson's JSONDecodeError is a ValueError
        raise fail(f"cannot read {source} as JSON: {error}") from None
    found = unstorable_in(value)
    if found is not None:
        where, why = found
        raise fail(f"{source} holds {why} at {where}, which is not storable text")
    return value
