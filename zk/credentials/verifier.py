"""The verifier's side with records: issue a request with a fresh nonce, accept each answer once.

A request lives `REQUEST_TTL` (five minutes by default) and its nonce is spent by the first
presentation that verifies, so a replayed or late presentation is refused. The proof is checked
before the nonce is spent: garbage sent by someone who saw the nonce cannot burn the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

from graph.records import Records
from graph.records.identity import (
    PresentationRequestRow,
    find_presentation_request,
    insert_presentation_request,
    issuer_key_for,
    use_presentation_request,
)
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import Attribute
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.presentation import Presentation, PresentationRequest, verify

REQUEST_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Accepted:
    key_id: str
    epoch: str
    disclosed: Mapping[Attribute, str | bool]


class Verifier:
    """Presentation requests and their answers in `records`, checked with `suite`."""

    def __init__(
        self, records: Records, suite: Ciphersuite, clock: Callable[[], datetime] = _now
    ) -> None:
        self.records = records
        self.suite = suite
        self.clock = clock

    async def request(
        self,
        verifier: str,
        attributes: Sequence[str],
        *,
        require: Mapping[str, object] | None = None,
        epochs: Sequence[str] | None = None,
        ttl: timedelta = REQUEST_TTL,
    ) -> PresentationRequest:
        """A fresh request; epochs default to the current one."""
        if not timedelta(seconds=10) <= ttl <= MAX_TTL:
            raise CredentialError(
                CredentialErrorCode.INVALID, "a request lives 10 seconds to 1 hour", "ttlSeconds"
            )
        now = self.clock().replace(microsecond=0)
        named = list(epochs) if epochs else [str(Epoch.at(now))]
        built = PresentationRequest.build(
            verifier, secrets.token_urlsafe(32), attributes, named, now + ttl, require
        )
        await insert_presentation_request(
            self.records,
            PresentationRequestRow(
                built.nonce, built.verifier, built.canonical(), now, built.expires_at
            ),
        )
        return built

    async def accept(self, data: object) -> Accepted:
        """The disclosed attributes of a presentation that answers one of our live requests."""
        presentation = Presentation.from_json(data)
        row = await find_presentation_request(self.records, presentation.nonce)
        if row is None:
            raise CredentialError(
                CredentialErrorCode.UNKNOWN_REQUEST, "no request has this nonce", "nonce"
            )
        now = self.clock()
        if row.used_at is not None:
            raise CredentialError(
                CredentialErrorCode.REPLAYED, "this request was answered already", "nonce"
            )
        if row.expires_at <= now:
            raise CredentialError(
                CredentialErrorCode.EXPIRED,
                f"the request expired at {row.expires_at:%H:%M:%S} UTC: ask for a new one",
                "nonce",
            )
        request = PresentationRequest.from_json(orjson.loads(row.request))
        epoch = Epoch.of_key(presentation.key_id)
        published = await issuer_key_for(self.records, str(epoch))
        if published is None or published.key_id != presentation.key_id:
            raise CredentialError(
                CredentialErrorCode.UNKNOWN_KEY,
                f"the city has published no key {presentation.key_id}",
                "keyId",
            )
        disclosed = verify(self.suite, presentation, request, published.public_key)
        if not await use_presentation_request(self.records, presentation.nonce, now):
            raise CredentialError(
                CredentialErrorCode.REPLAYED, "this request was answered already", "nonce"
            )
        return Accepted(presentation.key_id, str(epoch), disclosed)
