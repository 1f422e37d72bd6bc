"""Requests and presentations, both sides, with no storage: a verifier asks for attributes
with a fresh nonce; the wallet answers with a BBS proof disclosing exactly those, bound to
that verifier and nonce by the presentation header.

Wire forms are JSON objects with camelCase keys (what `presentationRequest` returns and
`verifyPresentation` takes, and what `civicgraph wallet present` reads and writes).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.storable_text import storable
from ledger.entries import canonical_json
from zk.bbs.pseudonyms import proof_gen_hiding_nyms, proof_verify_hiding_nyms
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import (
    NYM_COUNT,
    ORDER,
    Attribute,
    ResidentAttributes,
    attribute,
    encode_value,
    header,
    indexes,
    messages,
    presentation_header,
)
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.issuer_keys import b64

MAX_VERIFIER = 64
NONCE_LEN = 32
MAX_PROOF = 4096
"""A proof over our messages is at most 272 + 9 × 32 bytes; anything far larger is junk."""


def _bad(message: str, where: str) -> CredentialError:
    return CredentialError(CredentialErrorCode.INVALID, message, where)


def _text(data: Mapping[str, Any], key: str, limit: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= limit or not storable(value):
        raise _bad(f"{key} is a string of 1 to {limit} characters", key)
    return value


def _time(text: str, key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _bad(f"{key} is an ISO 8601 time with a zone", key)
    return moment


def check_verifier(verifier: str) -> str:
    name = verifier.strip()
    if not 0 < len(name) <= MAX_VERIFIER or not name.isprintable() or not storable(name):
        raise _bad(
            f"a verifier names itself in 1 to {MAX_VERIFIER} printable characters", "verifier"
        )
    return name


@dataclass(frozen=True)
class PresentationRequest:
    """What a verifier asks: attributes to disclose, values they must have, epochs it accepts."""

    verifier: str
    nonce: str
    attributes: tuple[Attribute, ...]
    epochs: tuple[str, ...]
    expires_at: datetime
    require: Mapping[Attribute, str | bool] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "verifier": self.verifier,
            "nonce": self.nonce,
            "attributes": [name.value for name in self.attributes],
            "require": {name.value: value for name, value in self.require.items()},
            "epochs": list(self.epochs),
            "expiresAt": self.expires_at.isoformat(),
        }

    def canonical(self) -> str:
        return canonical_json(self.to_json()).decode()

    @classmethod
    def build(
        cls,
        verifier: str,
        nonce: str,
        attributes: Sequence[str],
        epochs: Sequence[str],
        expires_at: datetime,
        require: Mapping[str, object] | None = None,
    ) -> PresentationRequest:
        """Checks every part; a required attribute is disclosed too (so it can be checked)."""
        wanted = [attribute(name) for name in attributes]
        required: dict[Attribute, str | bool] = {}
        for name, value in (require or {}).items():
            key = attribute(name, "require")
            encode_value(key, value, "require")
            required[key] = value  # type: ignore[assignment]  # checked by encode_value
        every = tuple(name for name in ORDER if name in set(wanted) | set(required))
        if not every:
            raise _bad("ask for at least one attribute", "attributes")
        if not epochs:
            raise _bad("name at least one accepted epoch", "epochs")
        named = tuple(sorted({str(Epoch.parse(e, "epochs")) for e in epochs}))
        if len(nonce) > 2 * NONCE_LEN + 8:
            raise _bad("the nonce is too long", "nonce")
        return cls(check_verifier(verifier), nonce, every, named, expires_at, required)

    @classmethod
    def from_json(cls, data: object) -> PresentationRequest:
        if not isinstance(data, Mapping):
            raise _bad("a presentation request is a JSON object", "request")
        attributes = data.get("attributes")
        epochs = data.get("epochs")
        require = data.get("require", {})
        if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
            raise _bad("attributes is a list of names", "attributes")
        if not isinstance(epochs, list) or not all(isinstance(e, str) for e in epochs):
            raise _bad("epochs is a list of YYYY-MM", "epochs")
        if not isinstance(require, Mapping):
            raise _bad("require maps attribute names to values", "require")
        return cls.build(
            _text(data, "verifier", MAX_VERIFIER),
            _text(data, "nonce"),
            attributes,
            epochs,
            _time(_text(data, "expiresAt"), "expiresAt"),
            dict(require),
        )


@dataclass(frozen=True)
class Presentation:
    key_id: str
    verifier: str
    nonce: str
    disclosed: Mapping[Attribute, str | bool]
    proof: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "keyId": self.key_id,
            "verifier": self.verifier,
            "nonce": self.nonce,
            "disclosed": {name.value: value for name, value in self.disclosed.items()},
            "proof": b64(self.proof),
        }

    @classmethod
    def from_json(cls, data: object) -> Presentation:
        if not isinstance(data, Mapping):
            raise _bad("a presentation is a JSON object", "presentation")
        key_id = _text(data, "keyId", 40)
        Epoch.of_key(key_id)
        disclosed = data.get("disclosed")
        if not isinstance(disclosed, Mapping):
            raise _bad("disclosed maps attribute names to values", "disclosed")
        values: dict[Attribute, str | bool] = {}
        for name, value in disclosed.items():
            key = attribute(str(name), "disclosed")
            encode_value(key, value)
            values[key] = value
        proof = data.get("proof")
        if not isinstance(proof, str) or len(proof) > MAX_PROOF:
            raise _bad("proof is base64", "proof")
        try:
            octets = base64.b64decode(proof, validate=True)
        except ValueError:
            raise _bad("proof is base64", "proof") from None
        return cls(
            key_id, _text(data, "verifier", MAX_VERIFIER), _text(data, "nonce"), values, octets
        )


@dataclass(frozen=True)
class HeldCredential:
    """A credential as the wallet holds it: with the nym secrets and blind only it knows."""

    key_id: str
    public_key: bytes
    attributes: ResidentAttributes
    signature: bytes
    nym_secrets: tuple[int, ...]
    prover_blind: int

    @property
    def epoch(self) -> str:
        return str(Epoch.of_key(self.key_id))


def present(
    suite: Ciphersuite, credential: HeldCredential, request: PresentationRequest
) -> Presentation:
    """A proof disclosing exactly what `request` asks, bound to its verifier and nonce."""
    if credential.epoch not in request.epochs:
        raise CredentialError(
            CredentialErrorCode.EPOCH_NOT_ACCEPTED,
            f"the credential is of {credential.epoch}; {request.verifier} accepts "
            f"{', '.join(request.epochs)}",
            "epochs",
        )
    for name, wanted in request.require.items():
        if credential.attributes.value(name) != wanted:
            raise CredentialError(
                CredentialErrorCode.NOT_SATISFIED,
                f"{request.verifier} requires {name.value} = {wanted}",
                "require",
            )
    proof = proof_gen_hiding_nyms(
        suite,
        credential.public_key,
        credential.signature,
        header(credential.key_id),
        presentation_header(request.verifier, request.nonce),
        credential.nym_secrets,
        messages(credential.attributes),
        indexes(request.attributes),
        credential.prover_blind,
    )
    disclosed = {name: credential.attributes.value(name) for name in request.attributes}
    return Presentation(credential.key_id, request.verifier, request.nonce, disclosed, proof)


def verify(
    suite: Ciphersuite,
    presentation: Presentation,
    request: PresentationRequest,
    public_key: bytes,
) -> Mapping[Attribute, str | bool]:
    """The disclosed attributes, if `presentation` answers `request` under `public_key`.

    Checks, in order: the binding to this request, the epoch, that exactly the asked
    attributes are disclosed with the required values, and the proof. Expiry and replay need
    the verifier's clock and records (`verifier.py`).
    """
    if presentation.verifier != request.verifier or presentation.nonce != request.nonce:
        raise CredentialError(
            CredentialErrorCode.INVALID_PROOF, "the presentation answers another request", "nonce"
        )
    epoch = str(Epoch.of_key(presentation.key_id))
    if epoch not in request.epochs:
        raise CredentialError(
            CredentialErrorCode.EPOCH_NOT_ACCEPTED,
            f"a credential of {epoch} is not accepted here (accepted: {', '.join(request.epochs)})",
            "keyId",
        )
    if set(presentation.disclosed) != set(request.attributes):
        raise CredentialError(
            CredentialErrorCode.INVALID,
            "the presentation must disclose exactly "
            + ", ".join(name.value for name in request.attributes),
            "disclosed",
        )
    for name, wanted in request.require.items():
        if presentation.disclosed[name] != wanted:
            raise CredentialError(
                CredentialErrorCode.NOT_SATISFIED,
                f"{name.value} must be {wanted}",
                "disclosed",
            )
    order = [name for name in ORDER if name in presentation.disclosed]
    valid = proof_verify_hiding_nyms(
        suite,
        public_key,
        presentation.proof,
        header(presentation.key_id),
        presentation_header(presentation.verifier, presentation.nonce),
        NYM_COUNT,
        len(ORDER),
        [encode_value(name, presentation.disclosed[name]) for name in order],
        indexes(order),
    )
    if not valid:
        raise CredentialError(
            CredentialErrorCode.INVALID_PROOF, "the proof does not verify", "proof"
        )
    return {name: presentation.disclosed[name] for name in order}
