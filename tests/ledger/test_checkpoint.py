"""Signed tree heads: the C2SP note layout, and every way a head can fail to verify."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoint import Checkpoint, Signer, Verifier, key_id, open_checkpoint, open_note
from ledger.errors import CheckpointError, CheckpointErrorCode, LedgerError
from ledger.keys import load_signer

ORIGIN = "civicgraph.test/log"
HEAD = Checkpoint(ORIGIN, 42, bytes(range(32)))


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(ORIGIN, Ed25519PrivateKey.generate())


def test_a_signed_head_is_a_c2sp_checkpoint_note(signer: Signer) -> None:
    note = signer.sign(HEAD)
    body, signature = note.split("\n\n")
    assert body.split("\n") == [ORIGIN, "42", base64.b64encode(HEAD.root).decode()]
    assert signature.startswith(f"\u2014 {ORIGIN} ")
    blob = base64.b64decode(signature.split(" ")[2])
    assert blob[:4] == key_id(ORIGIN, signer.verifier.public_key)
    assert len(blob) == 4 + 64
    assert open_checkpoint(note, signer.verifier) == HEAD


def test_the_verifier_key_round_trips(signer: Signer) -> None:
    text = signer.verifier.encode()
    assert text.startswith(f"{ORIGIN}+{signer.verifier.key_id.hex()}+")
    assert Verifier.decode(text) == signer.verifier


def test_a_head_for_another_origin_is_refused(signer: Signer) -> None:
    note = Signer("other.example/log", signer._key).sign(
        Checkpoint("other.example/log", 1, HEAD.root)
    )
    with pytest.raises(CheckpointError) as raised:
        open_checkpoint(note, signer.verifier)
    assert raised.value.code == CheckpointErrorCode.WRONG_ORIGIN


def test_a_head_signed_by_another_key_is_refused(signer: Signer) -> None:
    note = Signer(ORIGIN, Ed25519PrivateKey.generate()).sign(HEAD)
    with pytest.raises(CheckpointError) as raised:
        open_checkpoint(note, signer.verifier)
    assert raised.value.code == CheckpointErrorCode.UNKNOWN_KEY


@pytest.mark.parametrize(
    "tamper",
    [
        lambda note: note.replace("\n42\n", "\n43\n"),
        lambda note: note.replace(ORIGIN + "\n", ORIGIN + "\n", 1).replace(
            base64.b64encode(HEAD.root).decode(), base64.b64encode(bytes(32)).decode()
        ),
    ],
    ids=["size-changed", "root-changed"],
)
def test_a_tampered_head_fails_its_signature(signer: Signer, tamper: object) -> None:
    note = tamper(signer.sign(HEAD))  # type: ignore[operator]
    with pytest.raises(CheckpointError) as raised:
        open_checkpoint(note, signer.verifier)
    assert raised.value.code == CheckpointErrorCode.BAD_SIGNATURE


@pytest.mark.parametrize(
    "note",
    [
        "",
        f"{ORIGIN}\n42\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(bytes(32)).decode()}\n\n\u2014 x AAAA\n",
        f"{ORIGIN}\n042\n{base64.b64encode(bytes(32)).decode()}\n\n\u2014 x AAAA\n",
        f"{ORIGIN}\n1\n{base64.b64encode(bytes(31)).decode()}\n\n\u2014 x AAAA\n",
        f"{ORIGIN}\n1\nnot base64!\n\n\u2014 x AAAA\n",
        f"{ORIGIN}\n1\n{base64.b64encode(bytes(32)).decode()}\n\nno dash line\n",
        f"{ORIGIN}\n{'9' * 5000}\n{base64.b64encode(bytes(32)).decode()}\n\n\u2014 x AAAA\n",
        f"{ORIGIN}\n{2**63}\n{base64.b64encode(bytes(32)).decode()}\n\n\u2014 x AAAA\n",
    ],
    ids=[
        "empty",
        "unsigned",
        "negative-size",
        "leading-zero",
        "short-root",
        "bad-root",
        "bad-line",
        "size-of-5000-digits",
        "size-2^63",
    ],
)
def test_a_malformed_note_is_refused(signer: Signer, note: str) -> None:
    with pytest.raises(CheckpointError) as raised:
        open_checkpoint(note, signer.verifier)
    assert raised.value.code == CheckpointErrorCode.MALFORMED


@pytest.mark.parametrize(
    "text",
    ["", "a+b", "name+00000000+AAAA", "na me+00+AQ==", "civic+deadbeef+" + "A" * 44],
    ids=["empty", "two-parts", "short-key", "space-in-name", "wrong-key-id"],
)
def test_a_malformed_verifier_key_is_refused(text: str) -> None:
    with pytest.raises(CheckpointError):
        Verifier.decode(text)


def test_the_signing_key_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "log.pem"
    first = load_signer(path, ORIGIN)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_signer(path, ORIGIN)
    assert again.verifier == first.verifier


def test_a_missing_or_foreign_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no log signing key"):
        load_signer(tmp_path / "absent.pem", ORIGIN, create=False)
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(LedgerError, match="cannot read"):
        load_signer(tmp_path / "junk.pem", ORIGIN)


def test_a_verifier_key_whose_base64_holds_a_plus_decodes() -> None:
    seeds = (bytes([n]) * 32 for n in range(256))
    keys = (Ed25519PrivateKey.from_private_bytes(seed) for seed in seeds)
    signer = next(s for s in (Signer(ORIGIN, k) for k in keys) if "+" in s.verifier.encode()[-44:])
    assert Verifier.decode(signer.verifier.encode()) == signer.verifier


# Vectors of Go's signed-note package: golang/mod sumdb/note/note_test.go (commit fe2ec04),
# TestNewVerifier, TestNewSigner and TestSign. Ed25519 signatures are deterministic, so signing
# the same text with the same seed must give Go's note byte for byte.
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
    "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> Signer:
    seed = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[4])
    assert seed[:1] == b"\x01"
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed[1:]))


def test_our_key_id_and_verifier_key_match_gos() -> None:
    assert go_signer().verifier.encode() == GO_VERIFIER_KEY
    assert Verifier.decode(GO_VERIFIER_KEY).key_id.hex() == "c74f20a3"


def test_we_sign_gos_note_byte_for_byte_and_open_it() -> None:
    assert go_signer().sign_note(GO_TEXT) == GO_NOTE
    assert open_note(GO_NOTE, Verifier.decode(GO_VERIFIER_KEY)) == GO_TEXT


def test_gos_bad_verifier_keys_are_refused_here_too() -> None:
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(CheckpointError):
            Verifier.decode(bad)
