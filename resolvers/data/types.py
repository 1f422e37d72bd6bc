"""GraphQL types of the data catalogue: DCAT datasets and their distributions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.store import Node
from resolvers.core.entities import load_reference
from resolvers.core.info import Info
from resolvers.data.dataloaders import (
    DatasetByIdLoader,
    DerivedFromByDatasetLoader,
)
from resolvers.data.downloadable import distributions
from resolvers.data.usage import DEFAULT_CALL_DAYS, dataset_call_count
from resolvers.data.views import Department


@strawberry.type(
    description="A DCAT distribution: one way the dataset is offered (the same as in its "
    "DCAT-AP document and its CKAN resources)."
)
class Distribution:
    name: str = strawberry.field(
        description="Its fragment on the dataset's IRI: graphql, csv, geojson, source-<format>."
    )
    format: str = strawberry.field(description="GraphQL, CSV, GeoJSON, or the portal's format.")
    access_url: str = strawberry.field(description="Where it is (dcat:accessURL).")
    download_url: str | None = strawberry.field(
        description="The file itself (dcat:downloadURL): the platform's downloads only."
    )


@strawberry.federation.type(keys=["id"], description="A catalogue entry (DCAT 3 dcat:Dataset).")
class Dataset:
    id: strawberry.ID
    title_ko: str
    title_en: str
    description: str
    theme: str
    license: str
    accrual_periodicity: str
    keywords: list[str]
    issued: datetime
    modified: datetime
    landing_page: str
    formats: strawberry.Private[list[str]]
    publisher_code: str

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Dataset:
        """Federation's `_entities` door: the dataset by its id (NOT_FOUND if none)."""
        node = await load_reference(info, DatasetByIdLoader, str(id), "dataset", "id")
        info.context.usage.touch(node["id"])  # found: a caller cannot name rows into being
        return cls.from_node(node)

    @classmethod
    def from_node(cls, node: Node) -> Dataset:
        return cls(
            id=strawberry.ID(node["id"]),
            title_ko=node["title_ko"],
            title_en=node["title_en"],
            description=node["description"],
            theme=node["theme"],
            license=node["license"],
            accrual_periodicity=node["accrual_periodicity"],
            keywords=list(node["keywords"]),
            issued=node["issued"],
            modified=node["modified"],
            landing_page=node["landing_page"],
            formats=list(node["formats"] or ()),
            publisher_code=node["publisher_code"],
        )

    @strawberry.field(
        description="How it is offered: its GraphQL query, the platform's downloads (datasets "
        "with rows here), the formats of Seoul's portal (dcat:distribution)."
    )
    def distributions(self, info: Info) -> list[Distribution]:
        node = {"id": str(self.id), "formats": self.formats, "landing_page": self.landing_page}
        return [
            Distribution(
                name=d.name, format=d.format, access_url=d.access_url, download_url=d.download_url
            )
            for d in distributions(node, info.context.trust.public_url)
        ]

    @strawberry.field(description="The department that publishes it (dcterms:publisher).")
    def publisher(self) -> Department | None:
        return Department(id=strawberry.ID(self.publisher_code))

    @strawberry.field(
        description="API calls that touched this dataset (read its entry or its data) over "
        "the last `days` Seoul days, today included (1 to 92), every caller together, as of "
        "each worker's last flush."
    )
    async def call_count(self, info: Info, days: int = DEFAULT_CALL_DAYS) -> int:
        return await dataset_call_count(info, self.id, days)

    @strawberry.field(description="Datasets this one is derived from (prov:wasDerivedFrom).")
    async def derived_from(self, info: Info) -> list[Dataset]:
        return [
            Dataset.from_node(n)
            for n in await info.context.loader(DerivedFromByDatasetLoader).load(self.id)
        ]
