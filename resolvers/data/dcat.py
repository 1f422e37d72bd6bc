"""The catalogue as DCAT-AP 3.0.0 RDF (rdflib graphs), from the Dataset nodes of the graph.

Every class DCAT-AP's shapes constrain the range of is typed in the output (dct:LicenseDocument,
dct:Frequency, dct:MediaTypeOrExtent, skos:Concept, ...), so the documents validate against
the official shapes with their range file (tests/resolvers/data/test_dcat_shacl.py). A page of
the catalogue is a hydra:PagedCollection as ckanext-dcat writes it (its harvester reads the
same terms): the catalogue, the page's datasets, and the links to the other pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from graph.store import Node
from resolvers.data import vocabularies as voc
from resolvers.data.downloadable import (
    dataset_iri,
    distributions,
)

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GRAPHQL_SPEC = URIRef("https://spec.graphql.org/October2021/")
SEOUL = "Seoul Metropolitan Government"
SEOUL_KO = "서울특별시"
OPEN_DATA_PLAZA = "https://data.seoul.go.kr/"
JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "hydra": str(HYDRA),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}
"""The prefixes of the JSON-LD documents (compacted with them: every IRI still full)."""


@dataclass(frozen=True)
class Page:
    """One page of the catalogue: `number` (1-based) of `last`, `per_page` datasets each,
    `total` datasets in all, and the page's own URL without its `page` parameter."""

    number: int
    per_page: int
    total: int
    url: str

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def link(self, number: int) -> Literal:
        return Literal(f"{self.url}?page={number}")


class CatalogueGraph:
    """Builds DCAT-AP graphs of the catalogue at `base` (the platform's public URL)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.graph = Graph(bind_namespaces="core")
        for prefix, namespace in JSONLD_CONTEXT.items():
            self.graph.bind(prefix, namespace)
        self.catalog = URIRef(f"{base}/catalog")
        self.service = URIRef(f"{base}/graphql")
        self._contact = URIRef(f"{base}/catalog#contact")
        self._seoul = URIRef(f"{base}/catalog/publishers/seoul-metropolitan-government")
        self._done: set[tuple[URIRef, URIRef]] = set()

    # -- the catalogue and its page ---------------------------------------------------------

    def add_catalogue(self, page: Page | None = None) -> None:
        """The dcat:Catalog (publisher: Seoul Metropolitan Government), the GraphQL
        dcat:DataService, and with `page` the hydra:PagedCollection of that page."""
        g, cat = self.graph, self.catalog
        g.add((cat, RDF.type, DCAT.Catalog))
        g.add((cat, DCTERMS.title, Literal("CivicGraph open data catalogue", lang="en")))
        g.add((cat, DCTERMS.title, Literal("CivicGraph 공공데이터 목록", lang="ko")))
        g.add(
            (
                cat,
                DCTERMS.description,
                Literal(
                    "Seoul's open datasets as served by CivicGraph: their GraphQL queries and "
                    "the downloads of those whose rows the platform holds.",
                    lang="en",
                ),
            )
        )
        g.add((cat, DCTERMS.publisher, self._agent_seoul()))
        g.add((cat, FOAF.homepage, self._document(OPEN_DATA_PLAZA)))
        g.add((cat, DCTERMS.license, self._licence(voc.CC_BY_4_0)))
        g.add((cat, DCTERMS.spatial, self._location()))
        g.add((cat, DCAT.themeTaxonomy, self._theme_scheme()))
        for tag in voc.LANGUAGES:
            g.add((cat, DCTERMS.language, self._language(tag)))
        g.add((cat, DCAT.service, self._data_service()))
        if page is not None:
            view = URIRef(f"{page.url}?page={page.number}")
            g.add((view, RDF.type, HYDRA.PagedCollection))
            g.add((view, HYDRA.totalItems, Literal(page.total)))
            g.add((view, HYDRA.itemsPerPage, Literal(page.per_page)))
            g.add((view, HYDRA.firstPage, page.link(1)))
            g.add((view, HYDRA.lastPage, page.link(page.last)))
            if page.number > 1:
                g.add((view, HYDRA.previousPage, page.link(page.number - 1)))
            if page.number < page.last:
                g.add((view, HYDRA.nextPage, page.link(page.number + 1)))

    # -- datasets ---------------------------------------------------------------------------

    def add_dataset(self, node: Node, publisher: Node | None, *, in_catalogue: bool) -> URIRef:
        """A dcat:Dataset from a Dataset node and its publisher's Department node (None: the
        dataset names a department the graph lacks; the catalogue's publisher stands in)."""
        g = self.graph
        ds_id: str = node["id"]
        ds = URIRef(dataset_iri(self.base, ds_id))
        if in_catalogue:
            g.add((self.catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(ds_id)))
        g.add((ds, DCTERMS.title, Literal(node["title_ko"], lang="ko")))
        g.add((ds, DCTERMS.title, Literal(node["title_en"], lang="en")))
        g.add((ds, DCTERMS.description, Literal(node["description"], lang="en")))
        g.add((ds, DCTERMS.issued, _instant(node["issued"])))
        g.add((ds, DCTERMS.modified, _instant(node["modified"])))
        for keyword in node["keywords"] or ():
            g.add((ds, DCAT.keyword, Literal(keyword)))
        theme = voc.THEMES.get(node["theme"])
        if theme is not None:
            g.add((ds, DCAT.theme, self._theme(*theme)))
        frequency = voc.FREQUENCIES.get(node["accrual_periodicity"])
        if frequency is not None:
            g.add((ds, DCTERMS.accrualPeriodicity, self._frequency(frequency)))
        g.add((ds, DCAT.landingPage, self._document(node["landing_page"])))
        g.add((ds, DCTERMS.publisher, self._agent(publisher)))
        g.add((ds, DCAT.contactPoint, self._contact_point()))
        g.add((ds, DCTERMS.spatial, self._location()))
        for tag in voc.LANGUAGES:
            g.add((ds, DCTERMS.language, self._language(tag)))
        licence = voc.LICENCES.get(node["license"])
        self._distributions(ds, ds_id, node, licence)
        return ds

    def _distributions(
        self, ds: URIRef, ds_id: str, node: Node, licence: voc.Licence | None
    ) -> None:
        """The GraphQL query of the dataset; the platform's downloads (datasets with rows
        only); each format Seoul's portal offers it in (an access URL to its landing page)."""
        g = self.graph
        for ref in distributions(node, self.base):
            made = self._distribution(ds, ref.name, licence)
            if ref.name == "graphql":
                g.add((made, DCTERMS.title, Literal("GraphQL query", lang="en")))
                g.add((made, DCAT.accessURL, self._url(ref.access_url)))
                g.add((made, DCAT.accessService, self._data_service()))
                g.add((made, DCTERMS.format, self._file_type("JSON")))
                media = "application/graphql-response+json"
                g.add((made, DCAT.mediaType, self._media_type(media)))
                g.add((made, DCTERMS.conformsTo, self._standard(GRAPHQL_SPEC, "GraphQL")))
            elif ref.download_url is not None:
                fmt = ref.name.upper()
                url = self._url(ref.download_url)
                g.add((made, DCTERMS.title, Literal(f"{fmt} download", lang="en")))
                g.add((made, DCAT.accessURL, url))
                g.add((made, DCAT.downloadURL, url))
                g.add((made, DCTERMS.format, self._file_type(voc.FILE_TYPES[fmt])))
                g.add((made, DCAT.mediaType, self._media_type(voc.MEDIA_TYPES[fmt])))
            else:
                title = Literal(f"{ref.format} on Seoul Open Data Plaza", lang="en")
                g.add((made, DCTERMS.title, title))
                g.add((made, DCAT.accessURL, self._url(ref.access_url)))
                if ref.format in voc.FILE_TYPES:
                    g.add((made, DCTERMS.format, self._file_type(voc.FILE_TYPES[ref.format])))
                if ref.format in voc.MEDIA_TYPES:
                    g.add((made, DCAT.mediaType, self._media_type(voc.MEDIA_TYPES[ref.format])))

    def _distribution(self, ds: URIRef, name: str, licence: voc.Licence | None) -> URIRef:
        distribution = URIRef(f"{ds}#{name}")
        self.graph.add((ds, DCAT.distribution, distribution))
        self.graph.add((distribution, RDF.type, DCAT.Distribution))
        if licence is not None:
            self.graph.add((distribution, DCTERMS.license, self._licence(licence)))
        return distribution

    # -- typed resources, each described once per graph ---------------------------------------

    def _once(self, iri: URIRef, kind: URIRef, *facts: tuple[URIRef, Literal | URIRef]) -> URIRef:
        if (iri, kind) not in self._done:  # one IRI may be of two kinds (a URL, a document)
            self._done.add((iri, kind))
            self.graph.add((iri, RDF.type, kind))
            for predicate, value in facts:
                self.graph.add((iri, predicate, value))
        return iri

    def _agent_seoul(self) -> URIRef:
        return self._once(
            self._seoul,
            FOAF.Organization,
            (RDF.type, FOAF.Agent),
            (FOAF.name, Literal(SEOUL, lang="en")),
            (FOAF.name, Literal(SEOUL_KO, lang="ko")),
            (FOAF.homepage, self._document("https://www.seoul.go.kr/")),
        )

    def _agent(self, department: Node | None) -> URIRef:
        if department is None:
            return self._agent_seoul()
        return self._once(
            URIRef(f"{self.base}/catalog/publishers/{department['id']}"),
            FOAF.Organization,
            (RDF.type, FOAF.Agent),
            (FOAF.name, Literal(department["name_en"], lang="en")),
            (FOAF.name, Literal(department["name_ko"], lang="ko")),
        )

    def _contact_point(self) -> URIRef:
        return self._once(
            self._contact,
            VCARD.Kind,
            (RDF.type, VCARD.Organization),
            (VCARD.fn, Literal("Seoul Open Data Plaza", lang="en")),
            (VCARD.hasURL, URIRef(OPEN_DATA_PLAZA)),
        )

    def _data_service(self) -> URIRef:
        return self._once(
            self.service,
            DCAT.DataService,
            (DCTERMS.title, Literal("CivicGraph GraphQL API", lang="en")),
            (DCAT.endpointURL, self._url(str(self.service))),
            (DCTERMS.conformsTo, self._standard(GRAPHQL_SPEC, "GraphQL")),
            (DCTERMS.publisher, self._agent_seoul()),
        )

    def _url(self, url: str) -> URIRef:
        """An access, download or endpoint URL, typed rdfs:Resource as the shapes' sh:class
        asks: true of every IRI, but a validator without RDFS inference must be told."""
        return self._once(URIRef(url), RDFS.Resource)

    def _document(self, url: str) -> URIRef:
        return self._once(URIRef(url), FOAF.Document)

    def _licence(self, licence: voc.Licence) -> URIRef:
        facts: list[tuple[URIRef, Literal | URIRef]] = [
            (DCTERMS.title, Literal(licence.title, lang="en")),
            (DCTERMS.identifier, Literal(licence.ckan_id)),
        ]
        if licence.eu_iri is not None:
            facts.append((SKOS.exactMatch, URIRef(licence.eu_iri)))
        return self._once(URIRef(licence.iri), DCTERMS.LicenseDocument, *facts)

    def _location(self) -> URIRef:
        return self._once(
            URIRef(voc.SEOUL_GEONAMES), DCTERMS.Location, (SKOS.prefLabel, Literal("Seoul", "en"))
        )

    def _language(self, tag: str) -> URIRef:
        return self._once(URIRef(f"{voc.LANGUAGE}{voc.LANGUAGES[tag]}"), DCTERMS.LinguisticSystem)

    def _theme_scheme(self) -> URIRef:
        return self._once(
            URIRef(voc.DATA_THEME[:-1]),
            SKOS.ConceptScheme,
            (DCTERMS.title, Literal("Data theme", lang="en")),
        )

    def _theme(self, code: str, label: str) -> URIRef:
        return self._once(
            URIRef(f"{voc.DATA_THEME}{code}"),
            SKOS.Concept,
            (SKOS.prefLabel, Literal(label, lang="en")),
            (SKOS.inScheme, self._theme_scheme()),
        )

    def _frequency(self, code: str) -> URIRef:
        return self._once(URIRef(f"{voc.FREQUENCY}{code}"), DCTERMS.Frequency)

    def _file_type(self, code: str) -> URIRef:
        return self._once(URIRef(f"{voc.FILE_TYPE}{code}"), DCTERMS.MediaTypeOrExtent)

    def _media_type(self, media_type: str) -> URIRef:
        return self._once(
            URIRef(f"{voc.IANA}{media_type}"),
            DCTERMS.MediaType,
            (RDF.type, DCTERMS.MediaTypeOrExtent),
        )

    def _standard(self, iri: URIRef, title: str) -> URIRef:
        return self._once(iri, DCTERMS.Standard, (DCTERMS.title, Literal(title)))


def _instant(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def catalogue_page(
    base: str,
    page: Page,
    datasets: Sequence[Node],
    publishers: Mapping[str, Node],
) -> Graph:
    """The catalogue's page `page`: the catalogue, `datasets` (that page's Dataset nodes) with
    their publishers (Department nodes by id) and the hydra:PagedCollection of the page."""
    built = CatalogueGraph(base)
    built.add_catalogue(page)
    for node in datasets:
        built.add_dataset(node, publishers.get(node["publisher_code"]), in_catalogue=True)
    return built.graph


def dataset_document(base: str, node: Node, publisher: Node | None) -> Graph:
    """One dataset's document: the dataset, its distributions, and the catalogue holding it."""
    built = CatalogueGraph(base)
    built.add_catalogue()
    built.add_dataset(node, publisher, in_catalogue=True)
    return built.graph
