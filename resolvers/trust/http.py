"""`GET /certificates/{id}/proof`: the full QR payload a by-reference code links to.

Serving it is a certificate verification (a verifier follows the code's link): it is counted
in `certificateStatistics.verified`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledger import certificates
from ledger.certificates import CertificateError
from ledger.verification_tally import VerificationTally


async def certificate_proof(request: Request) -> Response:
    log = request.app.state.log
    try:
        row = await certificates.certificate(log, request.path_params["cert_id"])
    except CertificateError as error:
        # the `{"error", "code"}` of every non-GraphQL door (docs/api.md, "Errors")
        return JSONResponse({"error": str(error), "code": error.code.value}, status_code=404)
    payload = await certificates.full_payload(log, row)
    checks: VerificationTally | None = getattr(request.app.state, "certificate_checks", None)
    if checks is not None:
        checks.record()
    return Response(payload.encode(), media_type="application/json")
