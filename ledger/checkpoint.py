"""Signed tree heads as C2SP checkpoints in signed notes, with Ed25519 signatures.

The body is c2sp.org/tlog-checkpoint: the origin line, the tree size, the base64 root hash.
The signature lines are c2sp.org/signed-note: `— <key name> <base64(key id || signature)>`,
where the key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key). The
tests check our notes and keys against the vectors of Go's `golang.org/x/mod/sumdb/note`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import CheckpointError, CheckpointErrorCode
from ledger.hashing import HASH_SIZE

ED25519 = b"\x01"
"""The signed-note signature type byte of Ed25519."""
SIGNATURE_PREFIX = "\u2014 "


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash naming an Ed25519 key in signature lines."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise CheckpointError(
            CheckpointErrorCode.MALFORMED, f"key name {name!r} is empty or has spaces or '+'"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log, how many leaves, which root."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The note text that is signed, ending in a newline."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse_body(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "a checkpoint has origin, size and root lines"
            )
        origin, size_text, root_text = lines[0], lines[1], lines[2]
        if not origin:
            raise CheckpointError(CheckpointErrorCode.MALFORMED, "the origin line is empty")
        # at most 19 digits (a size below 2^63, RFC 9162's uint64 as the stores hold it) before
        # int(), which refuses over 4,300 digits with a ValueError of its own
        if (
            not size_text.isascii()
            or not size_text.isdigit()
            or len(size_text) > 19
            or size_text != str(int(size_text))
            or int(size_text) >= 2**63
        ):
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED,
                f"tree size {size_text[:40]!r} is not a decimal below 2^63",
            )
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error:
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "the root hash is not base64"
            ) from None
        if len(root) != HASH_SIZE:
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, f"the root hash is {len(root)} bytes, not 32"
            )
        return cls(origin, int(size_text), root)


@dataclass(frozen=True)
class Verifier:
    """A log's public key under its name, as a verifier configures it."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        """`<name>+<key id hex>+<base64(0x01 || key)>`, the signed-note verifier key string."""
        key = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{key}"

    @classmethod
    def decode(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "a verifier key is NAME+KEYID+BASE64KEY"
            )
        name, id_hex, key_text = parts
        _check_name(name)
        try:
            key = base64.b64decode(key_text, validate=True)
            given_id = bytes.fromhex(id_hex)
        except (binascii.Error, ValueError):
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "the verifier key is not hex and base64"
            ) from None
        if len(key) != 33 or key[:1] != ED25519:
            raise CheckpointError(CheckpointErrorCode.MALFORMED, "not an Ed25519 verifier key")
        verifier = cls(name, key[1:])
        if verifier.key_id != given_id:
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "the verifier key's id does not match its key"
            )
        return verifier


class Signer:
    """The log's Ed25519 signing key under its name (the key name is the log's origin)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        self.verifier = Verifier(name, private_key.public_key().public_bytes_raw())

    def sign(self, checkpoint: Checkpoint) -> str:
        """The signed note of `checkpoint`: its body, a blank line, one signature line."""
        return self.sign_note(checkpoint.body())

    def sign_note(self, text: str) -> str:
        """A signed note of any text ending in a newline (c2sp.org/signed-note)."""
        signature = self._key.sign(text.encode())
        blob = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {blob}\n"


def open_checkpoint(note: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """The checkpoint a signed note carries, once `verifier`'s signature on it checks out.

    `origin` defaults to the verifier's name. Raises CheckpointError: MALFORMED (layout),
    WRONG_ORIGIN, UNKNOWN_KEY (no signature line by this key), BAD_SIGNATURE.
    """
    body, separator, _ = note.partition("\n\n")
    if not separator:
        raise CheckpointError(
            CheckpointErrorCode.MALFORMED, "a signed note is text, a blank line, signatures"
        )
    checkpoint = Checkpoint.parse_body(body + "\n")
    expected_origin = verifier.name if origin is None else origin
    if checkpoint.origin != expected_origin:
        raise CheckpointError(
            CheckpointErrorCode.WRONG_ORIGIN,
            f"the checkpoint is for {checkpoint.origin!r}, not {expected_origin!r}",
        )
    open_note(note, verifier)
    return checkpoint


def open_note(note: str, verifier: Verifier) -> str:
    """The text of a signed note, once `verifier`'s signature line on it checks out."""
    text, separator, signatures = note.partition("\n\n")
    if not separator or not signatures.endswith("\n"):
        raise CheckpointError(
            CheckpointErrorCode.MALFORMED, "a signed note is text, a blank line, signatures"
        )
    text += "\n"
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError(CheckpointErrorCode.MALFORMED, f"not a signature line: {line!r}")
        name, _, blob_text = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            blob = base64.b64decode(blob_text, validate=True)
        except binascii.Error:
            raise CheckpointError(
                CheckpointErrorCode.MALFORMED, "a signature is not base64"
            ) from None
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(blob[4:], text.encode())
        except InvalidSignature:
            raise CheckpointError(
                CheckpointErrorCode.BAD_SIGNATURE,
                f"the signature by {verifier.name} ({verifier.key_id.hex()}) does not verify",
            ) from None
        return text
    raise CheckpointError(
        CheckpointErrorCode.UNKNOWN_KEY,
        f"no signature by {verifier.name} with key id {verifier.key_id.hex()}",
    )
