"""`CIVIC_TRUSTED_LOGS`: the logs `civicgraph cert verify` trusts, beside this deployment's own.

The variable is a JSON object from log origin to `{"url": server, "key": verifier key}`:

    CIVIC_TRUSTED_LOGS='{"busan.example/log": {"url": "https://api.busan.example",
                         "key": "busan.example/log+1a2b3c4d+AQ..."}}'

This deployment's own log (`CIVIC_LOG_ORIGIN`) is trusted too, at `--server` /
`CIVIC_SERVER_URL` (else its entry's url, else `CIVIC_PUBLIC_URL`) with `--key` (else its
entry's key, else the local log key). `--key` names another origin when its key's name does.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict

from ledger.checkpoint import Verifier
from ledger.errors import CheckpointError
from ledger.trusted_logs import TrustedLog


def _server_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{text!r}: a server URL has no query, fragment or credentials")
    return text.rstrip("/")


def _verifier_key(text: str) -> str:
    try:
        Verifier.decode(text)
    except CheckpointError as error:
        raise ValueError(f"not a verifier key ({error})") from None
    return text.strip()


def _origins(entries: dict[str, TrustedLogEntry]) -> dict[str, TrustedLogEntry]:
    for origin in entries:
        if not origin or origin != origin.strip() or "\n" in origin:
            raise ValueError(f"{origin!r} is not a log origin (one line, no edge spaces)")
    return entries


class TrustedLogEntry(BaseModel):
    """One trusted log as configured: its server and its verifier key (NAME+KEYID+KEY)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Annotated[str, AfterValidator(_server_url)]
    key: Annotated[str, AfterValidator(_verifier_key)] | None = None
    """May be left out only for this deployment's own origin (the local log key)."""


TrustedLogs = Annotated[dict[str, TrustedLogEntry], AfterValidator(_origins)]


def resolve_trusted_logs(
    entries: dict[str, TrustedLogEntry],
    *,
    own_origin: str,
    own_url: str | None,
    own_verifier: Verifier | None,
    local_verifier: Verifier | None,
    default_url: str,
) -> dict[str, TrustedLog]:
    """Every trusted log by origin: `entries`, with this deployment's own log filled in.

    `own_url`/`own_verifier` are the command line's (None: not given); the own log's key is
    `own_verifier`, else its entry's, else `local_verifier`, and the own log is left out when
    none is known. Raises ValueError for an entry of another origin without a key.
    """
    trusted: dict[str, TrustedLog] = {}
    for origin, entry in entries.items():
        if entry.key is None:
            if origin != own_origin:
                raise ValueError(f"CIVIC_TRUSTED_LOGS: {origin!r} has no key")
            continue
        trusted[origin] = TrustedLog(origin, entry.url, Verifier.decode(entry.key))
    own = entries.get(own_origin)
    url = own_url or (own.url if own is not None else default_url)
    listed = trusted[own_origin].verifier if own_origin in trusted else None
    verifier = own_verifier or listed or local_verifier
    if verifier is not None:
        trusted[own_origin] = TrustedLog(own_origin, _server_url(url), verifier)
    return trusted
