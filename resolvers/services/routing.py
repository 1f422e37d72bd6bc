"""The complaint-routing model as filing uses it: loaded once per registry version, reloaded
when the version that serves changes, and never in the way of a filing.

Which of the model's channels (seeds.complaints.CHANNELS) a door is: GraphQL's `fileCase` is
what the city's smart complaint app speaks (`smart-app`); the Open311 POST is the 응답소 web
form's door and that of third-party GeoReport clients (`eungdapso-web`). 120 Dasan's phone
agents file through neither today (`dasan-120` stays the model's, for their own desk).

With no model trained, or a registry that does not load (logged once per version), filing uses
the service's department as it always did: the filer never sees an error for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from ml.registry import Registry
from ml.routing import NAME, Routing, RoutingModel
from resolvers.core.context import Context

GRAPHQL_CHANNEL = "smart-app"
"""The model's channel of a GraphQL `fileCase`."""
OPEN311_CHANNEL = "eungdapso-web"
"""The model's channel of an Open311 POST requests.json."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Routed:
    """One filing's routing and the registry version that made it."""

    model_version: str
    routing: Routing


class CaseRouter:
    """The serving routing model of one registry, cached per version.

    Each call reads the registry's `current` pointer (one small file) and loads the model only
    when that names a version it has not loaded; a version that failed to load is not retried
    (nor logged again) until `current` names another.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._loaded: tuple[str, RoutingModel] | None = None
        self._failed: str | None = None
        self.loads = 0
        """Versions loaded so far (a test's check that loading is once per version)."""

    def model(self) -> tuple[str, RoutingModel] | None:
        """(version, model) of the version that serves, or None: not trained, or damaged."""
        try:
            version = self.registry.current_version(NAME)
        except Exception as error:  # a damaged pointer: filing goes on without the model
            if self._failed != "current":
                log.error("routing model unavailable, filing by service: %s", error)
            self._failed = "current"
            return None
        if version is None:
            return None
        if self._loaded is not None and self._loaded[0] == version:
            return self._loaded
        if version == self._failed:
            return None
        try:
            model = RoutingModel.from_stored(self.registry.load(NAME, version))
        except Exception as error:  # any damage: log it, file by service
            log.error("routing model %s does not load, filing by service: %s", version, error)
            self._failed = version
            return None
        self._loaded = (version, model)
        self._failed = None
        self.loads += 1
        log.info("routing model %s serves filings", version)
        return self._loaded

    def route(self, text: str, channel: str, district_code: str, at: datetime) -> Routed | None:
        """The routing of one filing, or None when there is no model or it cannot route this
        one (logged): `at` zone-aware, `channel` one of the model's."""
        loaded = self.model()
        if loaded is None:
            return None
        version, model = loaded
        try:
            return Routed(version, model.route(text, channel, district_code, at))
        except Exception as error:  # the model's refusal must not refuse the filing
            log.error("routing model %s could not route a filing: %s", version, error)
            return None


_routers: WeakKeyDictionary[Registry, CaseRouter] = WeakKeyDictionary()


def router_for(context: Context) -> CaseRouter | None:
    """The context's registry's one router (made on first use), or None without a registry."""
    if context.models is None:
        return None
    router = _routers.get(context.models)
    if router is None:
        router = _routers[context.models] = CaseRouter(context.models)
    return router
