"""The data domain as a subgraph (docs/federation.md): the catalogue, and the self-service
API keys of the Open Data Plaza."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.data.key_errors import ApiKeyErrorCode
from resolvers.data.schema import DataMutation, DataQuery
from resolvers.data.views import Department, Sensor

DATA = Subgraph(
    "data",
    query=DataQuery,
    mutation=DataMutation,
    # the code enum names the values of ApiKeyError's `code` (resolvers/core/error_interface)
    types=(Department, Sensor, ApiKeyErrorCode),
)
