"""The rounding key on disk: 32 random bytes, made once, never replaced."""

from __future__ import annotations

import secrets
from pathlib import Path

from graph.errors import CivicGraphError
from ledger.keys import write_once
from resolvers.core.rounding import KEY_BYTES, RandomRounding


class RoundingKeyError(CivicGraphError):
    """The rounding key file exists but cannot be read or is not a key."""


def load_rounding(path: Path, *, create: bool = True) -> RandomRounding:
    """The random rounding keyed by the secret in `path`; the secret is made there if missing.

    A new key is written once with mode 0600 (`ledger.keys.write_once`), so two workers starting
    together agree on one. Raises RoundingKeyError for an unreadable file or one that does not
    hold exactly 32 bytes, and when the file is missing and `create` is False.
    """
    if not path.exists():
        if not create:
            raise RoundingKeyError(f"no rounding key at {path}")
        write_once(path, secrets.token_bytes(KEY_BYTES))
    try:
        key = path.read_bytes()
    except OSError as error:
        raise RoundingKeyError(f"cannot read the rounding key at {path}: {error}") from None
    if len(key) != KEY_BYTES:
        raise RoundingKeyError(f"the rounding key at {path} is not {KEY_BYTES} bytes")
    return RandomRounding(key)
