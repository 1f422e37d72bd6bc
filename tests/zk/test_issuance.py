"""Issuance and verification against real records, graph and log (the session's embedded city).

Clocks are injected so that epochs can be crossed; each case uses months of its own, far
from today's, so cases never share an epoch's one-credential-per-resident rule by accident.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicgraph.stores import Stores
from graph.records.identity import issuer_key_for
from ledger.entries import Entry
from ledger.log import Log
from tests.zk.residents import clock_at, finalize, issuer_at, mid, new_resident, signed
from zk.credentials import codes
from zk.credentials.attributes import NYM_COUNT
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode, IssuerKeyError
from zk.credentials.issuance import (
    COMMITMENT_LEN,
    CredentialRequest,
    IssuedCredential,
    request_message,
)
from zk.credentials.issuer_keys import ISSUER_KEY, IssuerKeyring
from zk.credentials.presentation import present
from zk.credentials.verifier import Verifier
from zk.wallet import Wallet


def refused(error: pytest.ExceptionInfo[CredentialError], code: CredentialErrorCode) -> None:
    assert error.value.code is code, error.value


async def test_one_credential_per_resident_per_epoch_and_changes_wait_for_the_next(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    resident = await new_resident(stores, district="11680", born=2015)
    december, january = mid(2033, 12), mid(2034, 1)  # a year boundary: ages count by year
    code = await codes.create_code(stores.records, stores.graph, resident, now=december)
    wallet = Wallet.new()

    first = signed(wallet, Epoch.at(december), code.code)
    issued = await issuer_at(log, stores, keyring, december).issue(first)
    assert issued.key_id == "resident-2033-12"
    assert issued.attributes.as_dict() == {
        "district": "11680",
        "over19": False,  # born 2015: 18 in 2033
        "over65": False,
        "welfare": False,
    }
    finalize(issued, first)  # the wallet's check: the blind signature over its nyms verifies

    # the resident moves house: the same month gives no second credential, with or without code
    await stores.graph.update_node("Citizen", resident, {"district_code": "11110"})
    with pytest.raises(CredentialError) as again:
        await issuer_at(log, stores, keyring, december).issue(signed(wallet, Epoch.at(december)))
    refused(again, CredentialErrorCode.ALREADY_ISSUED)
    fresh = await codes.create_code(stores.records, stores.graph, resident, now=december)
    with pytest.raises(CredentialError) as with_code:
        await issuer_at(log, stores, keyring, december).issue(
            signed(Wallet.new(), Epoch.at(december), fresh.code)
        )
    refused(with_code, CredentialErrorCode.ALREADY_ISSUED)

    # next month the enrolled wallet renews without a code and gets the new district; the
    # refused request did not spend the fresh code
    renewal = signed(wallet, Epoch.at(january))
    renewed = await issuer_at(log, stores, keyring, january).issue(renewal)
    assert (renewed.key_id, renewed.attributes.district) == ("resident-2034-01", "11110")
    assert renewed.attributes.over19  # 19 in 2034 by year
    finalize(renewed, renewal)
    row = await stores.records.query(
        "SELECT * FROM credential_issued WHERE resident_id = ? ORDER BY epoch", [resident]
    )
    assert [(r["epoch"]) for r in row] == ["2033-12", "2034-01"]
    assert set(row[0]) == {"id", "resident_id", "epoch", "issued_at"}  # never what was signed


async def test_an_enrolment_code_works_once_even_when_raced(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    resident = await new_resident(stores)
    moment = mid(2031, 5)
    code = await codes.create_code(stores.records, stores.graph, resident, now=moment)
    issuer = issuer_at(log, stores, keyring, moment)
    wallets = [Wallet.new() for _ in range(5)]
    outcomes = await asyncio.gather(
        *(issuer.issue(signed(w, Epoch.at(moment), code.code)) for w in wallets),
        return_exceptions=True,
    )
    issued = [o for o in outcomes if isinstance(o, IssuedCredential)]
    assert len(issued) == 1
    codes_seen = {o.code for o in outcomes if isinstance(o, CredentialError)}
    assert codes_seen <= {CredentialErrorCode.CODE_USED, CredentialErrorCode.ALREADY_ISSUED}
    # the code is spent: typed in again (lower case, spaces) it says so
    with pytest.raises(CredentialError) as used:
        await issuer.issue(
            signed(Wallet.new(), Epoch.at(moment), code.code.lower().replace("-", " "))
        )
    refused(used, CredentialErrorCode.CODE_USED)


async def test_requests_that_cannot_be_honoured_are_refused_with_their_reason(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    moment = mid(2031, 6)
    issuer = issuer_at(log, stores, keyring, moment)
    epoch = Epoch.at(moment)
    resident = await new_resident(stores)
    code = await codes.create_code(stores.records, stores.graph, resident, days=1, now=moment)
    wallet = Wallet.new()

    cases: list[tuple[CredentialRequest, CredentialErrorCode]] = [
        (signed(wallet, epoch.next(), code.code), CredentialErrorCode.WRONG_EPOCH),
        (signed(wallet, epoch), CredentialErrorCode.NOT_ENROLLED),
        (signed(wallet, epoch, "AAAAA-BBBBB-CCCCC-DDDDD"), CredentialErrorCode.INVALID_CODE),
    ]
    good = signed(wallet, epoch, code.code)
    forged = CredentialRequest(
        good.epoch, b"\x00" * 32, good.wallet_key, good.signature, good.enrolment_code
    )
    cases.append((forged, CredentialErrorCode.BAD_SIGNATURE))
    # a commitment whose proof fails, properly signed, is refused and spends nothing
    broken = bytearray(good.commitment)
    broken[-1] ^= 1
    key = wallet.wallet_key
    signature = wallet.signing_key.sign(request_message(good.epoch, bytes(broken), key))
    cases.append(
        (
            CredentialRequest(good.epoch, bytes(broken), key, signature, code.code),
            CredentialErrorCode.INVALID,
        )
    )
    for request, code_expected in cases:
        with pytest.raises(CredentialError) as caught:
            await issuer.issue(request)
        refused(caught, code_expected)

    # the code expires after its day (the clock moves past it; epoch still matches)
    late = moment + timedelta(days=2)
    with pytest.raises(CredentialError) as expired:
        await issuer_at(log, stores, keyring, late).issue(signed(wallet, Epoch.at(late), code.code))
    refused(expired, CredentialErrorCode.CODE_EXPIRED)

    # a resident who left the records gets nothing, even with a valid code
    gone = await new_resident(stores)
    gone_code = await codes.create_code(stores.records, stores.graph, gone, now=moment)
    await stores.graph.delete_node("Citizen", gone)
    with pytest.raises(CredentialError) as unknown:
        await issuer.issue(signed(Wallet.new(), epoch, gone_code.code))
    refused(unknown, CredentialErrorCode.UNKNOWN_RESIDENT)
    with pytest.raises(CredentialError) as no_code:
        await codes.create_code(stores.records, stores.graph, gone)
    refused(no_code, CredentialErrorCode.UNKNOWN_RESIDENT)

    # one wallet cannot hold two residents
    issued = await issuer.issue(good)
    other = await new_resident(stores)
    other_code = await codes.create_code(stores.records, stores.graph, other, now=moment)
    with pytest.raises(CredentialError) as shared:
        await issuer.issue(signed(wallet, epoch, other_code.code))
    refused(shared, CredentialErrorCode.INVALID)
    assert shared.value.field == "walletKey"
    assert issued.key_id == epoch.key_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("commitment", "AAAA"),
        ("walletKey", "not base64"),
        ("signature", ""),
        ("epoch", "2031-6"),
        ("nymCount", 1),
    ],
)
def test_malformed_request_fields_are_named(field: str, value: object) -> None:
    fields: dict[str, object] = {
        "epoch": "2031-06",
        "commitment": base64.b64encode(bytes(COMMITMENT_LEN)).decode(),
        "nym_count": NYM_COUNT,
        "wallet_key": "A" * 43 + "=",
        "signature": "A" * 86 + "==",
    }
    python_name = {"walletKey": "wallet_key", "nymCount": "nym_count"}.get(field, field)
    fields[python_name] = value
    with pytest.raises(CredentialError) as caught:
        CredentialRequest.parse(**fields)  # type: ignore[arg-type]
    assert caught.value.code is CredentialErrorCode.INVALID
    assert caught.value.field == field


async def test_issuer_keys_are_published_in_the_log_and_a_lost_key_stops_issuance(
    stores: Stores, log: Log, keyring: IssuerKeyring, tmp_path: Path
) -> None:
    epoch = Epoch(2032, 1)
    key = await keyring.key(log, epoch)
    assert keyring.path(epoch).stat().st_mode & 0o777 == 0o600
    published = await issuer_key_for(stores.records, "2032-01")
    assert published == key.published
    leaf = await log.entry(published.leaf_index)
    entry = Entry.decode(leaf.leaf_input)
    assert (entry.kind, entry.subject) == (ISSUER_KEY, "resident-2032-01")
    assert entry.body["valid_from"] == "2032-01-01T00:00:00+09:00"
    # asking again returns the same key, without a second leaf
    assert (await keyring.key(log, epoch)).published == published

    elsewhere = IssuerKeyring(tmp_path / "restored-wrongly", keyring.suite)
    with pytest.raises(IssuerKeyError, match="restore"):
        await elsewhere.key(log, epoch)  # missing
    elsewhere.path(epoch).parent.mkdir()
    elsewhere.path(epoch).write_text("11" * 32)
    with pytest.raises(IssuerKeyError, match="not the key published"):
        await elsewhere.check(stores.records, epoch)


async def test_a_verifier_accepts_each_request_once_and_only_while_it_lives(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    moment = mid(2031, 7)
    resident = await new_resident(stores, welfare=True)
    code = await codes.create_code(stores.records, stores.graph, resident, now=moment)
    request = signed(Wallet.new(), Epoch.at(moment), code.code)
    held = finalize(await issuer_at(log, stores, keyring, moment).issue(request), request)
    now = datetime.now(UTC)
    verifier = Verifier(stores.records, keyring.suite, clock_at(now))
    asked = await verifier.request("welfare-office", ["welfare"], epochs=["2031-07"])
    answer = present(keyring.suite, held, asked).to_json()

    accepted = await verifier.accept(answer)
    assert (accepted.key_id, dict(accepted.disclosed)) == ("resident-2031-07", {"welfare": True})
    with pytest.raises(CredentialError) as replay:
        await verifier.accept(answer)
    refused(replay, CredentialErrorCode.REPLAYED)

    # an answer after the request's five minutes is refused; a forged proof does not spend it
    late_request = await verifier.request("welfare-office", ["welfare"], epochs=["2031-07"])
    late_answer = present(keyring.suite, held, late_request).to_json()
    with pytest.raises(CredentialError) as forged:
        await verifier.accept({**late_answer, "disclosed": {"welfare": False}})
    refused(forged, CredentialErrorCode.INVALID_PROOF)
    later = Verifier(stores.records, keyring.suite, clock_at(now + timedelta(minutes=6)))
    with pytest.raises(CredentialError) as expired:
        await later.accept(late_answer)
    refused(expired, CredentialErrorCode.EXPIRED)
    assert (await verifier.accept(late_answer)).key_id == "resident-2031-07"

    # unknown nonces and unpublished keys
    with pytest.raises(CredentialError) as unknown:
        await verifier.accept({**answer, "nonce": "never-issued"})
    refused(unknown, CredentialErrorCode.UNKNOWN_REQUEST)
    future = await verifier.request("welfare-office", ["welfare"], epochs=["2039-01"])
    with pytest.raises(CredentialError) as no_key:
        await verifier.accept({**answer, "nonce": future.nonce, "keyId": "resident-2039-01"})
    refused(no_key, CredentialErrorCode.UNKNOWN_KEY)
