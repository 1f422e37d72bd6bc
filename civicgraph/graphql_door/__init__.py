"""The GraphQL door: `/graphql` over HTTP and websockets."""

from civicgraph.graphql_door.http import DoorLimits
from civicgraph.graphql_door.view import CivicGraphQL

__all__ = ["CivicGraphQL", "DoorLimits"]
