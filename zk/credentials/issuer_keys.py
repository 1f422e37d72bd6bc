"""The issuer's BBS keys, one per epoch: secret halves in files, public halves in the log.

A secret key is made once for its month (`write_once`: two workers agree on one) and never
replaced; its public key is appended to the verifiable log as an `issuer.key` leaf and stored
with that leaf's index, so anyone can check which keys the city has used. A secret file that is
missing or disagrees with what was published stops issuance: restore it from the backup.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from graph.records import Records
from graph.records.identity import IssuerKeyRow, insert_issuer_key, issuer_key_for
from ledger.entries import Entry
from ledger.keys import write_once
from ledger.log import Log
from zk.bbs.errors import BbsError
from zk.bbs.keys import SCALAR_LEN, key_gen, octets_to_secret_key, sk_to_pk
from zk.bbs.suites import Ciphersuite
from zk.credentials.epochs import Epoch
from zk.credentials.errors import IssuerKeyError

ISSUER_KEY = "issuer.key"
"""The log entry kind that publishes an epoch's public key."""


@dataclass(frozen=True)
class IssuerKey:
    """An epoch's key pair, as issuance uses it."""

    published: IssuerKeyRow
    secret: int

    @property
    def key_id(self) -> str:
        return self.published.key_id


class IssuerKeyring:
    """The folder of secret key files (`resident-2026-11.key`, hex, mode 0600)."""

    def __init__(self, directory: Path, suite: Ciphersuite) -> None:
        self.directory = directory
        self.suite = suite

    def path(self, epoch: Epoch) -> Path:
        return self.directory / f"{epoch.key_id}.key"

    def _read(self, epoch: Epoch) -> int | None:
        path = self.path(epoch)
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise IssuerKeyError(f"cannot read the issuer key {path}: {error}") from None
        try:
            return octets_to_secret_key(bytes.fromhex(text))
        except (ValueError, BbsError):
            raise IssuerKeyError(f"{path} does not hold a BBS secret key") from None

    def _make(self, epoch: Epoch) -> int:
        """The epoch's secret key, made now unless another process made it first."""
        sk = key_gen(self.suite, secrets.token_bytes(32), epoch.key_id.encode())
        write_once(self.path(epoch), sk.to_bytes(SCALAR_LEN, "big").hex().encode() + b"\n")
        found = self._read(epoch)
        assert found is not None
        return found

    async def key(self, log: Log, epoch: Epoch) -> IssuerKey:
        """The epoch's key pair, published in the log first if it is new."""
        published = await issuer_key_for(log.records, str(epoch))
        if published is not None:
            return self._matching(published, epoch)
        secret = self._read(epoch) or self._make(epoch)
        public = sk_to_pk(self.suite, secret)
        try:
            published = await _publish(log, epoch, self.suite, public)
        except IntegrityError:  # another worker published this epoch's key at the same moment
            published = await issuer_key_for(log.records, str(epoch))
            if published is None:
                raise
        return self._matching(published, epoch)

    async def check(self, records: Records, epoch: Epoch) -> None:
        """IssuerKeyError if the epoch's key was published but its secret is missing or wrong."""
        published = await issuer_key_for(records, str(epoch))
        if published is not None:
            self._matching(published, epoch)

    def _matching(self, published: IssuerKeyRow, epoch: Epoch) -> IssuerKey:
        secret = self._read(epoch)
        if secret is None:
            raise IssuerKeyError(
                f"the city published issuer key {published.key_id} but its secret is not at "
                f"{self.path(epoch)}: restore the issuer keys from their backup"
            )
        if sk_to_pk(self.suite, secret) != published.public_key:
            raise IssuerKeyError(
                f"{self.path(epoch)} is not the key published as {published.key_id}: restore "
                "the issuer keys from their backup"
            )
        return IssuerKey(published, secret)


def b64(octets: bytes) -> str:
    return base64.b64encode(octets).decode()


async def _publish(log: Log, epoch: Epoch, suite: Ciphersuite, public: bytes) -> IssuerKeyRow:
    at = datetime.now(UTC).replace(microsecond=0)
    row = IssuerKeyRow(
        key_id=epoch.key_id,
        epoch=str(epoch),
        ciphersuite=suite.ciphersuite_id.decode(),
        public_key=public,
        created_at=at,
        leaf_index=-1,
    )
    entry = Entry(
        ISSUER_KEY,
        epoch.key_id,
        {
            "ciphersuite": row.ciphersuite,
            "epoch": row.epoch,
            "public_key": b64(public),
            "valid_from": epoch.starts.isoformat(),
            "valid_until": epoch.ends.isoformat(),
        },
    )
    stored: list[IssuerKeyRow] = []

    async def store(client: BaseDBAsyncClient, leaf_index: int) -> None:
        stored.append(replace(row, leaf_index=leaf_index))
        await insert_issuer_key(log.records, client, stored[0])

    await log.append([entry], then=store)
    return stored[0]
