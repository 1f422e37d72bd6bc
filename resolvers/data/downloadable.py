"""Which datasets the platform holds rows of, and where their downloads and queries are.

Only datasets whose rows live on the platform can be downloaded: ds-sdot (the S-DoT sensors
and their readings) and ds-water-quality (the Han River stations and theirs). The seeded
statistics series are catalogue entries only: they have no download, and the catalogue
(DCAT, CKAN) advertises none for them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

DOWNLOADS: dict[str, str] = {"ds-sdot": "sdot", "ds-water-quality": "water_quality"}
"""Dataset id -> the Sensor `kind` whose sensors (and readings) it is."""

DOWNLOAD_FORMATS = ("csv", "geojson")
"""The download formats of a downloadable dataset, as the path's extension."""

METADATA_FORMATS = ("jsonld", "ttl")
"""The DCAT-AP documents of the catalogue and of each dataset, as the path's extension."""


def dataset_iri(base: str, dataset_id: str) -> str:
    """The dataset's IRI, which is also where its DCAT-AP documents are (`.jsonld`, `.ttl`)."""
    return f"{base}/catalog/datasets/{dataset_id}"


def download_url(base: str, dataset_id: str, extension: str) -> str:
    """Where a download of the dataset is: `extension` is one of DOWNLOAD_FORMATS."""
    return f"{dataset_iri(base, dataset_id)}/data.{extension}"


DATASET_QUERY = (
    "query Dataset($id: ID!) { dataset(id: $id) { id titleKo titleEn description theme "
    "license accrualPeriodicity keywords issued modified landingPage "
    "distributions { format accessUrl } publisher { id } } }"
)
SENSORS_QUERY = (
    "query Sensors($kind: [SensorKind!]) { sensors(filter: {kind: $kind}, first: 100) "
    "{ edges { node { id kind location { lat lon } districtCode "
    "latestReading { measuredAt "
    "values { dataType value unit } } } } pageInfo { hasNextPage endCursor } } }"
)


def graphql_url(base: str, dataset_id: str) -> str:
    """A GraphQL-over-HTTP GET of the dataset: its catalogue entry, or for a dataset with rows
    its sensors' first page with their latest readings (the merged server or a gateway)."""
    kind = DOWNLOADS.get(dataset_id)
    variables: dict[str, object]
    if kind is None:
        query, variables = DATASET_QUERY, {"id": dataset_id}
    else:
        query, variables = SENSORS_QUERY, {"kind": [kind.upper()]}
    return f"{base}/graphql?" + urlencode(
        {"query": query, "variables": json.dumps(variables, separators=(",", ":"))}
    )


@dataclass(frozen=True)
class DistributionRef:
    """One way a dataset is offered (a DCAT distribution, a CKAN resource, a GraphQL
    `Distribution`): `name` is its fragment on the dataset's IRI (`graphql`, `csv`, `geojson`,
    `source-<format>`), `format` as the portals write it."""

    name: str
    format: str
    access_url: str
    download_url: str | None = None


def distributions(node: Mapping[str, Any], base: str) -> list[DistributionRef]:
    """A Dataset node's distributions, in the order every door lists them: the GraphQL query
    of the dataset; the platform's CSV and GeoJSON (datasets with rows here only); each format
    Seoul's portal offers it in, at its landing page."""
    dataset_id = str(node["id"])
    found = [DistributionRef("graphql", "GraphQL", graphql_url(base, dataset_id))]
    if dataset_id in DOWNLOADS:
        for fmt, extension in (("CSV", "csv"), ("GeoJSON", "geojson")):
            url = download_url(base, dataset_id, extension)
            found.append(DistributionRef(extension, fmt, url, url))
    for fmt in node["formats"] or ():
        found.append(DistributionRef(f"source-{fmt.lower()}", fmt, node["landing_page"]))
    return found
