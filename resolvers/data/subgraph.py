"""The data domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.data.schema import DataQuery
from resolvers.data.views import Department, Sensor

DATA = Subgraph("data", query=DataQuery, types=(Department, Sensor))
