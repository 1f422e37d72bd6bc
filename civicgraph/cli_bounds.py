"""Bounds on every text argument and option of every `civicgraph` command, applied once by the
root group: given text is non-empty, at most MAX_TEXT characters and free of control characters,
else a usage error (exit 2). Numbers carry their own Typer `min=`/`max=`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer._click import Command, Context, Parameter  # typer >= 0.29 vendors Click
from typer._click.core import ParameterSource

MAX_INT64 = 2**63 - 1
"""Largest count, index or seed an option takes: what SQLite and PostgreSQL integers hold."""
MAX_DAYS = 36_500
"""Longest span in days an option takes (a century): dates stay inside Python's calendar."""
MAX_TEXT = 4_096
"""Characters in one text argument or option (names, ids, URLs, reasons, and the text of a QR
code: at most 2,953 bytes). Stores bound their own fields more tightly (a key's name)."""
MAX_PATH = 4_096
"""Characters in a file path (Linux's PATH_MAX)."""
GIVEN = frozenset(
    {ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT, ParameterSource.PROMPT}
)
"""Where a value came from for it to be checked: a default is the program's own."""


def checked_text(value: str, limit: int = MAX_TEXT) -> str:
    """`value` if it is non-blank text of at most `limit` characters without control characters
    (Unicode category Cc: NUL, newlines, escapes). Raises typer.BadParameter (exit 2)."""
    if not value.strip():
        raise typer.BadParameter("must not be empty")
    if len(value) > limit:
        raise typer.BadParameter(f"must be at most {limit:,} characters")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise typer.BadParameter("must not contain control characters")
    return value


def _bounded(previous: Callable[..., Any] | None) -> Callable[[Context, Parameter, Any], Any]:
    def check(ctx: Context, param: Parameter, value: Any) -> Any:
        source = ctx.get_parameter_source(param.name) if param.name else None
        if source in GIVEN:
            for item in value if isinstance(value, list | tuple) else (value,):
                if isinstance(item, str):
                    checked_text(item)
                elif isinstance(item, Path):
                    checked_text(str(item), MAX_PATH)
        return previous(ctx, param, value) if previous is not None else value

    return check


def bound_text_parameters(command: Command) -> None:
    """Give every parameter of `command` and its subcommands (recursively) the text check,
    before any callback of its own. Numbers and choices are left to their Click types."""
    for param in command.params:
        param.callback = _bounded(param.callback)
    for sub in getattr(command, "commands", {}).values():
        bound_text_parameters(sub)
