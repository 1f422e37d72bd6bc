"""The wallet file: encrypted at rest, opened only with its passphrase, never half-written."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from zk.credentials.attributes import ResidentAttributes
from zk.wallet import StoredCredential, WalletError, create, open_wallet, save

PASSPHRASE = "correct horse battery"


def stored(key_id: str = "resident-2026-11", district: str = "11680") -> StoredCredential:
    attributes = ResidentAttributes(district=district, over19=True, over65=False, welfare=False)
    return StoredCredential(
        key_id, b"\x01" * 96, attributes, b"\x02" * 80, (7, 8, 9, 2**200), 5, "http://city"
    )


def test_a_wallet_round_trips_and_holds_nothing_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "wallet.json"
    wallet = create(path, PASSPHRASE)
    wallet.add(stored())
    save(path, wallet, PASSPHRASE)

    opened = open_wallet(path, PASSPHRASE)
    assert opened.wallet_key == wallet.wallet_key
    assert opened.credentials == [stored()]
    raw = path.read_bytes()
    assert b"11680" not in raw
    assert f"{2**200:064x}".encode() not in raw  # a nym secret
    assert json.loads(raw)["cipher"] == "AES-256-GCM"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["wallet.json"]  # no temporary left


def test_a_later_credential_of_the_same_key_replaces_the_earlier(tmp_path: Path) -> None:
    wallet = create(tmp_path / "w.json", PASSPHRASE)
    wallet.add(stored("resident-2026-10", "11110"))
    wallet.add(stored())
    wallet.add(stored(district="11650"))
    assert [(c.key_id, c.attributes.district) for c in wallet.credentials] == [
        ("resident-2026-10", "11110"),
        ("resident-2026-11", "11650"),
    ]
    assert wallet.credential_for(("2026-10", "2026-11")) == wallet.credentials[1]
    assert wallet.credential_for(("2026-09",)) is None


def test_a_wrong_passphrase_or_an_altered_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wallet.json"
    create(path, PASSPHRASE)
    with pytest.raises(WalletError, match="wrong passphrase"):
        open_wallet(path, "another passphrase")

    outer = json.loads(path.read_bytes())
    for altered in (
        {**outer, "kdf": {**outer["kdf"], "n": 2**14}},  # weaker stretching slipped in
        {**outer, "ciphertext": outer["ciphertext"][:-8] + "AAAAAAA="},
        {**outer, "nonce": "AAAAAAAAAAAAAAAA"},
    ):
        path.write_text(json.dumps(altered))
        with pytest.raises(WalletError):
            open_wallet(path, PASSPHRASE)
    for junk in ("not json", "{}", json.dumps({**outer, "kdf": {**outer["kdf"], "n": 2**30}})):
        path.write_text(junk)
        with pytest.raises(WalletError):
            open_wallet(path, PASSPHRASE)


def test_a_wallet_is_never_overwritten_and_needs_a_real_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "wallet.json"
    create(path, PASSPHRASE)
    before = path.read_bytes()
    with pytest.raises(WalletError, match="never overwritten"):
        create(path, PASSPHRASE)
    assert path.read_bytes() == before
    with pytest.raises(WalletError, match="at least 8"):
        create(tmp_path / "other.json", "short")
    with pytest.raises(WalletError, match="no wallet"):
        open_wallet(tmp_path / "missing.json", PASSPHRASE)
