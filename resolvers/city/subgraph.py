"""The city domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.city.schema import CityQuery
from resolvers.core.federation import Subgraph

CITY = Subgraph("city", query=CityQuery)
