"""The rounding key on disk: 32 random bytes, made once, never replaced."""

from __future__ import annotations

from pathlib import Path

from graph.errors import CivicGraphError
from ledger.keys import load_secret
from resolvers.core.rounding import KEY_BYTES, RandomRounding


class RoundingKeyError(CivicGraphError):
    """The rounding key file exists but cannot be read or is not a key."""


def load_rounding(path: Path, *, create: bool = True) -> RandomRounding:
    """The random rounding keyed by the secret in `path`; the secret is made there if missing.

    A new key is written once with mode 0600 (`ledger.keys.write_once`), so two workers starting
    together agree on one. Raises RoundingKeyError for an unreadable file or one that does not
    hold exactly 32 bytes, and when the file is missing and `create` is False.
    """
    return RandomRounding(
        load_secret(path, KEY_BYTES, RoundingKeyError, "rounding key", create=create)
    )
