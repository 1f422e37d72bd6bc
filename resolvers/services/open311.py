"""Open311 GeoReport v2 (JSON) over the same filing logic as the GraphQL mutations.

GET services.json, GET/POST requests.json, GET requests/{id}.json under /open311/v2.
Errors follow the spec: a JSON list of {"code", "description"} with the HTTP status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.catalogue import services
from graph.query import NodeQuery
from graph.store import Node
from resolvers.core.context import Context
from resolvers.services import filing
from resolvers.services.errors import ServicesErrorCode, ServicesProblem

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
STATUS = {"open", "closed"}


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _as_request(node: Node) -> dict[str, Any]:
    return {
        "service_request_id": node["id"],
        "status": node["status"],
        "status_notes": node["status_notes"] or None,
        "service_name": node["service_name"],
        "service_code": node["service_code"],
        "description": node["description"],
        "agency_responsible": node["agency_responsible"],
        "service_notice": None,
        "requested_datetime": _iso(node["requested_at"]),
        "updated_datetime": _iso(node["updated_at"]),
        "expected_datetime": _iso(node["expected_at"]),
        "address": node["address"] or None,
        "address_id": None,
        "zipcode": None,
        "lat": node["lat"],
        "long": node["lon"],
        "media_url": None,
    }


def _context(request: Request) -> Context:
    context: Context = request.app.state.context_for(request)
    return context


async def list_services(request: Request) -> JSONResponse:
    return JSONResponse(
        [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": f"{s.name_ko} — {s.name}",
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(s.keywords),
                "group": s.group,
            }
            for s in services()
        ]
    )


def _parse_time(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ServicesProblem(
            ServicesErrorCode.INVALID, f"{name} is not an ISO 8601 time", name
        ) from None
    if moment.tzinfo is None:
        raise ServicesProblem(ServicesErrorCode.INVALID, f"{name} needs a time zone", name)
    return moment


async def list_requests(request: Request) -> JSONResponse:
    params = request.query_params
    context = _context(request)
    try:
        ids = [i for i in params.get("service_request_id", "").split(",") if i]
        if ids:
            nodes = [n for n in await context.store.get_nodes("Case", ids) if n is not None]
            return JSONResponse([_as_request(n) for n in nodes])
        end = _parse_time(params.get("end_date"), "end_date") or datetime.now(UTC)
        start = _parse_time(params.get("start_date"), "start_date") or end - timedelta(
            days=DEFAULT_DAYS
        )
        if start > end:
            raise ServicesProblem(
                ServicesErrorCode.INVALID, "start_date is after end_date", "start_date"
            )
        equals: dict[str, list[str]] = {}
        if codes := [c for c in params.get("service_code", "").split(",") if c]:
            equals["service_code"] = codes
        if statuses := [s for s in params.get("status", "").split(",") if s]:
            if not set(statuses) <= STATUS:
                raise ServicesProblem(
                    ServicesErrorCode.INVALID, "status is open or closed", "status"
                )
            equals["status"] = statuses
    except ServicesProblem as problem:
        return _error(400, problem.message)
    query = NodeQuery("Case", equals, ranges={"requested_at": (start, end)}, limit=MAX_RESULTS)
    return JSONResponse([_as_request(n) for n in await context.store.find_nodes(query)])


async def get_request(request: Request) -> JSONResponse:
    case_id = request.path_params["request_id"]
    nodes = await _context(request).store.get_nodes("Case", [case_id])
    if nodes[0] is None:
        return _error(404, f"no service request {case_id!r}")
    return JSONResponse([_as_request(nodes[0])])


async def post_request(request: Request) -> JSONResponse:
    form: dict[str, Any]
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        form = body
    else:
        form = dict(await request.form())
    try:
        lat, lon = float(form.get("lat", "nan")), float(form.get("long", "nan"))
    except (TypeError, ValueError):
        return _error(400, "lat and long must be numbers")
    if lat != lat or lon != lon:  # NaN: missing
        return _error(400, "lat and long are required")
    new = filing.NewCase(
        service_code=str(form.get("service_code", "")),
        description=str(form.get("description", "")),
        lat=lat,
        lon=lon,
        address=str(form.get("address_string", "")),
    )
    try:
        node = await filing.file_case(_context(request), new)
    except ServicesProblem as problem:
        status = 404 if problem.code is ServicesErrorCode.UNKNOWN_SERVICE else 400
        return _error(status, problem.message)
    return JSONResponse(
        [{"service_request_id": node["id"], "service_notice": None, "account_id": None}],
        status_code=201,
    )


routes = [
    Route("/services.json", list_services, methods=["GET"]),
    Route("/requests.json", list_requests, methods=["GET"]),
    Route("/requests.json", post_request, methods=["POST"]),
    Route("/requests/{request_id}.json", get_request, methods=["GET"]),
]
