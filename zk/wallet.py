"""A resident's wallet: the wallet's signing key and its credentials (each with the nym secrets
and blind only the wallet knows), in one file encrypted at rest with a passphrase.

Encryption is `cryptography`'s: scrypt (n=2^15, r=8, p=1) stretches the passphrase into an
AES-256-GCM key; the file's header (format, KDF parameters, salt) is the associated data, so
changing any of it fails decryption like a wrong passphrase does. Every save writes a new
salt and nonce to a temporary file that replaces the old one, so a crash keeps the old wallet.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from graph.errors import CivicGraphError
from zk.credentials.attributes import ResidentAttributes
from zk.credentials.epochs import Epoch
from zk.credentials.presentation import HeldCredential

FORMAT = "civicgraph.wallet/1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 8


class WalletError(CivicGraphError):
    """A wallet that cannot be opened or written as asked."""


def _b64(octets: bytes) -> str:
    return base64.b64encode(octets).decode()


def _unb64(text: object) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise WalletError("the wallet's contents are damaged") from None


@dataclass(frozen=True)
class StoredCredential:
    key_id: str
    public_key: bytes
    attributes: ResidentAttributes
    signature: bytes
    nym_secrets: tuple[int, ...]
    prover_blind: int
    issuer: str
    """The server that issued it."""

    @property
    def epoch(self) -> str:
        return str(Epoch.of_key(self.key_id))

    def held(self) -> HeldCredential:
        return HeldCredential(
            self.key_id,
            self.public_key,
            self.attributes,
            self.signature,
            self.nym_secrets,
            self.prover_blind,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "keyId": self.key_id,
            "publicKey": _b64(self.public_key),
            "attributes": self.attributes.as_dict(),
            "signature": _b64(self.signature),
            "nymSecrets": [f"{value:064x}" for value in self.nym_secrets],
            "proverBlind": f"{self.prover_blind:064x}",
            "issuer": self.issuer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredCredential:
        try:
            return cls(
                key_id=str(data["keyId"]),
                public_key=_unb64(data["publicKey"]),
                attributes=ResidentAttributes(**data["attributes"]),
                signature=_unb64(data["signature"]),
                nym_secrets=tuple(int(value, 16) for value in data["nymSecrets"]),
                prover_blind=int(data["proverBlind"], 16),
                issuer=str(data["issuer"]),
            )
        except (KeyError, TypeError, ValueError):
            raise WalletError("the wallet's contents are damaged") from None


@dataclass
class Wallet:
    wallet_seed: bytes
    """The Ed25519 private key (32 bytes) that signs credential requests."""
    credentials: list[StoredCredential] = field(default_factory=list)

    @classmethod
    def new(cls) -> Wallet:
        return cls(secrets.token_bytes(32))

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.wallet_seed)

    @property
    def wallet_key(self) -> bytes:
        return self.signing_key.public_key().public_bytes_raw()

    def credential_for(self, epochs: tuple[str, ...]) -> StoredCredential | None:
        """The newest credential of an accepted epoch."""
        fitting = [c for c in self.credentials if c.epoch in epochs]
        return max(fitting, key=lambda c: c.epoch) if fitting else None

    def add(self, credential: StoredCredential) -> None:
        """Keep one credential per issuer key (a re-issued one replaces the old)."""
        self.credentials = [c for c in self.credentials if c.key_id != credential.key_id]
        self.credentials.append(credential)
        self.credentials.sort(key=lambda c: c.epoch)

    def to_json(self) -> dict[str, Any]:
        return {
            "walletSeed": _b64(self.wallet_seed),
            "credentials": [c.to_json() for c in self.credentials],
        }

    @classmethod
    def from_json(cls, data: Any) -> Wallet:
        try:
            return cls(
                wallet_seed=_unb64(data["walletSeed"]),
                credentials=[StoredCredential.from_json(c) for c in data["credentials"]],
            )
        except (KeyError, TypeError):
            raise WalletError("the wallet's contents are damaged") from None


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _header(salt: bytes) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": "AES-256-GCM",
    }


def seal(wallet: Wallet, passphrase: str) -> bytes:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = _header(salt)
    aad = orjson.dumps(header, option=orjson.OPT_SORT_KEYS)
    key = _key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(key).encrypt(nonce, orjson.dumps(wallet.to_json()), aad)
    return orjson.dumps(
        {**header, "nonce": _b64(nonce), "ciphertext": _b64(sealed)}, option=orjson.OPT_INDENT_2
    )


def unseal(data: bytes, passphrase: str) -> Wallet:
    try:
        outer = orjson.loads(data)
        header = {"format": outer["format"], "kdf": outer["kdf"], "cipher": outer["cipher"]}
        kdf = header["kdf"]
        if header["format"] != FORMAT or kdf["name"] != "scrypt":
            raise WalletError(f"not a {FORMAT} file")
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt, nonce, sealed = (
            _unb64(kdf["salt"]),
            _unb64(outer["nonce"]),
            _unb64(outer["ciphertext"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise WalletError("this is not a CivicGraph wallet file") from None
    if not (2**10 <= n <= 2**20 and 0 < r <= 32 and 0 < p <= 16):
        raise WalletError("the wallet's key-stretching parameters are out of range")
    aad = orjson.dumps(header, option=orjson.OPT_SORT_KEYS)
    try:
        plain = AESGCM(_key(passphrase, salt, n, r, p)).decrypt(nonce, sealed, aad)
    except (InvalidTag, ValueError):
        raise WalletError("wrong passphrase, or the wallet file was altered") from None
    return Wallet.from_json(orjson.loads(plain))


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WalletError(f"a passphrase has at least {MIN_PASSPHRASE} characters")
    return passphrase


def create(path: Path, passphrase: str) -> Wallet:
    """A new wallet at `path`; refuses to overwrite one (it may hold the only copy of a key)."""
    if path.exists():
        raise WalletError(f"{path} exists: a wallet is never overwritten")
    wallet = Wallet.new()
    save(path, wallet, check_passphrase(passphrase))
    return wallet


def open_wallet(path: Path, passphrase: str) -> Wallet:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WalletError(f"no wallet at {path}: run `civicgraph wallet init` first") from None
    except OSError as error:
        raise WalletError(f"cannot read {path}: {error.strerror}") from None
    return unseal(data, passphrase)


def save(path: Path, wallet: Wallet, passphrase: str) -> None:
    """Replace the file atomically (temporary file, fsync, rename), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(seal(wallet, passphrase))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
