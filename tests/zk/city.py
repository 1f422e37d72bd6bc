"""A city of a test's own: fresh records (SQLite or PostgreSQL), a log and issuer keys, for
cases that tamper with the log or race many processes against it."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from graph.records import Records, open_records
from ledger.keys import load_signer
from ledger.log import Log
from tests.zk.residents import SUITE
from zk.bbs.pseudonyms import blind_sign_with_nym
from zk.credentials.attributes import NYM_COUNT, ResidentAttributes, header, messages
from zk.credentials.epochs import Epoch
from zk.credentials.holder import finalize, prepare_request
from zk.credentials.issuer_keys import IssuerKeyring
from zk.credentials.presentation import HeldCredential
from zk.wallet import Wallet

ORIGIN = "own-city.test/log"


@dataclass
class City:
    records: Records
    log: Log
    keyring: IssuerKeyring
    log_key: Path

    async def credential(self, epoch: Epoch, district: str = "11680") -> HeldCredential:
        """A credential issued as the city does (blind, with nyms), without enrolment."""
        key = await self.keyring.key(self.log, epoch)
        attributes = ResidentAttributes(district=district, over19=True, over65=False, welfare=False)
        pending = prepare_request(SUITE, Wallet.new(), epoch)
        entropy = secrets.randbelow(2**200) + 1
        pk = key.published.public_key
        signed = blind_sign_with_nym(
            SUITE,
            key.secret,
            pk,
            pending.request.commitment,
            NYM_COUNT,
            entropy,
            header(key.key_id),
            messages(attributes),
        )
        return finalize(SUITE, pending, key.key_id, pk, attributes, signed, entropy)


@contextlib.asynccontextmanager
async def own_city(
    url: str, folder: Path, key: Path | None = None, origin: str = ORIGIN
) -> AsyncIterator[City]:
    """Records at `url` (migrated), a log key (`key`, default under `folder`) and issuer keys
    under `folder`."""
    records = await open_records(url, migrate=True)
    key = key or folder / "log.pem"
    log = Log(records, load_signer(key, origin))
    try:
        yield City(records, log, IssuerKeyring(folder / "issuer", SUITE), key)
    finally:
        await records.close()
