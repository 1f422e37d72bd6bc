"""A log source over a CivicGraph server's GraphQL API: what an online certificate check asks."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from ledger.cert_check import Registered, Revocation
from ledger.errors import LedgerError

REGISTERED = """query($id: ID!, $size: Int!) { certificate(id: $id) {
  documentSha256
  revocationEntry { index leafInput inclusionProof(treeSize: $size) { hashes } }
} }"""


class RemoteError(LedgerError):
    """The server could not be asked or answered something else than expected."""


class GraphQLLogSource:
    """Asks `base_url`/graphql with `client` (a plain httpx.AsyncClient, or one over ASGI)."""

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")

    async def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.client.post(
                f"{self.base_url}/graphql", json={"query": query, "variables": variables}
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
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

    async def full_payload(self, url: str) -> str:
        try:
            response = await self.client.get(url)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RemoteError(f"cannot fetch {url}: {error}") from None
        return response.text
