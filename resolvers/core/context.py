"""The per-request context: the stores, the caller's tier and the request's DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket

from graph.locate import DistrictLocator
from graph.records import Records
from graph.records.api_key_requests import PendingBounds
from graph.records.api_keys import Tier
from graph.store import GraphStore, Node
from graph.usage import UsageMark, UsageTally
from resolvers.core.cost.bounds import ListBounds
from resolvers.core.cost.budgets import CostBudgets
from resolvers.core.cost.writes import WriteLimits
from resolvers.core.rounding import RandomRounding

if TYPE_CHECKING:
    from ledger.log import Log
    from ledger.verification_tally import VerificationTally
    from ml.registry import Registry
    from subscriptions.live import Live
    from zk.credentials.issuer_keys import IssuerKeyring

L = TypeVar("L")


@dataclass(frozen=True)
class Limits:
    max_page_size: int = 100
    max_window_days: int = 31
    cost_budgets: CostBudgets = field(default_factory=CostBudgets)
    """Largest static cost of one operation per tier (resolvers/core/cost)."""
    write_limits: WriteLimits = field(default_factory=WriteLimits)
    """Most mutation root fields of one operation per tier."""


@dataclass(frozen=True)
class TrustSettings:
    """What the trust domain needs from the settings: links and QR sizes."""

    public_url: str = "http://127.0.0.1:8000"
    qr_max_bytes: int = 1800


@dataclass
class Context:
    store: GraphStore
    records: Records
    tier: Tier
    limits: Limits
    locator: DistrictLocator
    request: Request | WebSocket | None = None
    response: Any = None
    caller_key: str | None = None
    """The caller's API key id (its public prefix), None for a caller without a key: what a
    decision the caller makes is recorded under (an analyst's review decisions)."""
    client_ip: str | None = None
    """The caller's IP as the door saw it (trusted proxies honoured): what pending key requests
    are bounded per (the data domain)."""
    key_requests: PendingBounds = field(default_factory=PendingBounds)
    """Most pending key requests per client IP and overall (`CIVIC_KEY_REQUESTS_PENDING_*`)."""
    keys_changed: Callable[[str], None] | None = None
    """Tells the door a key (by prefix) was rotated, revoked or given another tier, so its
    cached lookup goes at once (civicgraph/auth.py KeyCache.forget)."""
    live: Live | None = None
    """The live side (bus, ingest); subscription fields and writers that publish use it."""
    log: Log | None = None
    """The city's verifiable log (the trust domain)."""
    trust: TrustSettings = field(default_factory=TrustSettings)
    certificate_checks: VerificationTally | None = None
    """Counts the certificate verifications served (`certificateStatistics.verified`)."""
    issuer_keys: IssuerKeyring | None = None
    """The credential issuer's keys (the identity domain)."""
    rounding: RandomRounding | None = None
    """The keyed random rounding of published counts of people (docs/security.md)."""
    models: Registry | None = None
    """The trained models and their cards (the analytics domain)."""
    list_bounds: ListBounds = field(default_factory=ListBounds)
    """Most items of each unpaged list, measured at start-up (the cost analysis)."""
    usage: UsageMark = field(default_factory=UsageMark)
    """This call's usage (graph/usage.py): resolvers that read a catalogue dataset's data
    call `usage.touch(dataset_id)`; a mark nobody records when usage is not counted."""
    usage_tally: UsageTally | None = None
    """The process's usage counts (None when counting is off)."""
    known_nodes: dict[tuple[str, str], Node] = field(default_factory=dict)
    """Nodes this request read by a relationship, by (label, key) (resolvers/core/dataloaders)."""
    _loaders: dict[type[Any], Any] = field(default_factory=dict)

    def loader(self, kind: type[L]) -> L:
        """The request's one instance of a DataLoader class (built on first use)."""
        found = self._loaders.get(kind)
        if found is None:
            found = self._loaders[kind] = kind(self)  # type: ignore[call-arg]
        return found

    @property
    def sees_personal_data(self) -> bool:
        return self.tier.at_least(Tier.ANALYST)

    def key_changed(self, prefix: str) -> None:
        """The door forgets its cached lookup of key `prefix` (no-op without a door)."""
        if self.keys_changed is not None:
            self.keys_changed(prefix)

    def the_log(self) -> Log:
        if self.log is None:
            raise RuntimeError("this server runs without the verifiable log")
        return self.log

    def the_rounding(self) -> RandomRounding:
        if self.rounding is None:
            raise RuntimeError("this server runs without a rounding key for counts of people")
        return self.rounding

    def the_models(self) -> Registry:
        if self.models is None:
            raise RuntimeError("this server runs without the model registry")
        return self.models

    def the_issuer_keys(self) -> IssuerKeyring:
        if self.issuer_keys is None:
            raise RuntimeError("this server runs without credential issuer keys")
        return self.issuer_keys
