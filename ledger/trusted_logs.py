"""The logs a certificate verifier trusts, and which of them (if any) a code names.

A code names a log by origin (c2sp.org/tlog-checkpoint's first line): the origin line of the
signed head it carries, or, for a code that only links to its proof, its `origin` field. The
verifier looks that origin up among the logs it was configured with and asks only that log's
configured server, checking heads with that log's key. Nothing in a code chooses where to
connect: an origin nobody configured is simply not trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ledger.checkpoint import Verifier
from ledger.qr import QrPayload


@dataclass(frozen=True)
class TrustedLog:
    """One log a verifier trusts: its origin, its CivicGraph server, its verifier key."""

    origin: str
    url: str
    """The server's base URL (`http(s)://host[:port][/prefix]`, no trailing slash)."""
    verifier: Verifier

    def proof_url(self, cert_id: str) -> str:
        """Where this log's server serves a certificate's full payload."""
        return f"{self.url}/certificates/{cert_id}/proof"


def claimed_origin(payload: QrPayload) -> str | None:
    """The origin a code names, unverified: only to pick the key and server that will check it.

    Returns the first line of the carried head, or a link-only code's `origin` field; None for
    a link-only code issued before that field existed.
    """
    if payload.checkpoint is not None:
        return payload.checkpoint.split("\n", 1)[0]
    return payload.origin


def trusted_log_for(payload: QrPayload, trusted: Mapping[str, TrustedLog]) -> TrustedLog | None:
    """The trusted log a code names, or None when it names none of them.

    A link-only code without an origin (issued before codes carried one) is matched by its
    link: a URL under a trusted server's `/certificates/` is that server's. Only the trusted
    log's own URL is ever used to connect, never the code's.
    """
    origin = claimed_origin(payload)
    if origin is not None:
        return trusted.get(origin)
    if payload.url is None:
        return None
    for log in trusted.values():
        if payload.url == log.proof_url(payload.claim.cert_id):
            return log
    return None
