"""The wallet's side of the identity API over GraphQL: published keys, credential requests, and
(for a verifier with a key) presentation checks."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import httpx

from graph.errors import CivicGraphError
from zk.bbs.errors import BbsError
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import NYM_COUNT, ResidentAttributes
from zk.credentials.epochs import Epoch
from zk.credentials.holder import finalize, prepare_request
from zk.credentials.issuer_keys import b64
from zk.polls.errors import PollRefusal
from zk.polls.model import Ballot, Poll
from zk.wallet import StoredCredential, Wallet

KEYS = "{ issuerKeys { keyId epoch ciphersuite publicKey logIndex } }"
REQUEST = """mutation($input: CredentialRequestInput!) { requestCredential(input: $input) {
  __typename
  ... on Credential { keyId epoch publicKey header signature signerNymEntropy
    attributes { district over19 over65 welfare } }
  ... on IdentityError { code field message }
} }"""
VERIFY = """mutation($presentation: JSON!) { verifyPresentation(presentation: $presentation) {
  __typename
  ... on VerifiedPresentation { keyId epoch disclosed { district over19 over65 welfare } }
  ... on IdentityError { code field message }
} }"""


POLL = """query($id: ID!) { poll(id: $id) {
  id question options epoch opensAt closesAt
  eligibility { districts over19 over65 welfare }
} }"""
CAST = """mutation($ballot: JSON!) { castBallot(ballot: $ballot) {
  __typename
  ... on BallotReceipt { pollId leafIndex pseudonym }
  ... on PollError { code field message }
} }"""


class RemoteError(CivicGraphError):
    """The server could not be asked, or answered something a wallet must not accept."""


class Refused(CivicGraphError):
    """The server refused with a typed IdentityError (code, field, message)."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class IdentityClient:
    def __init__(
        self, client: httpx.AsyncClient, base_url: str, api_key: str | None = None
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.headers = {"X-API-Key": api_key} if api_key else {}

    async def _ask(self, query: str, variables: Mapping[str, Any], field: str) -> Any:
        try:
            response = await self.client.post(
                f"{self.base_url}/graphql",
                # ASCII JSON: whatever text a caller passes reaches the server, which judges it
                content=json.dumps({"query": query, "variables": dict(variables)}),
                headers={**self.headers, "content-type": "application/json"},
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RemoteError(f"cannot ask {self.base_url}: {error}") from None
        if not isinstance(body, dict) or body.get("errors") or not body.get("data"):
            errors = body.get("errors") if isinstance(body, dict) else body
            raise RemoteError(f"{self.base_url} answered with errors: {errors}")
        answer = body["data"][field]
        if isinstance(answer, dict) and answer.get("__typename") in ("IdentityError", "PollError"):
            raise Refused(str(answer["code"]), answer.get("field"), str(answer["message"]))
        return answer

    async def issuer_keys(self) -> dict[str, bytes]:
        """Key id -> public key, for every key the city has published."""
        answer = await self._ask(KEYS, {}, "issuerKeys")
        try:
            return {k["keyId"]: base64.b64decode(k["publicKey"]) for k in answer}
        except (KeyError, TypeError, binascii.Error):
            raise RemoteError(f"{self.base_url} sent malformed issuer keys") from None

    async def request_credential(
        self, wallet: Wallet, suite: Ciphersuite, epoch: Epoch, code: str | None
    ) -> StoredCredential:
        """Ask for `epoch`'s credential over a fresh blind commitment to new nym secrets, and
        accept it only if it verifies under the published key and says what it claims."""
        pending = prepare_request(suite, wallet, epoch, code)
        request = pending.request
        fields: dict[str, Any] = {
            "epoch": request.epoch,
            "commitment": b64(request.commitment),
            "nymCount": NYM_COUNT,
            "walletKey": b64(request.wallet_key),
            "signature": b64(request.signature),
        }
        if code:
            fields["enrolmentCode"] = code
        answer = await self._ask(REQUEST, {"input": fields}, "requestCredential")
        published = await self.issuer_keys()
        try:
            key_id = str(answer["keyId"])
            attributes = ResidentAttributes(**answer["attributes"])
            public_key = base64.b64decode(answer["publicKey"])
            signed = base64.b64decode(answer["signature"])
            entropy = int.from_bytes(base64.b64decode(answer["signerNymEntropy"]), "big")
        except (KeyError, TypeError, binascii.Error):
            raise RemoteError(f"{self.base_url} sent a malformed credential") from None
        if key_id != epoch.key_id or published.get(key_id) != public_key:
            raise RemoteError(f"the credential is not under the published key {epoch.key_id}")
        try:
            held = finalize(suite, pending, key_id, public_key, attributes, signed, entropy)
        except BbsError:
            raise RemoteError("the credential's signature does not verify: not stored") from None
        return StoredCredential(
            key_id,
            public_key,
            attributes,
            signed,
            held.nym_secrets,
            held.prover_blind,
            self.base_url,
        )

    async def verify_presentation(self, presentation: Any) -> dict[str, Any]:
        """The server's verdict (needs a developer key); spends the request's nonce.

        `presentation` is sent as read (any JSON): the server says what is wrong with it.
        """
        answer: dict[str, Any] = await self._ask(
            VERIFY, {"presentation": presentation}, "verifyPresentation"
        )
        return answer

    async def poll(self, poll_id: str) -> Poll:
        """The poll's definition, as the wallet needs it to make a ballot."""
        answer = await self._ask(POLL, {"id": poll_id}, "poll")
        try:
            return Poll.from_definition(
                str(answer["id"]),
                {
                    "question": answer["question"],
                    "options": answer["options"],
                    "eligibility": answer["eligibility"],
                    "epoch": answer["epoch"],
                    "opens_at": answer["opensAt"],
                    "closes_at": answer["closesAt"],
                },
            )
        except (KeyError, TypeError, PollRefusal):
            raise RemoteError(f"{self.base_url} sent a malformed poll") from None

    async def cast_ballot(self, ballot: Ballot) -> dict[str, Any]:
        """The receipt of an accepted ballot; Refused (with the PollError code) otherwise."""
        receipt: dict[str, Any] = await self._ask(CAST, {"ballot": ballot.to_json()}, "castBallot")
        return receipt
