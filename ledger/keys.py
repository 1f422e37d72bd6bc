"""The log's signing key on disk: created once, never replaced by a reseed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoint import Signer
from ledger.errors import LedgerError


def load_signer(path: Path, name: str, *, create: bool = True) -> Signer:
    """The Ed25519 key in `path` (PKCS#8 PEM) as the signer `name`; made there if missing.

    A new key is written once (`write_once`): two processes starting together agree on one.
    """
    if not path.exists():
        if not create:
            raise LedgerError(f"no log signing key at {path}")
        write_once(path, _new_pem())
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise LedgerError(f"cannot read the log signing key at {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerError(f"the log signing key at {path} is not an Ed25519 key")
    return Signer(name, key)


def _new_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_once(path: Path, secret: bytes) -> bool:
    """Write `secret` to `path` with mode 0600 unless the file exists; True if this call wrote it.

    The bytes go to a temporary file that is linked into place, so two processes starting
    together agree on one file (the first link wins) and a crash never leaves half a key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it first: keep theirs
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def load_secret(
    path: Path, size: int, error: type[Exception], name: str, *, create: bool = True
) -> bytes:
    """The `size` random bytes at `path`, made there (`write_once`, mode 0600) if missing.

    `name` says what the secret is in messages ("rounding key"). Raises `error` when the
    file is missing and `create` is False, cannot be read, or does not hold exactly `size`
    bytes.
    """
    if not path.exists():
        if not create:
            raise error(f"no {name} at {path}")
        write_once(path, secrets.token_bytes(size))
    try:
        secret = path.read_bytes()
    except OSError as problem:
        raise error(f"cannot read the {name} at {path}: {problem}") from None
    if len(secret) != size:
        raise error(f"the {name} at {path} is not {size} bytes")
    return secret
