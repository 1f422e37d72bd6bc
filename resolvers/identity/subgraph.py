"""The identity domain as a subgraph (docs/federation.md): credentials, presentations, polls
and ballots; it owns Poll and adds `polls` to the city's District."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.identity.polls import Poll
from resolvers.identity.schema import IdentityMutation, IdentityQuery
from resolvers.identity.subscriptions import IdentitySubscription
from resolvers.identity.views import District
from zk.credentials.errors import CredentialErrorCode
from zk.polls.errors import PollErrorCode

IDENTITY = Subgraph(
    "identity",
    query=IdentityQuery,
    mutation=IdentityMutation,
    subscription=IdentitySubscription,
    # the code enums name the values of the error types' `code` (resolvers/core/error_interface)
    types=(District, Poll, CredentialErrorCode, PollErrorCode),
)
