"""DCAT-AP 3 documents over HTTP: the catalogue by pages, and one document per dataset.

GET /catalog.jsonld and /catalog.ttl (`?page=N`, 1-based, PER_PAGE datasets a page, a
hydra:PagedCollection linking the pages as ckanext-dcat does); GET /catalog/datasets/{id}.jsonld
and .ttl. Errors are `{"error": message, "code": code}` with 400 or 404.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import Graph
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph.storable_text import unstorable
from graph.store import Node
from resolvers.core.context import Context
from resolvers.data.catalogue_index import CatalogueIndex, Snapshot
from resolvers.data.dcat import JSONLD_CONTEXT, Page, catalogue_page, dataset_document
from resolvers.data.downloadable import dataset_iri

PER_PAGE = 100
"""Datasets per page of the catalogue (ckanext-dcat's default): ~0.3 MB of Turtle a page."""
MAX_PAGE = 100_000
CACHED_PAGES = 64
"""Serialized catalogue pages kept per process (~0.35 MB each: ~25 MB at most), dropped when
the snapshot is read again."""
MEDIA_TYPES = {"jsonld": "application/ld+json", "ttl": "text/turtle; charset=utf-8"}
DATASET_ID_MAX = 64


def context_of(request: Request) -> Context:
    """The request's context, as the app builds it (the store, records, tier, trust URLs)."""
    context: Context = request.app.state.context_for(request)
    return context


def refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code}, status_code=status)


def serialize(graph: Graph, extension: str) -> bytes:
    """The graph as Turtle, or as JSON-LD compacted with the catalogue's prefixes."""
    if extension == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    text = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")).encode()


def _page_number(request: Request) -> int | None:
    """`page` (default 1): a decimal integer in 1..MAX_PAGE given at most once, else None."""
    given = request.query_params.getlist("page")
    if not given:
        return 1
    raw = given[0]
    if len(given) > 1 or not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else None


def _page_bytes(
    base: str,
    page: Page,
    datasets: Sequence[Node],
    publishers: Mapping[str, Node],
    extension: str,
) -> bytes:
    return serialize(catalogue_page(base, page, datasets, publishers), extension)


class CatalogueDocuments:
    """The endpoints of the DCAT-AP documents, over one shared catalogue snapshot."""

    def __init__(self, index: CatalogueIndex) -> None:
        self.index = index
        self._pages_of: Snapshot | None = None
        self._pages: OrderedDict[tuple[int, str], bytes] = OrderedDict()
        """Serialized pages of the snapshot `_pages_of`, least recently used first."""

    async def catalogue(self, request: Request) -> Response:
        extension: str = request.path_params["extension"]
        number = _page_number(request)
        if number is None:
            return refusal(400, "invalid_page", f"page is a whole number from 1 to {MAX_PAGE}")
        context = context_of(request)
        snapshot = await self.index.snapshot(context.store)
        base = context.trust.public_url
        page = Page(number, PER_PAGE, len(snapshot.datasets), f"{base}/catalog.{extension}")
        if number > page.last:
            return refusal(404, "not_found", f"the catalogue has {page.last} pages")
        if self._pages_of is not snapshot:  # pages of an older snapshot are stale
            self._pages_of, self._pages = snapshot, OrderedDict()
        body = self._pages.get((number, extension))
        if body is None:
            start = (number - 1) * PER_PAGE
            chosen = snapshot.datasets[start : start + PER_PAGE]
            # rdflib is CPU-bound (~0.3 s a page): off the event loop, so other requests go on
            body = await run_in_threadpool(
                _page_bytes, base, page, chosen, snapshot.publishers, extension
            )
            self._pages[(number, extension)] = body
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end((number, extension))
        return Response(body, media_type=MEDIA_TYPES[extension])

    async def dataset(self, request: Request) -> Response:
        dataset_id: str = request.path_params["dataset_id"]
        extension: str = request.path_params["extension"]
        context = context_of(request)
        node = await find_dataset(context, dataset_id)
        if node is None:
            return refusal(404, "not_found", "no such dataset")
        context.usage.touch(node["id"])
        [publisher] = await context.store.get_nodes("Department", [node["publisher_code"]])
        graph = dataset_document(context.trust.public_url, node, publisher)
        body = await run_in_threadpool(serialize, graph, extension)
        headers = {
            "link": f'<{dataset_iri(context.trust.public_url, dataset_id)}>; rel="canonical"'
        }
        return Response(body, media_type=MEDIA_TYPES[extension], headers=headers)


async def find_dataset(context: Context, dataset_id: str) -> dict[str, Any] | None:
    """The Dataset node `dataset_id`, or None (also for an id no dataset could have: too long,
    or text the stores cannot hold)."""
    if not dataset_id or len(dataset_id) > DATASET_ID_MAX or unstorable(dataset_id) is not None:
        return None
    [node] = await context.store.get_nodes("Dataset", [dataset_id])
    return node
