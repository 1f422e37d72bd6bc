"""The catalogue's DCAT-AP 3 documents validate under the official SHACL shapes (DCAT-AP
3.0.0, ../shared/reference/dcat-ap-3.0.0/: the shapes with their range file), and stop
validating when a mandatory property is taken out."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

SHAPES_DIR = Path(__file__).resolve().parents[4] / "shared" / "reference" / "dcat-ap-3.0.0"
if not SHAPES_DIR.is_dir():  # a worktree beside main: ../shared is one more level up
    SHAPES_DIR = Path(__file__).resolve().parents[5] / "shared" / "reference" / "dcat-ap-3.0.0"
FORMATS = {"ttl": "turtle", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    shapes = Graph()
    shapes.parse(SHAPES_DIR / "dcat-ap-SHACL.ttl")
    shapes.parse(SHAPES_DIR / "range.ttl")
    return shapes


def violations(data: Graph, shapes: Graph) -> list[tuple[str, str]]:
    """(focus node, result path) of each sh:Violation: empty when the data conforms."""
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    return sorted(
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(r, SH.resultSeverity) == SH.Violation
    )


async def fetched(client: httpx.AsyncClient, path: str, extension: str) -> Graph:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=FORMATS[extension])


@pytest.mark.parametrize("extension", ["ttl", "jsonld"])
async def test_catalogue_page_conforms_to_dcat_ap(
    client: httpx.AsyncClient, shapes: Graph, extension: str
) -> None:
    # given the first page of the catalogue
    data = await fetched(client, f"/catalog.{extension}", extension)
    # when it is validated / then it conforms, and it holds datasets
    assert violations(data, shapes) == []
    assert len(set(data.subjects(RDF.type, DCAT.Dataset))) > 2


@pytest.mark.parametrize("dataset_id", ["ds-sdot", "ds-water-quality", "ds-00000"])
@pytest.mark.parametrize("extension", ["ttl", "jsonld"])
async def test_dataset_document_conforms_to_dcat_ap(
    client: httpx.AsyncClient, shapes: Graph, extension: str, dataset_id: str
) -> None:
    data = await fetched(client, f"/catalog/datasets/{dataset_id}.{extension}", extension)
    assert violations(data, shapes) == []


@pytest.mark.parametrize(
    ("kind", "mandatory"),
    [
        (DCAT.Dataset, DCTERMS.title),
        (DCAT.Dataset, DCTERMS.description),
        (DCAT.Catalog, DCTERMS.publisher),
        (DCAT.Distribution, DCAT.accessURL),
    ],
    ids=["dataset-title", "dataset-description", "catalogue-publisher", "access-url"],
)
async def test_removing_a_mandatory_property_fails_validation(
    client: httpx.AsyncClient, shapes: Graph, kind: URIRef, mandatory: URIRef
) -> None:
    # given a valid dataset document
    data = await fetched(client, "/catalog/datasets/ds-sdot.ttl", "ttl")
    subject = next(iter(data.subjects(RDF.type, kind)))
    # when one mandatory property is removed from one resource
    data.remove((subject, mandatory, None))
    # then that resource violates the shapes, on that property
    assert (str(subject), str(mandatory)) in violations(data, shapes)


@pytest.mark.parametrize(("dataset_id", "downloads"), [("ds-sdot", 2), ("ds-00000", 0)])
async def test_only_datasets_with_rows_here_advertise_downloads(
    client: httpx.AsyncClient, dataset_id: str, downloads: int
) -> None:
    data = await fetched(client, f"/catalog/datasets/{dataset_id}.ttl", "ttl")
    urls = [str(url) for url in data.objects(None, DCAT.downloadURL)]
    assert len(urls) == downloads
    for url in urls:  # each advertised download answers
        path = url.removeprefix("http://127.0.0.1:8000")
        assert (await client.get(path)).status_code == 200
