"""Dashboard sessions: an API key, presented once at sign-in, becomes a signed, expiring cookie.

The cookie holds the SHA-256 of the key (never the key: a stolen cookie does not work at
`/graphql`) and the time it was signed, under an HMAC-SHA1 signature of `itsdangerous` keyed by
a per-deployment secret (`session_key_path`, made once like the rounding key). The door
(civicgraph/auth.py) reads it on `/dashboard` paths only and looks the key up on every request,
so a revoked key ends its sessions within the key cache's lifetime. Sent HttpOnly,
SameSite=Strict, Secure behind HTTPS, with Max-Age: other sites can neither read it nor make the
browser send it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.types import Scope

from graph.errors import CivicGraphError
from ledger.keys import load_secret

COOKIE = "civic_dashboard"
KEY_BYTES = 32
SALT = "civicgraph.dashboard.session"


def session_cookie(scope: Scope) -> str | None:
    """The session cookie's value, if the request carries one (first one wins)."""
    for name, value in scope.get("headers", []):
        if name != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, found = part.strip().partition("=")
            if key == COOKIE and found:
                return str(found)
    return None


class SessionKeyError(CivicGraphError):
    """The session signing key file exists but cannot be read or is not a key."""


def load_session_key(path: Path) -> bytes:
    """The 32-byte signing secret at `path`, made there (mode 0600, once) if missing.

    Raises SessionKeyError for an unreadable file or one that does not hold 32 bytes."""
    return load_secret(path, KEY_BYTES, SessionKeyError, "session key")


@dataclass(frozen=True)
class Sessions:
    """Signs and reads session tokens; a token lives `max_age_s` seconds from sign-in."""

    secret: bytes
    max_age_s: int

    def _signer(self) -> TimestampSigner:
        return TimestampSigner(self.secret, salt=SALT)

    def token(self, key_hash: str) -> str:
        """A cookie value naming the key whose SHA-256 (hex) is `key_hash`."""
        return self._signer().sign(key_hash).decode("ascii")

    def key_hash(self, token: str) -> str | None:
        """The key hash a token names, or None when it is forged, malformed or expired."""
        if len(token) > 200:
            return None
        try:
            value = self._signer().unsign(token, max_age=self.max_age_s)
        except (BadSignature, SignatureExpired):
            return None
        text = value.decode("ascii", "replace")
        return text if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else None

    def cookie_header(self, token: str, *, secure: bool) -> str:
        """The `Set-Cookie` value that starts a session (path /dashboard)."""
        flags = "; Secure" if secure else ""
        return (
            f"{COOKIE}={token}; Max-Age={self.max_age_s}; Path=/dashboard; HttpOnly; "
            f"SameSite=Strict{flags}"
        )

    @staticmethod
    def clearing_header(*, secure: bool) -> str:
        """The `Set-Cookie` value that ends a session."""
        flags = "; Secure" if secure else ""
        return f"{COOKIE}=; Max-Age=0; Path=/dashboard; HttpOnly; SameSite=Strict{flags}"
