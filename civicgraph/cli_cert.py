"""`civicgraph cert`: issue and revoke certificates (operator key), verify their QR codes."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Annotated, Any

import typer

from civicgraph.cli_json import read_json
from civicgraph.cli_log import verifier_from
from civicgraph.console import console, fail, run
from civicgraph.settings import Settings
from civicgraph.stores import open_log
from civicgraph.trusted_logs import resolve_trusted_logs
from graph.records import open_records
from graph.records.api_keys import Tier, tier_for
from graph.records.certificates import CertificateRow
from graph.records.db import Records
from ledger import cert_check, certificates
from ledger.cert_check import EXIT_CODES, Status, Verdict
from ledger.checkpoint import Verifier
from ledger.documents import CertificateKind
from ledger.errors import LedgerError
from ledger.keys import load_signer
from ledger.log import Log
from ledger.qr import PayloadError, QrPayload, read_image
from ledger.remote import open_source
from ledger.trusted_logs import TrustedLog

cert_app = typer.Typer(
    help="Certificates (business registrations, building permits, event licences) with QR "
    "codes checked against the log.",
    no_args_is_help=True,
)
ApiKey = Annotated[
    str,
    typer.Option(envvar="CIVIC_API_KEY", help="An operator API key (`civicgraph keys create`)."),
]
STYLE = {
    Status.VALID: "green",
    Status.REVOKED: "yellow",
    Status.TAMPERED: "red",
    Status.UNKNOWN: "magenta",
}


async def _as_operator(settings: Settings, api_key: str, action: str) -> tuple[Log, Records]:
    records = await open_records(settings.records_location, migrate=False)
    try:
        tier = await tier_for(records, api_key)
        if tier is None or not tier.at_least(Tier.OPERATOR):
            raise fail(f"{action} needs an operator key (--api-key or CIVIC_API_KEY)")
        return await open_log(settings, records), records
    except BaseException:
        await records.close()
        raise


def _read_json(path: Path) -> dict[str, Any]:
    value = read_json(path)
    if not isinstance(value, dict):
        raise fail(f"{path} holds no JSON object")
    return value


@cert_app.command("issue")
def issue(
    kind: Annotated[CertificateKind, typer.Argument(help="What the certificate certifies.")],
    document: Annotated[Path, typer.Option(help="The document's fields, a JSON object.")],
    api_key: ApiKey = "",
    qr: Annotated[
        Path | None, typer.Option(help="Where to write the QR code (PNG; default ID.png).")
    ] = None,
) -> None:
    """Issue a certificate: store the document, log its hash, write its QR code."""
    settings = Settings()
    fields = _read_json(document)

    async def work() -> tuple[certificates.Issued, QrPayload]:
        log, records = await _as_operator(settings, api_key, "issuing a certificate")
        try:
            issued = await certificates.issue(log, kind, fields)
            payload = await certificates.qr_payload(
                log,
                issued.certificate,
                max_bytes=settings.qr_max_bytes,
                proof_url=f"{settings.public_base}/certificates/{issued.certificate.cert_id}/proof",
            )
            return issued, payload
        finally:
            await records.close()

    issued, payload = run(work)
    cert = issued.certificate
    console.print(
        f"Issued {cert.cert_id} ({cert.kind}): leaf {cert.leaf_index} of the log's "
        f"{issued.head.size} leaves.",
        soft_wrap=True,
        highlight=False,
    )
    target = qr or Path(f"{cert.cert_id}.png")
    try:
        payload.save_png(target)
    except OSError as error:
        typer.echo(payload.encode())
        raise fail(
            f"{cert.cert_id} is issued, but its QR code could not be written to {target}: "
            f"{error}. The payload is above; `certificate(id:)` serves it again."
        ) from None
    console.print(f"QR code: {target}", highlight=False)
    typer.echo(payload.encode())


@cert_app.command("revoke")
def revoke(
    cert_id: Annotated[str, typer.Argument(help="The certificate's id.")],
    reason: Annotated[str, typer.Option(help="Why, as the public log will say it.")],
    api_key: ApiKey = "",
) -> None:
    """Revoke a certificate: a log entry, for good."""
    settings = Settings()

    async def work() -> CertificateRow:
        log, records = await _as_operator(settings, api_key, "revoking a certificate")
        try:
            return await certificates.revoke(log, cert_id, reason)
        finally:
            await records.close()

    row = run(work)
    console.print(f"Revoked {row.cert_id} (log leaf {row.revocation_leaf}).", highlight=False)


def _payload(source: str) -> QrPayload | Verdict:
    """The payload pasted as text, or read from a file: JSON text or a QR image."""
    text = source
    if not source.lstrip().startswith("{"):
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise fail(
                f"{source!r} is neither a readable image file nor a certificate payload: {error}"
            ) from None
        try:
            text = raw.decode("utf-8") if raw.lstrip().startswith(b"{") else read_image(path)
        except (PayloadError, UnicodeDecodeError) as error:
            raise fail(str(error)) from None
    try:
        return QrPayload.decode(text)
    except PayloadError as error:
        return Verdict(Status.TAMPERED, str(error))


def _trusted(settings: Settings, server: str | None, key: str | None) -> dict[str, TrustedLog]:
    """The logs this verifier trusts: CIVIC_TRUSTED_LOGS and its own (`--server`, `--key`)."""
    own_verifier = verifier_from(key, settings) if key is not None else None
    local: Verifier | None = None
    if own_verifier is None:
        try:
            local = load_signer(settings.log_key_path, settings.log_origin, create=False).verifier
        except (LedgerError, OSError) as error:
            if not settings.trusted_logs:
                raise fail(
                    f"no trusted log: pass --key, or set CIVIC_TRUSTED_LOGS ({error})"
                ) from None
    try:
        trusted = resolve_trusted_logs(
            settings.trusted_logs,
            own_origin=own_verifier.name if own_verifier is not None else settings.log_origin,
            own_url=server,
            own_verifier=own_verifier,
            local_verifier=local,
            default_url=settings.public_base,
        )
    except ValueError as error:
        raise fail(str(error)) from None
    if not trusted:
        raise fail("no trusted log: pass --key, or give every CIVIC_TRUSTED_LOGS entry a key")
    return trusted


@cert_app.command("verify")
def verify(
    source: Annotated[str, typer.Argument(help="A QR code image, or the payload it carries.")],
    offline: Annotated[
        bool, typer.Option("--offline", help="Only check against the head the code carries.")
    ] = False,
    server: Annotated[
        str | None,
        typer.Option(
            envvar="CIVIC_SERVER_URL",
            help="This log's server, for online checks (default: CIVIC_PUBLIC_URL). Other "
            "logs' servers come from CIVIC_TRUSTED_LOGS; a code's own link is never used.",
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            help="The verifier key NAME+KEYID+KEY or @FILE of the log at --server (default: "
            "this log's); its NAME is that log's origin."
        ),
    ] = None,
    document: Annotated[
        Path | None, typer.Option(help="The document the holder shows (JSON), to match its hash.")
    ] = None,
) -> None:
    """Say whether a certificate is valid, revoked, tampered or unknown.

    Only trusted logs are asked: the one the code names by origin, at its configured server.
    A code naming no trusted log is unknown, and nothing is asked.
    Exit codes: 0 valid, 3 revoked, 4 tampered, 5 unknown, 1 could not check.
    """
    trusted = _trusted(Settings(), server, key)
    fields = _read_json(document) if document is not None else None
    payload = _payload(source)
    if isinstance(payload, Verdict):
        verdict = payload
    else:

        def connect(log: TrustedLog) -> AbstractAsyncContextManager[cert_check.LogSource]:
            return open_source(log.url)

        verdict = run(
            lambda: cert_check.check(payload, trusted, fields, connect=None if offline else connect)
        )
    style = STYLE[verdict.status]
    where = " (online)" if verdict.online else ""
    console.print(
        f"[{style}]{verdict.status.value.upper()}[/{style}]{where}: {verdict.reason}",
        soft_wrap=True,
        highlight=False,
    )
    raise typer.Exit(code=EXIT_CODES[verdict.status])
