"""`POST /ingest/readings`: a batch of readings from a gateway, all stored or none.

Needs an operator key. Answers 200 with what was stored (a retried batch's readings count as
duplicates, not errors), 400 for a body that is not JSON, 413 for a body over 4 MiB, 422 with
every refused reading and its reason (nothing stored), 401/403 without a good enough key.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.records.api_keys import Tier
from subscriptions.ingest.payloads import ReadingBatch
from subscriptions.live import Live

MAX_BODY = 4 * 1024 * 1024


def _problem(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


async def ingest_readings(request: Request) -> JSONResponse:
    tier = request.scope.get("state", {}).get("tier", Tier.PUBLIC)
    if tier is Tier.PUBLIC:
        return _problem(401, "an operator API key is needed (X-API-Key)")
    if not tier.at_least(Tier.OPERATOR):
        return _problem(403, "ingest needs an operator API key")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return _problem(413, f"at most {MAX_BODY} bytes per batch")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _problem(413, f"at most {MAX_BODY} bytes per batch")
    try:
        batch = ReadingBatch.model_validate_json(body)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            return _problem(400, "the body is not JSON")
        problems = [
            {"at": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in error.errors()
        ]
        return _problem(422, "the batch does not have the expected shape", problems=problems[:100])
    live: Live = request.app.state.live
    result = await live.ingest.accept(batch.readings, "http")
    if result.rejected:
        refused = [
            {"index": r.index, "sensor_id": r.sensor_id, "code": r.code.value, "reason": r.reason}
            for r in result.rejected
        ]
        return _problem(422, "some readings were refused; none were stored", rejected=refused)
    return JSONResponse(
        {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "ids": [event.id for event in result.events],
            "alerts": len(result.alerts),
        }
    )
