"""What a certificate's QR code carries, and the code itself (segno to draw, zxing-cpp to read).

The payload is ASCII JSON: the claim the issuance leaf makes (id, kind, document hash, time),
and either the proof (leaf index, tree size, inclusion proof, the signed head it leads to) or,
when that is too big for one comfortable code, a URL serving the full payload and the origin of
the log that holds it. A verifier fetches the full payload from the server it trusts for that
origin, never from the URL (ledger/trusted_logs.py).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno

from ledger.entries import Entry
from ledger.errors import LedgerError

MARK = "civicgraph-certificate"
VERSION = 1
ISSUED = "certificate.issued"
REVOKED = "certificate.revoked"


class PayloadError(LedgerError):
    """Text that is not a certificate payload of ours (or was altered into one it is not)."""


@dataclass(frozen=True)
class CertificateClaim:
    cert_id: str
    kind: str
    document_sha256: str
    issued_at: str

    def entry(self) -> Entry:
        """The issuance leaf this claim is."""
        body = {
            "kind": self.kind,
            "document_sha256": self.document_sha256,
            "issued_at": self.issued_at,
        }
        return Entry(ISSUED, self.cert_id, body)


@dataclass(frozen=True)
class QrPayload:
    claim: CertificateClaim
    leaf_index: int | None = None
    tree_size: int | None = None
    proof: tuple[bytes, ...] = ()
    checkpoint: str | None = None
    url: str | None = None
    """Set instead of the proof when the full payload is served at this URL (informative only:
    verifiers fetch from the server they trust for `origin`)."""
    origin: str | None = None
    """With `url`: the origin line of the log holding the claim (c2sp.org/tlog-checkpoint).
    Codes issued before it existed lack it."""

    @property
    def by_reference(self) -> bool:
        return self.url is not None

    def encode(self) -> str:
        claim = self.claim
        fields: dict[str, Any] = {
            "t": MARK,
            "v": VERSION,
            "id": claim.cert_id,
            "kind": claim.kind,
            "doc": claim.document_sha256,
            "at": claim.issued_at,
        }
        if self.url is not None:
            fields["url"] = self.url
            if self.origin is not None:
                fields["origin"] = self.origin
        else:
            fields |= {
                "leaf": self.leaf_index,
                "size": self.tree_size,
                "proof": [base64.b64encode(h).decode() for h in self.proof],
                "head": self.checkpoint,
            }
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def decode(cls, text: str) -> QrPayload:
        try:
            fields = json.loads(text)
            if not isinstance(fields, dict) or fields.get("t") != MARK:
                raise PayloadError("not a CivicGraph certificate code")
            if fields.get("v") != VERSION:
                raise PayloadError(f"unknown payload version {fields.get('v')!r}")
            claim = CertificateClaim(
                _text(fields, "id"),
                _text(fields, "kind"),
                _text(fields, "doc"),
                _text(fields, "at"),
            )
            claim.entry().encode()  # an id or kind no leaf could hold is not ours
            if "url" in fields:
                origin = _text(fields, "origin") if "origin" in fields else None
                return cls(claim=claim, url=_text(fields, "url"), origin=origin)
            proof = fields["proof"]
            if not isinstance(proof, list):
                raise PayloadError("proof is not a list")
            return cls(
                claim=claim,
                leaf_index=_int(fields, "leaf"),
                tree_size=_int(fields, "size"),
                proof=tuple(base64.b64decode(_str(h), validate=True) for h in proof),
                checkpoint=_text(fields, "head"),
            )
        except (
            ValueError,
            KeyError,
            TypeError,
            binascii.Error,
            RecursionError,
            LedgerError,
        ) as error:
            if isinstance(error, PayloadError):
                raise
            raise PayloadError(f"not a valid certificate payload ({error})") from None

    def svg(self) -> str:
        """The QR code as an SVG document (for web pages and the API)."""
        buffer = io.BytesIO()
        _code(self.encode()).save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
        return buffer.getvalue().decode()

    def save_png(self, path: Path, scale: int = 4) -> None:
        _code(self.encode()).save(str(path), kind="png", scale=scale, border=4)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{name} is not a non-empty string")
    return value


def _int(fields: dict[str, Any], name: str) -> int:
    value = fields[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PayloadError(f"{name} is not a non-negative integer")
    return value


def _code(text: str) -> segno.QRCode:
    return segno.make(text, error="m", micro=False, boost_error=False)


def read_image(path: Path) -> str:
    """The text of the first QR code in an image file (PNG, JPEG, ...), read by zxing-cpp."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError) as error:
        raise PayloadError(f"cannot read the image {path}: {error}") from None
    codes = [code for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]
    if not codes:
        raise PayloadError(f"no QR code found in {path}")
    return str(codes[0].text)
