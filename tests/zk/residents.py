"""Residents, their wallets and their credentials for tests, against the session's city.

The fixtures `log` and `keyring` (in tests/zk/conftest.py) open the city's log and issuer keys.
Clocks are injected so that cases can use months of their own, far from today's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ledger.log import Log
from tests.helpers import resident_id
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.suites import sha256_suite
from zk.credentials import codes, holder
from zk.credentials.epochs import SEOUL, Epoch
from zk.credentials.holder import Pending, prepare_request
from zk.credentials.issuance import CredentialRequest, IssuedCredential, Issuer
from zk.credentials.issuer_keys import IssuerKeyring
from zk.credentials.presentation import HeldCredential
from zk.wallet import Wallet

if TYPE_CHECKING:  # not at run time: the race's worker processes import this module
    from civicgraph.stores import Stores

SUITE = sha256_suite(ArkworksCurve())


def clock_at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def mid(year: int, month: int) -> datetime:
    return datetime(year, month, 15, 12, tzinfo=SEOUL)


async def new_resident(
    stores: Stores, district: str = "11680", born: int = 1990, welfare: bool = False
) -> str:
    resident = resident_id()
    created = await stores.graph.create_node(
        "Citizen",
        {
            "id": resident,
            "district_code": district,
            "dong_code": None,
            "birth_year": born,
            "sex": "F",
            "welfare_eligible": welfare,
        },
    )
    assert created
    return resident


KEPT: dict[CredentialRequest, Pending] = {}
"""What each request's wallet keeps to finalize the answer: its prover nyms and blind."""


def signed(wallet: Wallet, epoch: Epoch, code: str | None = None) -> CredentialRequest:
    pending = prepare_request(SUITE, wallet, epoch, code)
    KEPT[pending.request] = pending
    return pending.request


def finalize(issued: IssuedCredential, asked: CredentialRequest) -> HeldCredential:
    """The wallet's check on receipt: BBS VerifyFinalizeWithNym (BbsError if it fails)."""
    return holder.receive(SUITE, KEPT[asked], issued)


def issuer_at(log: Log, stores: Stores, keyring: IssuerKeyring, moment: datetime) -> Issuer:
    return Issuer(log, stores.graph, keyring, clock_at(moment))


async def credential_for(
    log: Log,
    stores: Stores,
    keyring: IssuerKeyring,
    moment: datetime,
    district: str = "11680",
    born: int = 1980,
    welfare: bool = False,
) -> HeldCredential:
    """A new resident, enrolled and holding the credential of `moment`'s month."""
    resident = await new_resident(stores, district, born, welfare)
    code = await codes.create_code(stores.records, stores.graph, resident, now=moment)
    request = signed(Wallet.new(), Epoch.at(moment), code.code)
    return finalize(await issuer_at(log, stores, keyring, moment).issue(request), request)
