"""Issuing resident credentials: one per resident per epoch, to the wallet that enrolled.

A request carries the wallet's blind commitment to its nym secrets (BBS CommitWithNym) and is
signed by the wallet's Ed25519 key over the epoch, the commitment and the key itself. The
first request carries a one-time enrolment code, which binds the wallet key to the resident;
later epochs' requests need only the signature. The issuer reads the resident's attributes
from the graph at that moment (a changed attribute takes effect next epoch), signs them over
the commitment with the epoch's key (BlindSignWithNym, with fresh signer entropy) and records
that the resident has this epoch's credential: never the attributes, the commitment, the
entropy or the signature.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from graph.records.identity import (
    bind_wallet,
    find_enrolment_code,
    record_issued,
    resident_of_wallet,
    use_enrolment_code,
)
from graph.storable_text import storable
from graph.store import GraphStore
from ledger.entries import canonical_json
from ledger.log import Log
from zk.bbs.blind import COMMIT_FLOOR
from zk.bbs.curves import R
from zk.bbs.errors import BbsError
from zk.bbs.keys import SCALAR_LEN
from zk.bbs.pseudonyms import blind_sign_with_nym
from zk.credentials.attributes import NYM_COUNT, ResidentAttributes, header, messages
from zk.credentials.codes import code_hash
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.issuer_keys import IssuerKeyring, b64

WALLET_KEY_LEN = 32
REQUEST_CONTEXT = b"civicgraph credential request\n"


def _now() -> datetime:
    return datetime.now(UTC)


def decode_b64(text: object, length: int, field: str) -> bytes:
    """Exactly `length` bytes of standard base64, or CredentialError INVALID naming `field`."""
    try:
        octets = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        octets = b""
    if len(octets) != length:
        raise CredentialError(
            CredentialErrorCode.INVALID, f"{field} is {length} bytes in base64", field
        )
    return octets


COMMITMENT_LEN = COMMIT_FLOOR + NYM_COUNT * SCALAR_LEN
"""A commitment to exactly NYM_COUNT nym secrets and nothing else."""


def request_message(epoch: str, commitment: bytes, wallet_key: bytes) -> bytes:
    """What the wallet signs: bound to one epoch, so a captured request is useless later."""
    return REQUEST_CONTEXT + canonical_json(
        {
            "commitment": b64(commitment),
            "epoch": epoch,
            "nymCount": NYM_COUNT,
            "walletKey": b64(wallet_key),
        }
    )


@dataclass(frozen=True)
class CredentialRequest:
    epoch: str
    commitment: bytes
    """CommitWithNym over no messages and NYM_COUNT prover nyms, with its proof."""
    wallet_key: bytes
    signature: bytes
    enrolment_code: str | None = None

    @classmethod
    def parse(
        cls,
        epoch: str,
        commitment: str,
        nym_count: int,
        wallet_key: str,
        signature: str,
        enrolment_code: str | None = None,
    ) -> CredentialRequest:
        """From the wire (base64 fields), checking every length."""
        Epoch.parse(epoch)
        if enrolment_code is not None and not storable(enrolment_code):
            raise CredentialError(
                CredentialErrorCode.INVALID_CODE, "no such enrolment code", "enrolmentCode"
            )
        if nym_count != NYM_COUNT:
            raise CredentialError(
                CredentialErrorCode.INVALID,
                f"every credential holds {NYM_COUNT} nym secrets",
                "nymCount",
            )
        return cls(
            epoch=epoch,
            commitment=decode_b64(commitment, COMMITMENT_LEN, "commitment"),
            wallet_key=decode_b64(wallet_key, WALLET_KEY_LEN, "walletKey"),
            signature=decode_b64(signature, 64, "signature"),
            enrolment_code=enrolment_code,
        )

    def check_signature(self) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(self.wallet_key).verify(
                self.signature, request_message(self.epoch, self.commitment, self.wallet_key)
            )
        except (InvalidSignature, ValueError):
            raise CredentialError(
                CredentialErrorCode.BAD_SIGNATURE,
                "the request is not signed by its wallet key",
                "signature",
            ) from None


@dataclass(frozen=True)
class IssuedCredential:
    """What the wallet gets back: with its prover nyms and blind it finalizes the credential."""

    key_id: str
    epoch: str
    ciphersuite: str
    public_key: bytes
    header: bytes
    attributes: ResidentAttributes
    signature: bytes
    signer_nym_entropy: int


class Issuer:
    """Issues credentials from the graph's residents under the keyring's epoch keys."""

    def __init__(
        self,
        log: Log,
        graph: GraphStore,
        keyring: IssuerKeyring,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.log = log
        self.graph = graph
        self.keyring = keyring
        self.clock = clock

    async def issue(self, request: CredentialRequest) -> IssuedCredential:
        now = self.clock()
        epoch = Epoch.at(now)
        if request.epoch != str(epoch):
            raise CredentialError(
                CredentialErrorCode.WRONG_EPOCH,
                f"credentials are issued for the current epoch, {epoch}",
                "epoch",
            )
        request.check_signature()
        resident = await self._resident(request, now)
        citizen = (await self.graph.get_nodes("Citizen", [resident]))[0]
        if citizen is None:
            raise CredentialError(
                CredentialErrorCode.UNKNOWN_RESIDENT,
                "the enrolled resident is no longer in the city's records",
                None,
            )
        attributes = ResidentAttributes.of_citizen(citizen, epoch)
        key = await self.keyring.key(self.log, epoch)
        signed_header = header(key.key_id)
        entropy = secrets.randbelow(R - 1) + 1
        try:
            signature = blind_sign_with_nym(
                self.keyring.suite,
                key.secret,
                key.published.public_key,
                request.commitment,
                NYM_COUNT,
                entropy,
                signed_header,
                messages(attributes),
            )
        except BbsError:
            raise CredentialError(
                CredentialErrorCode.INVALID,
                "the commitment or its proof is invalid",
                "commitment",
            ) from None
        await self._record(request, resident, str(epoch), now)
        return IssuedCredential(
            key_id=key.key_id,
            epoch=str(epoch),
            ciphersuite=key.published.ciphersuite,
            public_key=key.published.public_key,
            header=signed_header,
            attributes=attributes,
            signature=signature,
            signer_nym_entropy=entropy,
        )

    async def _resident(self, request: CredentialRequest, now: datetime) -> str:
        """Who asks: the code's resident, or the resident this wallet key enrolled as."""
        if request.enrolment_code is None:
            resident = await resident_of_wallet(self.log.records, request.wallet_key.hex())
            if resident is None:
                raise CredentialError(
                    CredentialErrorCode.NOT_ENROLLED,
                    "this wallet has not enrolled: send the enrolment code the city gave you",
                    "enrolmentCode",
                )
            return resident
        code = await find_enrolment_code(self.log.records, code_hash(request.enrolment_code))
        if code is None:
            raise CredentialError(
                CredentialErrorCode.INVALID_CODE, "no such enrolment code", "enrolmentCode"
            )
        if code.used_at is not None:
            raise CredentialError(
                CredentialErrorCode.CODE_USED,
                f"this enrolment code was used on {code.used_at:%Y-%m-%d}",
                "enrolmentCode",
            )
        if code.expires_at <= now:
            raise CredentialError(
                CredentialErrorCode.CODE_EXPIRED,
                f"this enrolment code expired on {code.expires_at:%Y-%m-%d}",
                "enrolmentCode",
            )
        return code.resident_id

    async def _record(
        self, request: CredentialRequest, resident: str, epoch: str, now: datetime
    ) -> None:
        """Spend the code, bind the wallet and note the issuance: all three or none."""
        records = self.log.records
        async with records.transaction() as client:
            if request.enrolment_code is not None:
                await self._enrol(client, request, resident, now)
            if not await record_issued(records, client, resident, epoch, now):
                raise CredentialError(
                    CredentialErrorCode.ALREADY_ISSUED,
                    f"this resident already has the credential of {epoch}: the next one "
                    "is issued next epoch",
                    None,
                )

    async def _enrol(
        self, client: BaseDBAsyncClient, request: CredentialRequest, resident: str, now: datetime
    ) -> None:
        records = self.log.records
        assert request.enrolment_code is not None
        if not await use_enrolment_code(records, client, code_hash(request.enrolment_code), now):
            raise CredentialError(
                CredentialErrorCode.CODE_USED, "this enrolment code was just used", "enrolmentCode"
            )
        try:
            await bind_wallet(records, client, resident, request.wallet_key.hex(), now)
        except IntegrityError:
            raise CredentialError(
                CredentialErrorCode.INVALID,
                "this wallet key is enrolled for another resident: one wallet per resident",
                "walletKey",
            ) from None
