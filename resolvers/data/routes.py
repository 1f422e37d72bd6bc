"""The data domain's REST doors: DCAT-AP documents, the CKAN Action API, the downloads.

Served by the merged server and by the `data` subgraph (civicgraph/app.py), behind the same
door (API keys, tiers and rate limits) as every other route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from resolvers.data.catalogue_http import CatalogueDocuments
from resolvers.data.catalogue_index import CatalogueIndex
from resolvers.data.ckan import CkanActions
from resolvers.data.downloadable import DOWNLOAD_FORMATS, METADATA_FORMATS
from resolvers.data.downloads import download

CKAN_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
"""Every method reaches the CKAN endpoint, which answers 405 in CKAN's format itself."""


def catalogue_routes(index: CatalogueIndex | None = None) -> list[BaseRoute]:
    """The routes, sharing one catalogue snapshot (a new one unless `index` is given)."""
    shared = index or CatalogueIndex()
    documents = CatalogueDocuments(shared)
    actions = CkanActions(shared)
    routes: list[BaseRoute] = []
    for extension in METADATA_FORMATS:
        routes += [
            Route(f"/catalog.{extension}", _with(documents.catalogue, extension)),
            Route(
                f"/catalog/datasets/{{dataset_id}}.{extension}",
                _with(documents.dataset, extension),
            ),
        ]
    routes += [
        Route(f"/catalog/datasets/{{dataset_id}}/data.{extension}", _with(download, extension))
        for extension in DOWNLOAD_FORMATS
    ]
    routes += [
        Route(f"{prefix}/action/{{action}}", actions.endpoint, methods=CKAN_METHODS)
        for prefix in ("/api/3", "/api")
    ]
    return routes


Endpoint = Callable[[Request], Awaitable[Response]]


def _with(endpoint: Endpoint, extension: str) -> Endpoint:
    """`endpoint` with the path's extension given as the path parameter `extension`."""

    async def serve(request: Request) -> Response:
        request.scope.setdefault("path_params", {})["extension"] = extension
        return await endpoint(request)

    return serve
