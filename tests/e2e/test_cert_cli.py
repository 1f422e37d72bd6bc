"""`civicgraph cert verify` as a verifier runs it: a separate process, a QR image, a real server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.records.api_keys import Tier
from ledger.checkpoint import Signer, Verifier
from ledger.qr import QrPayload
from tests.recorder import recording

ISSUE = """mutation($document: JSON!) {
  issueCertificate(input: {kind: EVENT_LICENCE, document: $document}) {
    ... on IssueCertificateSuccess { certificate { id qrPayload } }
  }
}"""
REVOKE = """mutation($id: ID!) {
  revokeCertificate(input: {id: $id, reason: "event cancelled"}) { __typename }
}"""
FESTIVAL: dict[str, Any] = {
    "event_name": "Seoul Lantern Festival",
    "venue": "Cheonggyecheon",
    "district_code": "11110",
    "starts_at": "2026-11-06T18:00:00+09:00",
    "ends_at": "2026-11-22T23:00:00+09:00",
    "expected_attendance": 300000,
}


async def civicgraph(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_cert_verify_says_valid_revoked_tampered_or_unknown_with_exit_codes(
    server: str, keys: dict[Tier, str], tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        answer = await http.post(
            "/graphql",
            json={"query": ISSUE, "variables": {"document": FESTIVAL}},
            headers={"X-API-Key": keys[Tier.OPERATOR]},
        )
        certificate = answer.json()["data"]["issueCertificate"]["certificate"]
        head = await http.post("/graphql", json={"query": "{ logHead { verifierKey } }"})
        key = head.json()["data"]["logHead"]["verifierKey"]
    payload = QrPayload.decode(certificate["qrPayload"])
    image = tmp_path / "licence.png"
    payload.save_png(image)
    document = tmp_path / "licence.json"
    document.write_text(json.dumps(FESTIVAL))
    common = ["--server", server, "--key", key]

    code, output = await civicgraph(
        "cert", "verify", str(image), *common, "--document", str(document)
    )
    assert (code, output.split(":")[0]) == (0, "VALID (online)"), output
    code, output = await civicgraph("cert", "verify", str(image), "--offline", "--key", key)
    assert code == 0, output

    tampered = tmp_path / "tampered.json"
    tampered.write_text(payload.encode().replace(payload.claim.document_sha256, "0" * 64))
    code, output = await civicgraph("cert", "verify", str(tampered), *common)
    assert (code, output.split(":")[0]) == (4, "TAMPERED"), output

    stranger = Signer("civicgraph.seoul.example/log", Ed25519PrivateKey.generate())
    code, output = await civicgraph(
        "cert", "verify", str(image), "--offline", "--key", stranger.verifier.encode()
    )
    assert (code, output.split(":")[0]) == (5, "UNKNOWN"), output

    async with httpx.AsyncClient(base_url=server) as http:
        await http.post(
            "/graphql",
            json={"query": REVOKE, "variables": {"id": certificate["id"]}},
            headers={"X-API-Key": keys[Tier.OPERATOR]},
        )
    code, output = await civicgraph("cert", "verify", str(image), *common)
    assert (code, output.split(":")[0]) == (3, "REVOKED (online)"), output
    assert "event cancelled" in output


async def test_cert_verify_checks_a_link_only_code_at_the_trusted_server_never_its_link(
    server: str, keys: dict[Tier, str], tmp_path: Path
) -> None:
    # given a certificate, and a link-only code for it whose link names another server
    async with httpx.AsyncClient(base_url=server) as http:
        answer = await http.post(
            "/graphql",
            json={"query": ISSUE, "variables": {"document": FESTIVAL}},
            headers={"X-API-Key": keys[Tier.OPERATOR]},
        )
        certificate = answer.json()["data"]["issueCertificate"]["certificate"]
        head = await http.post("/graphql", json={"query": "{ logHead { verifierKey } }"})
        key = head.json()["data"]["logHead"]["verifierKey"]
    origin = Verifier.decode(key).name
    claim = QrPayload.decode(certificate["qrPayload"]).claim
    with recording() as elsewhere:
        url = f"{elsewhere.url}/certificates/{claim.cert_id}/proof"
        link = QrPayload(claim=claim, url=url, origin=origin).encode()

        # when it is verified with --server and --key, or with CIVIC_TRUSTED_LOGS alone
        by_flags = await civicgraph("cert", "verify", link, "--server", server, "--key", key)
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("CIVIC_SERVER_URL", "CIVIC_LOG_ORIGIN")
        }
        env["CIVIC_DATA_DIR"] = str(tmp_path / "verifier")  # no log key of its own
        env["CIVIC_TRUSTED_LOGS"] = json.dumps({origin: {"url": server, "key": key}})
        by_setting = await civicgraph("cert", "verify", link, env=env)

    # then both are valid online, and the code's link was never contacted
    for code, output in (by_flags, by_setting):
        assert (code, output.split(":")[0]) == (0, "VALID (online)"), output
    assert elsewhere.hits == []
