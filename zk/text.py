"""Text from outside: GraphQL strings and JSON may hold lone surrogates, which no database
driver or hash can encode. Checked where text enters, so they become typed errors."""

from __future__ import annotations


def encodable(*texts: object) -> bool:
    """True when every argument is a str that UTF-8 can encode."""
    for text in texts:
        if not isinstance(text, str):
            return False
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True
