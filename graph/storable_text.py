"""Text the stores can hold, the one test every door applies to text from outside.

Two things a Python `str` can carry that no store here takes: a lone UTF-16 surrogate (JSON's
`"\\ud800"`, GraphQL variables), which is not Unicode text and which UTF-8 cannot encode
(RFC 3629 §3), so no driver, hash or JSON encoder takes it; and U+0000 (NUL), which
PostgreSQL's `text` and `jsonb` cannot hold (PostgreSQL 16 docs §8.3, §8.14) while SQLite
would, so the backends would disagree. Checked where text enters (GraphQL variables and
literals, Open311 fields, ingest, the credential and poll services), both become typed errors.
"""

from __future__ import annotations

NUL = "a NUL character (U+0000)"
SURROGATE = "a lone UTF-16 surrogate"


def unstorable(text: str) -> str | None:
    """Why the stores cannot hold `text` (`NUL` or `SURROGATE`, as words for a message), or
    None when they can."""
    if "\x00" in text:
        return NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE
    return None


def storable(*texts: object) -> bool:
    """True when every argument is a str the stores can hold (see `unstorable`)."""
    return all(isinstance(text, str) and unstorable(text) is None for text in texts)


def unstorable_in(value: object) -> tuple[str, str] | None:
    """The first string in `value` (a JSON-like tree of dicts, lists and scalars; dict keys
    too) the stores cannot hold, as (path, why), e.g. ("input.notes", NUL); None when there is
    none. A key that is itself unstorable is named `?` in the path. Iterative, so any depth."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            why = unstorable(item)
            if why is not None:
                return path or "value", why
        elif isinstance(item, dict):
            for key, member in item.items():
                name = key if isinstance(key, str) and unstorable(key) is None else "?"
                where = f"{path}.{name}" if path else name
                stack.append((where, member))
                if name == "?" and isinstance(key, str):
                    stack.append((where, key))
        elif isinstance(item, list | tuple):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return None
