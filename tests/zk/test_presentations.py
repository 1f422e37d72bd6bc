"""Presentations without storage: disclose exactly what is asked, bound to verifier and nonce,
and every tampering or malformed field refused with a typed error (never a traceback)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.pseudonyms import blind_sign_with_nym, commit_with_nym, verify_finalize_with_nym
from zk.bbs.suites import sha256_suite
from zk.credentials.attributes import NYM_COUNT, Attribute, ResidentAttributes, header, messages
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.presentation import HeldCredential, Presentation, PresentationRequest, present
from zk.credentials.presentation import verify as verify_presentation

SUITE = sha256_suite(ArkworksCurve())
KEY_ID = "resident-2026-11"
SK = key_gen(SUITE, b"\x07" * 32, KEY_ID.encode())
PK = sk_to_pk(SUITE, SK)
RESIDENT = ResidentAttributes(district="11680", over19=True, over65=False, welfare=True)


def credential(attributes: ResidentAttributes = RESIDENT, key_id: str = KEY_ID) -> HeldCredential:
    """Issued as the city does: blind, over the wallet's committed nym secrets."""
    nyms = list(range(101, 101 + NYM_COUNT))
    made = commit_with_nym(SUITE, [], nyms)
    signed = blind_sign_with_nym(
        SUITE,
        SK,
        PK,
        made.commitment_with_proof,
        NYM_COUNT,
        5,
        header(key_id),
        messages(attributes),
    )
    secrets = verify_finalize_with_nym(
        SUITE,
        PK,
        signed,
        header(key_id),
        messages(attributes),
        [],
        nyms,
        5,
        made.secret_prover_blind,
    )
    return HeldCredential(key_id, PK, attributes, signed, tuple(secrets), made.secret_prover_blind)


def request(**changes: Any) -> PresentationRequest:
    fields: dict[str, Any] = {
        "verifier": "gangnam-welfare-office",
        "nonce": "n-0123456789abcdef",
        "attributes": ["district", "welfare"],
        "epochs": ["2026-11"],
        "expires_at": datetime.now(UTC) + timedelta(minutes=5),
    }
    fields.update(changes)
    return PresentationRequest.build(**fields)


def refused(
    code: CredentialErrorCode, presentation: Presentation, asked: PresentationRequest
) -> None:
    with pytest.raises(CredentialError) as caught:
        verify_presentation(SUITE, presentation, asked, PK)
    assert caught.value.code is code, caught.value


def test_a_presentation_discloses_exactly_the_asked_attributes() -> None:
    asked = request()
    answer = present(SUITE, credential(), asked)
    assert answer.disclosed == {Attribute.DISTRICT: "11680", Attribute.WELFARE: True}
    assert verify_presentation(SUITE, answer, asked, PK) == answer.disclosed
    # the wire form carries nothing else: no nym secret, no other attribute, no signature
    wire = answer.to_json()
    assert set(wire) == {"keyId", "verifier", "nonce", "disclosed", "proof"}
    assert set(wire["disclosed"]) == {"district", "welfare"}
    round_trip = Presentation.from_json(wire)
    assert verify_presentation(SUITE, round_trip, asked, PK) == answer.disclosed


def test_two_presentations_of_one_credential_share_no_proof_bytes() -> None:
    asked = request()
    first = present(SUITE, credential(), asked).proof
    second = present(SUITE, credential(), asked).proof
    assert first != second
    # no 32-byte window of one proof appears in the other
    windows = {first[i : i + 32] for i in range(len(first) - 31)}
    assert not any(second[i : i + 32] in windows for i in range(len(second) - 31))


def test_another_verifier_or_nonce_fails_the_proof() -> None:
    asked = request()
    answer = present(SUITE, credential(), asked)
    for other in (request(verifier="somebody-else"), request(nonce="n-another")):
        # the binding check names it; a presentation rewritten to match fails the proof
        refused(CredentialErrorCode.INVALID_PROOF, answer, other)
        rewritten = Presentation(
            answer.key_id, other.verifier, other.nonce, answer.disclosed, answer.proof
        )
        refused(CredentialErrorCode.INVALID_PROOF, rewritten, other)


def test_a_lie_about_a_disclosed_value_fails_the_proof() -> None:
    asked = request()
    answer = present(SUITE, credential(), asked)
    for lie in ({Attribute.DISTRICT: "11110"}, {Attribute.WELFARE: False}):
        forged = Presentation(
            answer.key_id, answer.verifier, answer.nonce, {**answer.disclosed, **lie}, answer.proof
        )
        refused(CredentialErrorCode.INVALID_PROOF, forged, asked)


def test_disclosing_more_or_less_than_asked_is_refused() -> None:
    asked = request()
    answer = present(SUITE, credential(), asked)
    fewer = Presentation(
        answer.key_id,
        answer.verifier,
        answer.nonce,
        {Attribute.DISTRICT: "11680"},
        answer.proof,
    )
    refused(CredentialErrorCode.INVALID, fewer, asked)
    more = Presentation(
        answer.key_id,
        answer.verifier,
        answer.nonce,
        {**answer.disclosed, Attribute.OVER19: True},
        answer.proof,
    )
    refused(CredentialErrorCode.INVALID, more, asked)


def test_tampered_proof_bytes_and_a_wrong_key_are_refused() -> None:
    asked = request()
    answer = present(SUITE, credential(), asked)
    for position in (0, 60, 100, len(answer.proof) - 1):
        flipped = bytearray(answer.proof)
        flipped[position] ^= 0x01
        tampered = Presentation(
            answer.key_id, answer.verifier, answer.nonce, answer.disclosed, bytes(flipped)
        )
        refused(CredentialErrorCode.INVALID_PROOF, tampered, asked)
    for cut in (answer.proof[:-1], answer.proof + b"\x00", b""):
        short = Presentation(answer.key_id, answer.verifier, answer.nonce, answer.disclosed, cut)
        refused(CredentialErrorCode.INVALID_PROOF, short, asked)
    other_pk = sk_to_pk(SUITE, key_gen(SUITE, b"\x08" * 32))
    with pytest.raises(CredentialError) as caught:
        verify_presentation(SUITE, answer, asked, other_pk)
    assert caught.value.code is CredentialErrorCode.INVALID_PROOF


def test_an_epoch_the_verifier_does_not_name_is_refused() -> None:
    older = credential(key_id="resident-2026-10")
    with pytest.raises(CredentialError) as caught:
        present(SUITE, older, request())
    assert caught.value.code is CredentialErrorCode.EPOCH_NOT_ACCEPTED
    # a presentation from it for a request that accepts October is refused where only
    # November is accepted, and its key id cannot be swapped for November's
    answer = present(SUITE, older, request(epochs=["2026-10", "2026-11"]))
    refused(CredentialErrorCode.EPOCH_NOT_ACCEPTED, answer, request())
    swapped = Presentation(KEY_ID, answer.verifier, answer.nonce, answer.disclosed, answer.proof)
    refused(CredentialErrorCode.INVALID_PROOF, swapped, request())


def test_required_values_are_disclosed_and_checked() -> None:
    asked = request(attributes=[], require={"over19": True, "district": "11680"})
    assert asked.attributes == (Attribute.DISTRICT, Attribute.OVER19)
    answer = present(SUITE, credential(), asked)
    assert verify_presentation(SUITE, answer, asked, PK) == {
        Attribute.DISTRICT: "11680",
        Attribute.OVER19: True,
    }
    minor = ResidentAttributes(district="11680", over19=False, over65=False, welfare=False)
    with pytest.raises(CredentialError) as caught:
        present(SUITE, credential(minor), asked)
    assert caught.value.code is CredentialErrorCode.NOT_SATISFIED
    # a presentation of over19=false (made for a request without the requirement) is refused
    loose = request(nonce=asked.nonce, attributes=["district", "over19"])
    answer = present(SUITE, credential(minor), loose)
    refused(CredentialErrorCode.NOT_SATISFIED, answer, asked)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keyId": "resident-2026-13"}, "keyId"),
        ({"keyId": "issuer-2026-11"}, "keyId"),
        ({"keyId": 7}, "keyId"),
        ({"disclosed": {"district": "Gangnam"}}, "disclosed"),
        ({"disclosed": {"over19": "yes"}}, "disclosed"),
        ({"disclosed": {"height": 180}}, "disclosed"),
        ({"disclosed": []}, "disclosed"),
        ({"proof": "not base64!"}, "proof"),
        ({"proof": "A" * 10_000}, "proof"),
        ({"verifier": ""}, "verifier"),
        ({"nonce": None}, "nonce"),
    ],
)
def test_malformed_presentations_name_their_field(change: dict[str, Any], field: str) -> None:
    wire = present(SUITE, credential(), request()).to_json()
    with pytest.raises(CredentialError) as caught:
        Presentation.from_json({**wire, **change})
    assert caught.value.code is CredentialErrorCode.INVALID
    assert caught.value.field == field


@pytest.mark.parametrize(
    "change",
    [
        {"attributes": ["shoe_size"]},
        {"attributes": "district"},
        {"epochs": []},
        {"epochs": ["November"]},
        {"require": {"welfare": "yes"}},
        {"expiresAt": "tomorrow"},
        {"expiresAt": "2026-11-25T12:00:00"},
        {"verifier": "x" * 65},
    ],
)
def test_malformed_requests_are_refused(change: dict[str, Any]) -> None:
    wire = {**request().to_json(), **change}
    with pytest.raises(CredentialError) as caught:
        PresentationRequest.from_json(wire)
    assert caught.value.code is CredentialErrorCode.INVALID


def test_a_request_round_trips_through_its_wire_form() -> None:
    asked = request(require={"over19": True})
    assert PresentationRequest.from_json(asked.to_json()) == asked
    assert base64.b64decode(present(SUITE, credential(), asked).to_json()["proof"])
