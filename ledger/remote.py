"""A log source over a CivicGraph server's GraphQL API: what an online certificate check asks.

Every answer is bounded: redirects are refused (never followed), each request has a deadline
for the whole exchange, and a body over `max_bytes` is refused while it is read.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from ledger.cert_check import Registered, Revocation
from ledger.errors import LedgerError

REGISTERED = """query($id: ID!, $size: Int!) { certificate(id: $id) {
  documentSha256
  revocationEntry { index leafInput inclusionProof(treeSize: $size) { hashes } }
} }"""


MAX_RESPONSE_BYTES = 1024 * 1024
"""Largest answer read (bytes): a consistency proof at 10 M leaves is about 1.2 KB of JSON."""
DEADLINE_SECONDS = 10.0
"""Longest one request may take, connecting and reading included."""


class RemoteError(LedgerError):
    """The server could not be asked or answered something else than expected."""


class GraphQLLogSource:
    """Asks `base_url` (its `/graphql` and `/certificates/{id}/proof`) with `client` (a plain
    httpx.AsyncClient, or one over ASGI), and nothing else."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        max_bytes: int = MAX_RESPONSE_BYTES,
        deadline: float = DEADLINE_SECONDS,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.max_bytes = max_bytes
        self.deadline = deadline

    async def _fetch(self, request: httpx.Request) -> tuple[int, bytes]:
        """Status and body of `request`. Raises RemoteError on a redirect, a body over
        `max_bytes`, the deadline, or any transport error."""
        url = request.url
        try:
            async with asyncio.timeout(self.deadline):
                response = await self.client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.is_redirect:
                        where = response.headers.get("location")
                        raise RemoteError(f"{url} redirects to {where!r}: not followed")
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.max_bytes:
                        raise RemoteError(f"{url} answered {declared} bytes, over {self.max_bytes}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise RemoteError(f"{url} answered over {self.max_bytes} bytes")
                    return response.status_code, bytes(body)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise RemoteError(f"{url} did not answer within {self.deadline:g} s") from None
        except httpx.HTTPError as error:
            raise RemoteError(f"cannot ask {url}: {error}") from None

    async def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        request = self.client.build_request(
            "POST",
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Accept": "application/json", "Accept-Encoding": "identity"},
        )
        _, raw = await self._fetch(request)
        try:
            body = orjson.loads(raw)  # bounded depth: a server's answer is not trusted
        except ValueError as error:
            raise RemoteError(f"cannot ask {self.base_url}: {error}") from None
        if not isinstance(body, dict):
            raise RemoteError(f"{self.base_url} did not answer with a GraphQL response")
        return body

    async def head(self) -> str:
        body = await self._query("{ logHead { checkpoint } }", {})
        try:
            return str(body["data"]["logHead"]["checkpoint"])
        except (KeyError, TypeError):
            raise RemoteError(
                f"{self.base_url} gave no signed head: {body.get('errors')}"
            ) from None

    async def consistency(self, size1: int, size2: int) -> list[bytes]:
        body = await self._query(
            "query($a: Int!, $b: Int!) { logConsistency(fromSize: $a, toSize: $b) { hashes } }",
            {"a": size1, "b": size2},
        )
        try:
            return [base64.b64decode(h) for h in body["data"]["logConsistency"]["hashes"]]
        except (KeyError, TypeError, ValueError):
            raise RemoteError(
                f"{self.base_url} gave no consistency proof: {body.get('errors')}"
            ) from None

    async def registered(self, cert_id: str, tree_size: int) -> Registered | None:
        body = await self._query(REGISTERED, {"id": cert_id, "size": tree_size})
        errors = body.get("errors") or []
        codes = [
            e.get("extensions", {}).get("code") if isinstance(e, dict) else None for e in errors
        ]
        if codes == ["not_found"]:
            return None
        if errors:  # a half answer could hide a revocation: not knowing is not "valid"
            raise RemoteError(
                f"{self.base_url} could not say whether {cert_id} is revoked: {errors}"
            )
        try:
            found = body["data"]["certificate"]
            revoked = found["revocationEntry"]
            revocation = None
            if revoked is not None:
                revocation = Revocation(
                    leaf_index=int(revoked["index"]),
                    leaf_input=base64.b64decode(revoked["leafInput"]),
                    proof=[base64.b64decode(h) for h in revoked["inclusionProof"]["hashes"]],
                )
            return Registered(str(found["documentSha256"]), revocation)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RemoteError(f"{self.base_url} gave no certificate: {errors}") from None

    async def full_payload(self, cert_id: str) -> str:
        """The full payload this server serves for `cert_id` (a link-only code's proof)."""
        url = f"{self.base_url}/certificates/{quote(cert_id, safe='')}/proof"
        request = self.client.build_request("GET", url, headers={"Accept-Encoding": "identity"})
        status, raw = await self._fetch(request)
        if status != 200:
            raise RemoteError(f"cannot fetch {url}: HTTP {status}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise RemoteError(f"{url} answered bytes that are not UTF-8") from None


@asynccontextmanager
async def open_source(
    base_url: str, *, max_bytes: int = MAX_RESPONSE_BYTES, deadline: float = DEADLINE_SECONDS
) -> AsyncIterator[GraphQLLogSource]:
    """A source over the CivicGraph server at `base_url`, on its own client (closed after)."""
    async with httpx.AsyncClient(timeout=deadline, follow_redirects=False) as client:
        yield GraphQLLogSource(client, base_url, max_bytes=max_bytes, deadline=deadline)
