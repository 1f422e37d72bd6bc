"""The trust domain as a subgraph (docs/federation.md): the verifiable log, certificates and
procurement contracts; it owns Certificate, Contract and LogEntry."""

from __future__ import annotations

from ledger.procurement.rules import ProcurementErrorCode
from resolvers.core.federation import Subgraph
from resolvers.trust.errors import TrustErrorCode
from resolvers.trust.schema import TrustMutation, TrustQuery

TRUST = Subgraph(
    "trust",
    query=TrustQuery,
    mutation=TrustMutation,
    # the code enums name the values of the error types' `code` (resolvers/core/error_interface)
    types=(TrustErrorCode, ProcurementErrorCode),
)
