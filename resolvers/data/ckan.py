"""A CKAN Action API subset (API version 3) over the catalogue, for CKAN clients and harvesters.

GET or POST /api/3/action/{action} (also /api/action/{action}); the actions: package_list,
package_show, package_search, organization_list, help_show. Every answer is CKAN's envelope
`{"help": url, "success": true, "result": ...}`; a refusal is `{"help": url, "success": false,
"error": {"__type": ..., "message": ...}}` with CKAN's status: 400 "Bad request" (unknown
action, a body that is not a JSON object), 404 "Not Found Error", 409 "Validation Error"
(an argument of the wrong type or out of bounds, also naming it as `{field: [message]}`).
Shapes follow CKAN 2.10's package and organization dictionaries (ckan/lib/dictization).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.store import Node
from resolvers.core.context import Context
from resolvers.data.catalogue_http import context_of
from resolvers.data.catalogue_index import CatalogueIndex, Snapshot
from resolvers.data.ckan_params import (
    CkanProblem,
    bad_request,
    boolean,
    natural,
    not_found,
    read_arguments,
    text,
)
from resolvers.data.ckan_search import DEFAULT_SORT, parse_search, parse_sort
from resolvers.data.downloadable import dataset_iri, distributions
from resolvers.data.vocabularies import LICENCES, MEDIA_TYPES

ROWS_DEFAULT = 10
ROWS_MAX = 1000
"""CKAN's `ckan.search.rows_max` default."""
START_MAX = 1_000_000
LIST_LIMIT_MAX = 100_000
"""package_list's and organization_list's `limit`: at most this (the catalogue, whole)."""

Action = Callable[[Context, CatalogueIndex, dict[str, Any]], Awaitable[Any]]


def _iso(moment: datetime) -> str:
    """CKAN's timestamps: ISO 8601 in UTC without an offset (`2024-05-01T09:30:00.000000`)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(code: str, department: Node | None, count: int | None) -> dict[str, Any]:
    """A publishing department as a CKAN organization (`package_count` when counted)."""
    title = department["name_en"] if department is not None else code
    shown: dict[str, Any] = {
        "id": code,
        "name": code,
        "title": title,
        "display_name": title,
        "title_ko": department["name_ko"] if department is not None else "",
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if count is not None:
        shown["package_count"] = count
    return shown


def _resource(
    node: Node, base: str, name: str, fmt: str, url: str, position: int
) -> dict[str, Any]:
    return {
        "id": f"{node['id']}-{name}",
        "package_id": node["id"],
        "name": f"{node['title_en']} ({fmt})",
        "format": fmt,
        "mimetype": MEDIA_TYPES.get(fmt.upper()),
        "url": url,
        "position": position,
        "state": "active",
        "url_type": None,
        "created": _iso(node["issued"]),
        "last_modified": _iso(node["modified"]),
        "uri": f"{dataset_iri(base, node['id'])}#{name}",
    }


def resources(node: Node, base: str) -> list[dict[str, Any]]:
    """A dataset's CKAN resources: its distributions (downloadable.distributions)."""
    return [
        _resource(node, base, d.name, d.format, d.access_url, position)
        for position, d in enumerate(distributions(node, base))
    ]


def package_dict(node: Node, department: Node | None, base: str) -> dict[str, Any]:
    """A Dataset node as a CKAN package (name = id; theme as its one group; the DCAT IRI,
    Korean title and frequency as extras, as ckanext-dcat names them)."""
    licence = LICENCES.get(node["license"])
    keywords = list(node["keywords"] or ())
    found = resources(node, base)
    return {
        "id": node["id"],
        "name": node["id"],
        "title": node["title_en"],
        "notes": node["description"],
        "url": node["landing_page"],
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": licence is not None,
        "license_id": node["license"],
        "license_title": licence.title if licence is not None else node["license"],
        "license_url": licence.iri if licence is not None else "",
        "author": None,
        "maintainer": "Seoul Open Data Plaza",
        "metadata_created": _iso(node["issued"]),
        "metadata_modified": _iso(node["modified"]),
        "owner_org": node["publisher_code"],
        "organization": organization_dict(node["publisher_code"], department, None),
        "groups": [{"name": node["theme"], "title": node["theme"], "display_name": node["theme"]}],
        "tags": [{"name": k, "display_name": k, "state": "active"} for k in keywords],
        "num_tags": len(keywords),
        "resources": found,
        "num_resources": len(found),
        "extras": [
            {"key": "uri", "value": dataset_iri(base, node["id"])},
            {"key": "title_ko", "value": node["title_ko"]},
            {"key": "theme", "value": node["theme"]},
            {"key": "frequency", "value": node["accrual_periodicity"]},
            {"key": "issued", "value": _iso(node["issued"])},
            {"key": "modified", "value": _iso(node["modified"])},
        ],
    }


async def package_list(context: Context, index: CatalogueIndex, args: dict[str, Any]) -> Any:
    """The names of every dataset, by name; `limit` and `offset` page them (CKAN 2.10)."""
    snapshot = await index.snapshot(context.store)
    offset = natural(args, "offset", 0, most=LIST_LIMIT_MAX)
    limit = natural(args, "limit", LIST_LIMIT_MAX, most=LIST_LIMIT_MAX)
    return [n["id"] for n in snapshot.datasets[offset : offset + limit]]


async def package_show(context: Context, index: CatalogueIndex, args: dict[str, Any]) -> Any:
    """One dataset by `id` (its name): 404 Not Found Error if there is none."""
    dataset_id = text(args, "id") or text(args, "name_or_id")
    if dataset_id is None:
        raise CkanProblem(409, "Validation Error", "id: Missing value", "id")
    snapshot = await index.snapshot(context.store)
    node = snapshot.by_id.get(dataset_id)
    if node is None:
        raise not_found("Dataset not found")
    context.usage.touch(node["id"])
    return package_dict(node, snapshot.publishers.get(node["publisher_code"]), _base(context))


async def package_search(context: Context, index: CatalogueIndex, args: dict[str, Any]) -> Any:
    """Datasets matching `q` and `fq` (ckan_search), ordered by `sort` (default CKAN's
    "score desc, metadata_modified desc"), `rows` (0..ROWS_MAX, default 10) from `start`
    (0..START_MAX): `{"count", "results", "sort", "facets", "search_facets"}`."""
    rows = natural(args, "rows", ROWS_DEFAULT, most=ROWS_MAX)
    start = natural(args, "start", 0, most=START_MAX)
    search = parse_search(text(args, "q"), text(args, "fq"))
    sort = text(args, "sort") or DEFAULT_SORT
    order = parse_sort(sort)
    snapshot = await index.snapshot(context.store)
    found = [n for n in snapshot.datasets if search.matches(n, _publisher_name(snapshot, n))]
    base = _base(context)
    page = order(found)[start : start + rows]
    for node in page:
        context.usage.touch(node["id"])
    return {
        "count": len(found),
        "sort": sort,
        "results": [
            package_dict(n, snapshot.publishers.get(n["publisher_code"]), base) for n in page
        ],
        "facets": {},
        "search_facets": {},
    }


async def organization_list(context: Context, index: CatalogueIndex, args: dict[str, Any]) -> Any:
    """The departments publishing datasets, by name; with `all_fields` their organization
    dictionaries with `package_count`; `limit` and `offset` page them."""
    snapshot = await index.snapshot(context.store)
    all_fields = boolean(args, "all_fields")
    offset = natural(args, "offset", 0, most=LIST_LIMIT_MAX)
    limit = natural(args, "limit", LIST_LIMIT_MAX, most=LIST_LIMIT_MAX)
    counts: dict[str, int] = {}
    for node in snapshot.datasets:
        counts[node["publisher_code"]] = counts.get(node["publisher_code"], 0) + 1
    codes = sorted(counts)[offset : offset + limit]
    if not all_fields:
        return codes
    return [organization_dict(c, snapshot.publishers.get(c), counts[c]) for c in codes]


async def help_show(context: Context, index: CatalogueIndex, args: dict[str, Any]) -> Any:
    """The documentation of the action `name`."""
    name = text(args, "name")
    action = ACTIONS.get(name or "")
    if action is None:
        raise not_found(f"Action not found: {name}")
    return action.__doc__


ACTIONS: dict[str, Action] = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "help_show": help_show,
}


def _base(context: Context) -> str:
    return context.trust.public_url


def _publisher_name(snapshot: Snapshot, node: Node) -> str:
    department = snapshot.publishers.get(node["publisher_code"])
    return department["name_en"] if department is not None else ""


class CkanActions:
    """The endpoint of every action, over one shared catalogue snapshot."""

    def __init__(self, index: CatalogueIndex) -> None:
        self.index = index

    async def endpoint(self, request: Request) -> JSONResponse:
        """The CKAN action `{action}` of the path, GET (HEAD: its headers) or POST (see the
        module docstring)."""
        name: str = request.path_params["action"]
        context = context_of(request)
        help_url = f"{_base(context)}/api/3/action/help_show?name={name}"
        action = ACTIONS.get(name)
        try:
            if request.method not in ("GET", "HEAD", "POST"):
                raise CkanProblem(
                    405, "Bad request", f"{request.method} is not allowed: GET or POST"
                )
            if action is None:
                raise bad_request(f"Action name not known: {name[:100]}")
            result = await action(context, self.index, await read_arguments(request))
        except CkanProblem as problem:
            response = JSONResponse(
                {"help": help_url, "success": False, "error": problem.error()},
                status_code=problem.status,
            )
            if problem.status == 405:
                response.headers["allow"] = "GET, HEAD, POST"
            return response
        return JSONResponse({"help": help_url, "success": True, "result": result})
