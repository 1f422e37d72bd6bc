"""GraphQL types of the city domain: districts (gu and dong), citizens and assets."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache

import strawberry
from strawberry.scalars import JSON

from graph.store import Node
from resolvers.city.dataloaders import (
    AdjacentDistrictsByCodeLoader,
    AssetByIdLoader,
    CitizenByIdLoader,
    DongByGuCodeLoader,
    MountedAssetsByAssetIdLoader,
    MountedOnByAssetIdLoader,
    ResidentTableByGuLoader,
)
from resolvers.core.dataloaders import DistrictByCodeLoader, one
from resolvers.core.entities import load_reference
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.core.filters import GeoPoint
from resolvers.core.info import Info
from resolvers.core.rounding import ROUNDING_BASE


@lru_cache(maxsize=1024)
def parsed_geometry(text: str) -> JSON:
    """A boundary's GeoJSON parsed once per process, not once per district in each answer.

    Seoul has 492 boundaries (6 KB each on average, 32 KB at most): all fit, so a query of
    every dong, or 30 aliases of it, parses nothing after the first. The value is shared:
    callers must not change it (the response encoder only reads it).
    """
    return json.loads(text)  # type: ignore[no-any-return]


@strawberry.enum(description="A gu (자치구) or a legal dong (법정동) inside one.")
class DistrictLevel(StrEnum):
    GU = "gu"
    DONG = "dong"


@strawberry.enum
class AssetKind(StrEnum):
    SMART_POLE = "smart_pole"
    WIFI_AP = "wifi_ap"
    CCTV = "cctv"
    STRUCTURE = "structure"
    PARKING_LOT = "parking_lot"
    WASTE_BIN = "waste_bin"


@strawberry.federation.type(
    keys=["code"], description="A gu or dong of Seoul, with its real boundary."
)
class District:
    code: str = strawberry.field(description="Official code: 5 digits for a gu, 8 for a dong.")
    level: DistrictLevel
    name_ko: str
    name_en: str = strawberry.field(description="English name (a dong's: Revised Romanization).")
    parent_code: str | None
    centroid: GeoPoint
    area_km2: float
    population: int | None = strawberry.field(description="Residents, 2020 census (gu only).")
    _boundary: strawberry.Private[str]

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> District:
        """Federation's `_entities` door: the district by its code (NOT_FOUND if none)."""
        return cls.from_node(
            await load_reference(info, DistrictByCodeLoader, str(code), "district", "code")
        )

    @classmethod
    def from_node(cls, node: Node) -> District:
        return cls(
            code=node["code"],
            level=DistrictLevel(node["level"]),
            name_ko=node["name_ko"],
            name_en=node["name_en"],
            parent_code=node["parent_code"] or None,
            centroid=GeoPoint(lat=node["lat"], lon=node["lon"]),
            area_km2=node["area_km2"],
            population=node["population"],
            _boundary=node["boundary"],
        )

    @strawberry.field(description="The boundary as a GeoJSON geometry (WGS84).")
    def boundary(self) -> JSON:
        return parsed_geometry(self._boundary)

    @strawberry.field(description="Gu sharing a border with this gu.")
    async def adjacent(self, info: Info) -> list[District]:
        nodes = await info.context.loader(AdjacentDistrictsByCodeLoader).load(self.code)
        return [District.from_node(n) for n in nodes]

    @strawberry.field(description="The dong of this gu.")
    async def dong(self, info: Info) -> list[District]:
        nodes = await info.context.loader(DongByGuCodeLoader).load(self.code)
        return [District.from_node(n) for n in nodes]

    @strawberry.field(description="The gu of this dong.")
    async def parent(self, info: Info) -> District | None:
        if self.parent_code is None:
            return None
        node = await info.context.loader(DistrictByCodeLoader).load(self.parent_code)
        return District.from_node(node) if node else None

    @strawberry.field(
        description="Residents in the graph, optionally born within [bornFrom, bornTo] (years). "
        "Below the analyst tier: the sum of published cells (dong x birth year), each randomly "
        f"rounded to a multiple of {ROUNDING_BASE} with a fixed draw, so always a multiple of "
        f"{ROUNDING_BASE}; a published cell v means a true count within v-4..v+4. Exact for "
        "analysts and operators."
    )
    async def resident_count(
        self, info: Info, born_from: int | None = None, born_to: int | None = None
    ) -> int:
        if born_from is not None and born_to is not None and born_from > born_to:
            raise ApiError(ApiErrorCode.INVALID, "bornFrom must not be after bornTo", "bornFrom")
        loader = info.context.loader(ResidentTableByGuLoader)
        table = await loader.load(self.parent_code or self.code)
        dong = self.code if self.level is DistrictLevel.DONG else None
        return table.count(dong, born_from, born_to)


async def district_by_code(info: Info, code: str) -> District | None:
    node = await info.context.loader(DistrictByCodeLoader).load(code)
    return District.from_node(node) if node else None


def require_personal(info: Info, name: str) -> None:
    """Raises FORBIDDEN below the analyst tier: `name` shows or counts people."""
    if not info.context.sees_personal_data:
        raise ApiError(ApiErrorCode.FORBIDDEN, f"{name} is personal: analyst tier or above", name)


def _personal(info: Info, value: object, name: str) -> object:
    require_personal(info, name)
    return value


@strawberry.federation.type(
    keys=["id"], description="A resident, under a pseudonymous id: analyst tier or above."
)
class Citizen:
    id: strawberry.ID
    _node: strawberry.Private[Node]

    @classmethod
    def from_node(cls, node: Node) -> Citizen:
        return cls(id=strawberry.ID(node["id"]), _node=node)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Citizen:
        """The `_entities` door: analyst tier or above, like every way to a citizen."""
        return await citizen_by_id(info, str(id))

    @strawberry.field(description="The resident's gu.")
    async def district(self, info: Info) -> District | None:
        return await district_by_code(info, self._node["district_code"])

    @strawberry.field(description="Personal: analyst tier or above.")
    def birth_year(self, info: Info) -> int:
        return _personal(info, self._node["birth_year"], "birthYear")  # type: ignore[return-value]

    @strawberry.field(description="Personal: analyst tier or above.")
    def sex(self, info: Info) -> str:
        return _personal(info, self._node["sex"], "sex")  # type: ignore[return-value]

    @strawberry.field(description="Personal: analyst tier or above.")
    def welfare_eligible(self, info: Info) -> bool:
        return _personal(info, self._node["welfare_eligible"], "welfareEligible")  # type: ignore[return-value]

    @strawberry.field(description="Personal: the dong the resident lives in.")
    async def dong(self, info: Info) -> District | None:
        code = _personal(info, self._node["dong_code"], "dong")
        return await district_by_code(info, str(code))


async def citizen_by_id(info: Info, citizen_id: str) -> Citizen:
    """A citizen by id. Raises FORBIDDEN below the analyst tier (listing or looking up people
    below it would count them exactly), NOT_FOUND when there is no such citizen."""
    require_personal(info, "citizen")
    node = await info.context.loader(CitizenByIdLoader).load(citizen_id)
    if node is None:
        raise not_found("citizen", citizen_id, "id")
    return Citizen.from_node(node)


@strawberry.federation.type(
    keys=["id"], description="A city asset: pole, access point, camera, ..."
)
class Asset:
    id: strawberry.ID
    kind: AssetKind
    name: str
    location: GeoPoint
    district_code: str
    status: str
    installed_year: int

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Asset:
        """Federation's `_entities` door: the asset by its id (NOT_FOUND if none)."""
        return cls.from_node(await load_reference(info, AssetByIdLoader, str(id), "asset", "id"))

    @classmethod
    def from_node(cls, node: Node) -> Asset:
        return cls(
            id=strawberry.ID(node["id"]),
            kind=AssetKind(node["kind"]),
            name=node["name"],
            location=GeoPoint(lat=node["lat"], lon=node["lon"]),
            district_code=node["district_code"],
            status=node["status"],
            installed_year=node["installed_year"],
        )

    @strawberry.field
    async def district(self, info: Info) -> District | None:
        return await district_by_code(info, self.district_code)

    @strawberry.field(description="The asset this one is mounted on (a WiFi AP on a smart pole).")
    async def mounted_on(self, info: Info) -> Asset | None:
        node = one(await info.context.loader(MountedOnByAssetIdLoader).load(self.id))
        return Asset.from_node(node) if node else None

    @strawberry.field(description="Assets mounted on this one.")
    async def mounted_assets(self, info: Info) -> list[Asset]:
        return [
            Asset.from_node(n)
            for n in await info.context.loader(MountedAssetsByAssetIdLoader).load(self.id)
        ]


async def asset_by_id(info: Info, asset_id: str) -> Asset | None:
    node = await info.context.loader(AssetByIdLoader).load(asset_id)
    return Asset.from_node(node) if node else None
