"""`Info`: what every resolver of every domain receives (Strawberry's Info over our Context)."""

from __future__ import annotations

from strawberry.types import Info as StrawberryInfo

from resolvers.core.context import Context

Info = StrawberryInfo[Context, None]
"""The resolver's info: `info.context` is the request's `Context` (stores, tier, loaders)."""
