"""JSON documents the CLI reads from a file or stdin (certificate documents, ballots, proofs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from civicgraph.console import fail
from graph.storable_text import unstorable_in


def read_json(source: str | Path) -> Any:
    """The JSON document in the file `source`, or on stdin when `source` is "-". Raises
    typer.Exit (one error line, exit 1) for an unreadable file, text that is not UTF-8 or not
    JSON (NaN and Infinity are not; nor is an integer of over 4,300 digits), or a string the
    stores cannot hold (NUL, a lone surrogate: graph.storable_text)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        value = json.loads(text, parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError) as error:  # ValueError: JSON's, int()'s
        raise fail(f"cannot read {source} as JSON: {error}") from None
    found = unstorable_in(value)
    if found is not None:
        where, why = found
        raise fail(f"{source} holds {why} at {where}, which is not storable text")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")
