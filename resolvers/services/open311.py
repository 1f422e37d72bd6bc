"""Open311 GeoReport v2 (JSON) over the same filing logic as the GraphQL mutations.

GET services.json, GET/POST requests.json, GET requests/{id}.json under /open311/v2.
Errors follow the spec: a JSON list of {"code", "description"} with the HTTP status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Match, Route

from graph.catalogue import services
from graph.query import NodeQuery
from graph.records.reviews import pending_by_subject
from graph.store import Node
from graph.strict_numbers import parse_decimal
from resolvers.core.context import Context
from resolvers.core.moments import EARLIEST, LATEST
from resolvers.services import filing
from resolvers.services.errors import ServicesErrorCode, ServicesProblem
from resolvers.services.open311_input import Open311Problem, read_fields, read_query
from resolvers.services.routing import OPEN311_CHANNEL

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
STATUS = {"open", "closed"}


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _as_request(node: Node, provisional: bool = False) -> dict[str, Any]:
    return {
        "service_request_id": node["id"],
        "status": node["status"],
        "status_notes": node["status_notes"] or None,
        "service_name": node["service_name"],
        "service_code": node["service_code"],
        "description": node["description"],
        "agency_responsible": node["agency_responsible"],
        "service_notice": _provisional_notice(node) if provisional else None,
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
    """GET services.json (GeoReport v2 "GET Service List"): its query string is read as the
    other endpoints read theirs (`jurisdiction_id` this city's or absent; 400 for bytes that
    are not UTF-8 or text the stores cannot hold)."""
    try:
        _check_jurisdiction(read_query(request))
    except Open311Problem as problem:
        return _error(problem.status, problem.description)
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


JURISDICTION = "seoul.go.kr"
"""The one jurisdiction served: `jurisdiction_id` may be omitted or must be this."""
MAX_IDS = 100
CASE_ID = re.compile(r"case-[0-9a-z-]{1,48}")


def _parse_time(raw: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with its offset, between EARLIEST and LATEST (else Open311Problem)."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Problem(400, f"{name} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Open311Problem(400, f"{name} needs a time zone")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise Open311Problem(400, f"{name} must be between {_iso(EARLIEST)} and {_iso(LATEST)}")
    return utc


def _listed(params: dict[str, str], name: str) -> list[str]:
    values = [v for v in params.get(name, "").split(",") if v]
    if len(values) > MAX_IDS:
        raise Open311Problem(400, f"at most {MAX_IDS} values of {name}")
    if any(len(v) > 64 for v in values):
        raise Open311Problem(400, f"a value of {name} is longer than 64 characters")
    return values


def _check_jurisdiction(fields: Mapping[str, object]) -> None:
    given = fields.get("jurisdiction_id")
    if given is not None and given != JURISDICTION:
        raise Open311Problem(404, f"jurisdiction_id is {JURISDICTION!r} here")


def _case_ids(params: dict[str, str]) -> list[str] | None:
    """The service_request_id list, or None when absent; a malformed id is refused."""
    if "service_request_id" not in params:
        return None
    ids = _listed(params, "service_request_id")
    if not ids or not all(CASE_ID.fullmatch(i) for i in ids):
        raise Open311Problem(400, "service_request_id is a comma-separated list of case-… ids")
    return list(dict.fromkeys(ids))


async def list_requests(request: Request) -> JSONResponse:
    """GET requests.json: by service_request_id, or filtered (GeoReport v2 "GET Service
    Requests"); every parameter at most once."""
    context = _context(request)
    try:
        params = read_query(request)
        _check_jurisdiction(params)
        ids = _case_ids(params)
        if ids is not None:
            nodes = [n for n in await context.store.get_nodes("Case", ids) if n is not None]
            return JSONResponse(await _as_requests(context, nodes))
        end = _parse_time(params.get("end_date"), "end_date") or datetime.now(UTC)
        start = _parse_time(params.get("start_date"), "start_date") or max(
            EARLIEST, end - timedelta(days=DEFAULT_DAYS)
        )
        if start > end:
            raise Open311Problem(400, "start_date is after end_date")
        equals: dict[str, list[str]] = {}
        if codes := _listed(params, "service_code"):
            equals["service_code"] = codes
        if statuses := _listed(params, "status"):
            if not set(statuses) <= STATUS:
                raise Open311Problem(400, "status is open or closed")
            equals["status"] = statuses
    except Open311Problem as problem:
        return _error(problem.status, problem.description)
    query = NodeQuery("Case", equals, ranges={"requested_at": (start, end)}, limit=MAX_RESULTS)
    return JSONResponse(await _as_requests(context, await context.store.find_nodes(query)))


async def get_request(request: Request) -> JSONResponse:
    case_id = request.path_params["request_id"]
    try:
        _check_jurisdiction(read_query(request))
    except Open311Problem as problem:
        return _error(problem.status, problem.description)
    if not CASE_ID.fullmatch(case_id):
        return _error(404, "no such service request")
    context = _context(request)
    [node] = await context.store.get_nodes("Case", [case_id])
    if node is None:
        return _error(404, f"no service request {case_id!r}")
    return JSONResponse(await _as_requests(context, [node]))


def _coordinate(fields: Mapping[str, object], name: str, low: float, high: float) -> float:
    value = fields.get(name)
    if value is None or value == "":
        raise Open311Problem(400, "lat and long are required")
    # JSON numbers come parsed; text (a form field, a JSON string) must write a decimal number:
    # float() would also take "3_7.5", Devanagari digits, " 37.5 " and "nan"
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_decimal(json.dumps(value))  # 10**400 and NaN write no finite float
    else:
        number = parse_decimal(value) if isinstance(value, str) else None
    if number is None:
        raise Open311Problem(400, f"{name} must be a decimal number")
    if not low <= number <= high:  # NaN and ±inf fail too
        raise Open311Problem(400, f"{name} must be between {low} and {high}")
    return number


def _text_field(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise Open311Problem(400, f"{name} must be text")
    return value


def _new_case(fields: Mapping[str, object]) -> filing.NewCase:
    _check_jurisdiction(fields)
    return filing.NewCase(
        service_code=_text_field(fields, "service_code"),
        description=_text_field(fields, "description"),
        lat=_coordinate(fields, "lat", -90, 90),
        lon=_coordinate(fields, "long", -180, 180),
        address=_text_field(fields, "address_string"),
        channel=OPEN311_CHANNEL,
    )


async def post_request(request: Request) -> JSONResponse:
    """POST requests.json (GeoReport v2 "POST Service Request"): 201, or a 4xx error list."""
    try:
        new = _new_case(await read_fields(request))
    except Open311Problem as problem:
        return _error(problem.status, problem.description)
    try:
        filed = await filing.file(_context(request), new)
    except ServicesProblem as problem:
        status = 404 if problem.code is ServicesErrorCode.UNKNOWN_SERVICE else 400
        return _error(status, problem.message)
    return JSONResponse(
        [
            {
                "service_request_id": filed.case["id"],
                "service_notice": _notice(filed),
                "account_id": None,
            }
        ],
        status_code=201,
    )


def _notice(filed: filing.Filed) -> str | None:
    """GeoReport's `service_notice` of a filing: said only when the department is provisional."""
    return _provisional_notice(filed.case) if filed.provisional else None


def _provisional_notice(node: Node) -> str:
    return (
        f"Assigned to {node['agency_responsible']} provisionally: a city analyst will "
        "confirm the department or pass the request on."
    )


async def _as_requests(context: Context, nodes: Sequence[Node]) -> list[dict[str, Any]]:
    """The requests in GeoReport's shape, `service_notice` saying which departments are
    provisional (a pending routing review): one records query for them all."""
    pending = await pending_by_subject(context.records, "case_routing", [n["id"] for n in nodes])
    return [_as_request(n, n["id"] in pending) for n in nodes]


SERVED = [
    Route("/services.json", list_services, methods=["GET"]),
    Route("/requests.json", list_requests, methods=["GET"]),
    Route("/requests.json", post_request, methods=["POST"]),
    Route("/requests/{request_id}.json", get_request, methods=["GET"]),
]


async def unrouted(request: Request) -> JSONResponse:
    """Any other path or method under /open311/v2, in the GeoReport error format: 405 with
    `Allow` for a served path asked with another method, else 404."""
    allowed = sorted(
        {
            method
            for route in SERVED
            if route.matches(request.scope)[0] is Match.PARTIAL
            for method in route.methods or ()
        }
    )
    if allowed:
        response = _error(405, f"{request.method} is not served here: use {', '.join(allowed)}")
        response.headers["allow"] = ", ".join(allowed)
        return response
    return _error(
        404, "no such Open311 resource (services.json, requests.json, requests/<id>.json)"
    )


HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
"""RFC 9110 §9 and RFC 5789: a function route without methods would take GET alone."""
routes = [*SERVED, Route("/{path:path}", unrouted, methods=HTTP_METHODS)]
"""Served routes first; the catch-all fully matches any path and method, so Starlette prefers
it to a served route's partial (path-only) match and its plain-text 405."""
