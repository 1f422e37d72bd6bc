"""`POST /ingest/readings`: a batch of readings from a gateway, all stored or none.

Needs an operator key. Answers 200 with what was stored (a retried batch's readings count as
duplicates, not errors), 400 for a body that is not JSON, 413 for a body over 4 MiB, 415 for a
`Content-Type` other than `application/json` (UTF-8), 422 with
every refused reading and its reason (nothing stored), 401/403 without a good enough key.
Every refusal is `{"error": message, "code": code}` (docs/api.md, "Errors"), the codes those of
the GraphQL door where the mistake is the same kind (`IngestErrorCode`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.records.api_keys import Tier
from graph.request_body import BodyTooLarge, LengthInvalid, read_body
from subscriptions.ingest.payloads import ReadingBatch
from subscriptions.live import Live

MAX_BODY = 4 * 1024 * 1024


class IngestErrorCode(StrEnum):
    """`code` of an ingest refusal."""

    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    BAD_REQUEST = "bad_request"
    """A `Content-Length` that is not a number."""
    PAYLOAD_TOO_LARGE = "payload_too_large"
    JSON_INVALID = "json_invalid"
    INVALID = "invalid"
    """A batch not of the expected shape (`problems`), or readings refused (`rejected`, each
    with a code of its own): nothing was stored."""


def _problem(status: int, code: IngestErrorCode, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, "code": code.value, **extra}, status_code=status)


def is_json(content_type: str | None) -> bool:
    """True for `application/json` with no charset or UTF-8 (RFC 8259 §8.1: JSON between
    systems is UTF-8), parameters and case aside."""
    if content_type is None:
        return False
    media_type, *params = (part.strip().lower() for part in content_type.split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")]
    return media_type == "application/json" and all(c in ("utf-8", "utf8") for c in charsets)


async def ingest_readings(request: Request) -> JSONResponse:
    tier = request.scope.get("state", {}).get("tier", Tier.PUBLIC)
    if tier is Tier.PUBLIC:
        return _problem(
            401, IngestErrorCode.UNAUTHENTICATED, "an operator API key is needed (X-API-Key)"
        )
    if not tier.at_least(Tier.OPERATOR):
        return _problem(403, IngestErrorCode.FORBIDDEN, "ingest needs an operator API key")
    if not is_json(request.headers.get("content-type")):
        return _problem(
            415,
            IngestErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "send the batch as application/json (UTF-8)",
        )
    try:
        body = await read_body(request.headers.get("content-length"), request.stream(), MAX_BODY)
    except LengthInvalid as error:
        return _problem(400, IngestErrorCode.BAD_REQUEST, str(error))
    except BodyTooLarge:
        return _problem(
            413, IngestErrorCode.PAYLOAD_TOO_LARGE, f"at most {MAX_BODY} bytes per batch"
        )
    try:
        batch = ReadingBatch.model_validate_json(body)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            return _problem(400, IngestErrorCode.JSON_INVALID, "the body is not JSON")
        problems = [
            {"at": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in error.errors()
        ]
        return _problem(
            422,
            IngestErrorCode.INVALID,
            "the batch does not have the expected shape",
            problems=problems[:100],
        )
    live: Live = request.app.state.live
    result = await live.ingest.accept(batch.readings, "http")
    if result.rejected:
        refused = [
            {"index": r.index, "sensor_id": r.sensor_id, "code": r.code.value, "reason": r.reason}
            for r in result.rejected
        ]
        return _problem(
            422,
            IngestErrorCode.INVALID,
            "some readings were refused; none were stored",
            rejected=refused,
        )
    return JSONResponse(
        {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "ids": [event.id for event in result.events],
            "alerts": len(result.alerts),
        }
    )
