"""`GET /certificates/{id}/proof`: the full QR payload a by-reference code links to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledger import certificates
from ledger.certificates import CertificateError


async def certificate_proof(request: Request) -> Response:
    log = request.app.state.log
    try:
        row = await certificates.certificate(log, request.path_params["cert_id"])
    except CertificateError as error:
        return JSONResponse({"error": error.code.value, "message": str(error)}, status_code=404)
    payload = await certificates.full_payload(log, row)
    return Response(payload.encode(), media_type="application/json")
