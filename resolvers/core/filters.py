"""Geographic filter inputs shared by every domain, validated into `graph.query` values."""

from __future__ import annotations

import strawberry

from graph.query import BBox, Near
from resolvers.core.errors import ApiError, ApiErrorCode

MAX_RADIUS_M = 50_000.0


@strawberry.input(description="A WGS84 bounding box.")
class BBoxInput:
    south: float
    west: float
    north: float
    east: float

    def to_query(self) -> BBox:
        if not (-90 <= self.south <= self.north <= 90):
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, "need -90 <= south <= north <= 90", "bbox")
        if not (-180 <= self.west <= self.east <= 180):
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, "need -180 <= west <= east <= 180", "bbox")
        return BBox(self.south, self.west, self.north, self.east)


@strawberry.input(description="A circle: a point and a radius in metres.")
class NearInput:
    lat: float
    lon: float
    radius_m: float

    def to_query(self) -> Near:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, "lat/lon out of range", "near")
        if not (0 < self.radius_m <= MAX_RADIUS_M):
            raise ApiError(
                ApiErrorCode.OUT_OF_RANGE, f"radiusM must be in (0, {MAX_RADIUS_M:.0f}]", "near"
            )
        return Near(self.lat, self.lon, self.radius_m)


@strawberry.federation.type(shareable=True, description="A WGS84 point.")
class GeoPoint:
    lat: float
    lon: float
