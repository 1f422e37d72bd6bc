"""The wallet's half of issuance: commit to fresh nym secrets, sign the request, and finalize
the answer (add the city's entropy, check the blind signature) into a credential it can use."""

from __future__ import annotations

from dataclasses import dataclass

from zk.bbs.proofs import calculate_random_scalars
from zk.bbs.pseudonyms import commit_with_nym, verify_finalize_with_nym
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import NYM_COUNT, ResidentAttributes, header, messages
from zk.credentials.epochs import Epoch
from zk.credentials.issuance import CredentialRequest, IssuedCredential, request_message
from zk.credentials.presentation import HeldCredential
from zk.wallet import Wallet


@dataclass(frozen=True)
class Pending:
    """A request sent, and what only the wallet knows to finalize its answer."""

    request: CredentialRequest
    prover_nyms: tuple[int, ...]
    prover_blind: int


def prepare_request(
    suite: Ciphersuite, wallet: Wallet, epoch: Epoch, code: str | None = None
) -> Pending:
    """A credential request for `epoch` over a fresh commitment, signed by the wallet's key."""
    nyms = calculate_random_scalars(NYM_COUNT)
    made = commit_with_nym(suite, [], nyms)
    key = wallet.wallet_key
    signature = wallet.signing_key.sign(
        request_message(str(epoch), made.commitment_with_proof, key)
    )
    request = CredentialRequest(str(epoch), made.commitment_with_proof, key, signature, code)
    return Pending(request, tuple(nyms), made.secret_prover_blind)


def finalize(
    suite: Ciphersuite,
    pending: Pending,
    key_id: str,
    public_key: bytes,
    attributes: ResidentAttributes,
    signature: bytes,
    signer_nym_entropy: int,
) -> HeldCredential:
    """The usable credential; BbsError if the blind signature does not verify."""
    nym_secrets = verify_finalize_with_nym(
        suite,
        public_key,
        signature,
        header(key_id),
        messages(attributes),
        [],
        list(pending.prover_nyms),
        signer_nym_entropy,
        pending.prover_blind,
    )
    return HeldCredential(
        key_id, public_key, attributes, signature, tuple(nym_secrets), pending.prover_blind
    )


def receive(suite: Ciphersuite, pending: Pending, issued: IssuedCredential) -> HeldCredential:
    """`finalize` on the issuer's answer as this process got it (an in-process issuance);
    BbsError if the blind signature does not verify."""
    return finalize(
        suite,
        pending,
        issued.key_id,
        issued.public_key,
        issued.attributes,
        issued.signature,
        issued.signer_nym_entropy,
    )
