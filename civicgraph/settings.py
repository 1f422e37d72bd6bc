"""All configuration, from `CIVIC_*` environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    computed_field,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicgraph.persisted_mode import PersistedDocumentsMode
from civicgraph.rate_limits import parse_quota
from civicgraph.trusted_logs import TrustedLogs
from graph.redis_pool import bounded_pool, is_redis_url
from resolvers.core.cost.budgets import CostBudgets
from zk.bbs.curves import Backend

REPO_ROOT = Path(__file__).resolve().parents[1]


def _quota(text: str) -> str:
    parse_quota(text)
    return text


def _proxies(text: str) -> str:
    for entry in filter(None, (e.strip() for e in text.split(","))):
        ipaddress.ip_network(entry, strict=False)
    return text


TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")
"""What an XYZ tile template must hold; deck.gl's TileLayer also fills `{-y}` (TMS rows)."""


def _tile_template(text: str | None) -> str | None:
    """An http(s) URL template with {z}, {x} and {y} (and no other placeholder)."""
    if text is None:
        return None
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in text)
    ):
        raise ValueError("must be an http:// or https:// URL")
    missing = [p for p in TILE_PLACEHOLDERS if p not in text]
    if missing:
        raise ValueError(f"must hold {', '.join(TILE_PLACEHOLDERS)} (missing {', '.join(missing)})")
    rest = text
    for placeholder in (*TILE_PLACEHOLDERS, "{-y}"):
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise ValueError("may hold only the placeholders {z}, {x}, {y} and {-y}")
    return text


def _bus_url(text: str | None) -> str | None:
    """A Redis URL redis-py can read and whose pool `graph.redis_pool.bounded_pool` accepts
    (checked without connecting); any other URL is left to `open_bus`, which names the buses
    it knows."""
    if is_redis_url(text):
        bounded_pool(text)  # raises ValueError saying what is wrong
    return text


Quota = Annotated[str, AfterValidator(_quota)]
ProxyList = Annotated[str, AfterValidator(_proxies)]
TileTemplate = Annotated[
    str | None, BeforeValidator(lambda v: v or None), AfterValidator(_tile_template)
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIVIC_", extra="ignore")

    data_dir: Path = Field(REPO_ROOT / "var", description="Where the embedded stores live.")
    graph_url: str | None = Field(
        None, description="Graph store URL; default: the LadybugDB file var/graph.lbug."
    )
    graph_read_only: bool = Field(
        False,
        description="Open the graph read-only: several `serve` processes can then share one "
        "LadybugDB file (each follows the writer's commits and hands it its graph writes, such "
        "as fileCase).",
    )
    graph_user: str = Field("neo4j", description="Neo4j user (with a neo4j:// graph URL).")
    graph_password: SecretStr = Field(
        SecretStr(""), description="Neo4j password (with a neo4j:// graph URL)."
    )
    db_url: str | None = Field(
        None, description="Records database URL; default: the SQLite file var/records.sqlite3."
    )
    host: str = Field("127.0.0.1", description="Address `civicgraph serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `civicgraph serve` binds.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Processes `civicgraph serve` answers from, on one port (more than one "
        "needs a redis:// CIVIC_BUS_URL; docs/operations.md).",
    )
    access_log: bool = Field(
        False,
        description="uvicorn's line per HTTP request. Off: `/metrics` counts requests by route "
        "and status, and a line per refused request would make abuse cost logging work.",
    )
    scale: float = Field(0.01, gt=0, le=1, description="Seed scale factor (1.0 = Seoul's figures).")
    history_days: int = Field(7, ge=1, le=31, description="Days of reading history to seed.")
    node_modules: Path = Field(
        REPO_ROOT / "gateway" / "node_modules",
        description="npm packages (GraphiQL's and deck.gl's bundles) installed by the Makefile.",
    )
    max_page_size: int = Field(100, ge=1, le=1000, description="Largest `first` of a connection.")
    max_window_days: int = Field(31, ge=1, description="Longest reading window one query may ask.")
    readings_retention_days: int = Field(
        30,
        ge=1,
        le=36_500,
        description="Days raw 2-minute readings are kept before `civicgraph readings roll-up` "
        "folds them into hourly rows. Older readings are refused at ingest.",
    )
    readings_future_slack_s: int = Field(
        300,
        ge=0,
        le=86_400,
        description="Seconds a reading's measured_at may be ahead of the server's clock "
        "before ingest refuses it (in_the_future).",
    )
    alerts_live_window_s: int = Field(
        600,
        ge=60,
        description="Readings older than this many seconds are stored as history but never "
        "raise, ease or clear an alert.",
    )
    bus_url: Annotated[str | None, AfterValidator(_bus_url)] = Field(
        None, description="Event bus: unset or memory:// in-process; redis://HOST:PORT/DB shared."
    )
    mqtt_url: str | None = Field(
        None, description="MQTT broker to take readings from (mqtt://HOST:PORT); unset: none."
    )
    simulator: bool = Field(True, description="Run the built-in S-DoT simulator in `serve`.")
    simulator_speed: float = Field(
        1.0, gt=0, le=120, description="Simulator speed-up: 10 sends a tick every 12 s."
    )
    subscriber_queue: int = Field(
        5_000,
        ge=8,
        le=100_000,
        description="Events from earlier batches a subscriber may still hold when a new batch "
        "arrives before it is cut off (close 1013); the batch itself is always queued whole.",
    )
    replay_window: int = Field(
        10_000,
        ge=1,
        le=1_000_000,
        description="Most events replayed to a client with a key resubscribing with `after`.",
    )
    replay_window_public: int = Field(
        1_000,
        ge=1,
        le=1_000_000,
        description="Most events replayed to a client without a key resubscribing with "
        "`after`; further behind: `out_of_range`.",
    )
    graph_concurrency: int = Field(4, ge=1, le=64, description="Parallel graph queries.")
    log_origin: str = Field(
        "civicgraph.seoul.example/log",
        pattern=r"^[^\s+]+$",
        description="The verifiable log's origin line, also its signing key's name.",
    )
    public_url: str | None = Field(
        None,
        description="The server's address as the public sees it, for links in certificate "
        "codes and the catalogue's IRIs and links (DCAT-AP, CKAN); default http://HOST:PORT.",
    )
    qr_max_bytes: int = Field(
        1800,
        ge=200,
        le=2900,
        description="Largest certificate payload put in one QR code; bigger ones link to it.",
    )
    trusted_logs: TrustedLogs = Field(
        default_factory=dict,
        description="Logs `cert verify` trusts besides this one: a JSON object from log origin "
        'to {"url": its server, "key": its verifier key}. Only these servers are asked.',
    )
    log_key_file: Path | None = Field(
        None,
        description="The log's Ed25519 signing key (PEM); default var/keys/log-ed25519.pem, "
        "made on first use. Back it up with the records: heads it signed verify only with it.",
    )
    ml_dir: Path | None = Field(
        None,
        description="The model registry (every trained version, its card, the serving one); "
        "default var/ml. Every worker reads the same folder; `civicgraph ml train` writes it.",
    )
    ml_score_every: int = Field(
        3600,
        ge=0,
        le=7 * 24 * 3600,
        description="Seconds between the server's scoring runs of the models over the "
        "platform's data (predictions, their alarms on the `anomalies` subscription); the "
        "first run comes 10 s after start. 0: off. Only one process of a deployment should "
        "score: set 0 on the others (docs/operations.md).",
    )
    issuer_key_dir: Path | None = Field(
        None,
        description="Folder of the credential issuer's secret keys, one per month; default "
        "var/keys/issuer. Back it up: without the month's key, issuance stops until it is "
        "restored or the next month begins.",
    )
    session_key_file: Path | None = Field(
        None,
        description="The secret (32 random bytes) that signs dashboard session cookies; default "
        "var/keys/session-hmac.key, made on first use. Every worker must use the same file; "
        "replacing it signs everybody out.",
    )
    dashboard_session_hours: int = Field(
        8, ge=1, le=24 * 30, description="How long a dashboard sign-in lasts (hours)."
    )
    dashboard_tile_url: TileTemplate = Field(
        None,
        description="An XYZ raster tile service drawn under the map's polygons, e.g. "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png; default none: the map is our own "
        "polygons and the browser fetches nothing from another origin. Setting it sends every "
        "map viewer's browser to that service (docs/security.md).",
    )
    dashboard_tile_attribution: str = Field(
        "",
        max_length=300,
        description="The tile service's attribution, shown on the map (required with a tile "
        "URL: e.g. © OpenStreetMap contributors).",
    )
    rounding_key_file: Path | None = Field(
        None,
        description="The secret (32 random bytes) that fixes the random rounding of published "
        "counts of people; default var/keys/rounding-hmac.key, made on first use. Every worker "
        "must use the same file, and it must never change: another key gives fresh draws, and "
        "two draws of one count narrow it. Back it up with the records.",
    )
    bbs_backend: Backend = Field(
        Backend.ARKWORKS, description="BLS12-381 library for BBS: arkworks (fast) or py-ecc."
    )
    cost_budget_public: int = Field(
        2_000,
        ge=1,
        description="Largest static cost of one GraphQL operation without a key "
        "(docs/security.md, Query cost and limits).",
    )
    cost_budget_developer: int = Field(10_000, ge=1, description="Cost budget of a developer key.")
    cost_budget_analyst: int = Field(25_000, ge=1, description="Cost budget of an analyst key.")
    cost_budget_operator: int = Field(50_000, ge=1, description="Cost budget of an operator key.")
    rate_limit_public: Quota = Field(
        "60/minute",
        description="Requests per client IP without a key (`limits` notation: N/second|minute|"
        "hour|day). Counted in Redis when the bus is Redis, else per process.",
    )
    rate_limit_public_dashboard: Quota = Field(
        "600/minute",
        description="Requests per client IP without a key to the dashboards (/dashboard): a "
        "page load is about 8 requests; the public page is one shared render per view.",
    )
    rate_limit_developer: Quota = Field("600/minute", description="Requests per developer key.")
    rate_limit_analyst: Quota = Field("1200/minute", description="Requests per analyst key.")
    rate_limit_operator: Quota = Field("6000/minute", description="Requests per operator key.")
    rate_limit_auth_failures: Quota = Field(
        "20/minute",
        description="Unknown, revoked or malformed keys per client IP before it gets 429.",
    )
    key_cache_seconds: float = Field(
        10,
        ge=0,
        le=300,
        description="How long a worker trusts a key lookup: a revoked key stops working within "
        "this time. 0 looks every key up on every request.",
    )
    key_requests_pending_per_ip: int = Field(
        3,
        ge=1,
        le=1000,
        description="Pending key requests (requestApiKey) per client IP: past it, "
        "TOO_MANY_PENDING until an operator decides one.",
    )
    key_requests_pending_max: int = Field(
        500,
        ge=1,
        le=100_000,
        description="Pending key requests overall: past it, QUEUE_FULL for everybody, so a "
        "flood of requests from many IPs cannot grow the records without bound.",
    )
    key_contact_retention_days: int = Field(
        90,
        ge=1,
        le=3650,
        description="Days a key request (its contact e-mail, purpose and IP) is kept after it "
        "stops being needed: after its key is revoked, or it was rejected, left unclaimed or "
        "never decided. 90 days covers an abuse report or a dispute about a decision, which "
        "surface within weeks; the contact is personal data, kept no longer (docs/security.md).",
    )
    key_purge_every_seconds: float = Field(
        3600,
        ge=0,
        le=86_400,
        description="How often `serve` purges key requests past their retention (merged "
        "server and the data subgraph); 0: never (run `civicgraph keys purge` from cron).",
    )
    usage_counting: bool = Field(
        True,
        description="Count API calls per key, Seoul day, operation and dataset (`apiUsage`, "
        "`Dataset.callCount`, `civic_api_calls_total`). Off: nothing is counted (the benchmark's "
        "baseline).",
    )
    usage_flush_seconds: float = Field(
        10,
        gt=0,
        le=3600,
        description="How often a worker adds its API usage counts to the records; a crash "
        "loses at most this many seconds of counts.",
    )
    usage_operations_per_key_day: int = Field(
        100,
        ge=1,
        le=10_000,
        description="Distinct operation names counted per key (or public) per Seoul day per "
        "worker; later new names count as `(other)`.",
    )
    usage_pending_max: int = Field(
        50_000,
        ge=100,
        le=10_000_000,
        description="Distinct usage counts a worker holds between flushes (also while the "
        "records are down); past it new counts are dropped (`civic_usage_dropped_total`).",
    )
    ws_connections_public: int = Field(
        10, ge=1, description="Open websockets per client IP without a key (per process)."
    )
    ws_connections_per_key: int = Field(
        100, ge=1, description="Open websockets per API key (per process)."
    )
    subscriptions_public: int = Field(
        20, ge=1, description="Running subscriptions per client IP without a key (per process)."
    )
    subscriptions_per_key: int = Field(
        1000, ge=1, description="Running subscriptions per API key (per process)."
    )
    trusted_proxies: ProxyList = Field(
        "",
        description="Comma-separated IPs or networks of reverse proxies whose X-Forwarded-For "
        "names the client; default none: the peer address is the client.",
    )

    @model_validator(mode="after")
    def _tiles_attributed(self) -> Settings:
        if self.dashboard_tile_url and not self.dashboard_tile_attribution.strip():
            raise ValueError(
                "CIVIC_DASHBOARD_TILE_URL needs CIVIC_DASHBOARD_TILE_ATTRIBUTION: tile services "
                "require their attribution on the map"
            )
        return self

    @model_validator(mode="after")
    def _cost_budgets_grow(self) -> Settings:
        try:
            self.cost_budgets()
        except ValueError:
            raise ValueError(
                "CIVIC_COST_BUDGET_PUBLIC <= _DEVELOPER <= _ANALYST <= _OPERATOR must hold"
            ) from None
        return self

    def cost_budgets(self) -> CostBudgets:
        """The four `CIVIC_COST_BUDGET_*` as one value."""
        return CostBudgets(
            self.cost_budget_public,
            self.cost_budget_developer,
            self.cost_budget_analyst,
            self.cost_budget_operator,
        )

    graphql_max_body_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest /graphql POST body (bytes); larger: 413.",
    )
    graphql_max_ws_message_bytes: int = Field(
        64 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest websocket message (bytes, UTF-8); larger: close 4400. Every message "
        "is parsed before its type is known and pings are not counted, so keep it small.",
    )
    graphql_max_document_chars: int = Field(
        32 * 1024, ge=256, description="Longest GraphQL document (characters), checked unparsed."
    )
    graphql_max_tokens: int = Field(
        5000, ge=100, description="Most tokens in a GraphQL document; parsing stops past it."
    )
    graphql_max_json_depth: int = Field(
        32, ge=4, le=512, description="Deepest nesting of a request's JSON (variables included)."
    )
    graphql_max_response_bytes: int = Field(
        8 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest GraphQL response (bytes); a larger result is refused with "
        "`response_too_large`.",
    )
    graphql_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=600,
        description="Longest a GraphQL query or mutation (HTTP or websocket) may run before "
        "it is cancelled with `timeout`.",
    )
    persisted_documents: PersistedDocumentsMode = Field(
        PersistedDocumentsMode.APQ,
        description="Persisted queries at /graphql: apq (Apollo's automatic persisted queries: "
        "any client registers a validated document by its SHA-256), trusted (only documents "
        "registered with `civicgraph documents register` run; operator keys may send any "
        "text), off (the persistedQuery extension is answered PERSISTED_QUERY_NOT_SUPPORTED).",
    )
    apq_max_entries: int = Field(
        2_000,
        ge=1,
        le=1_000_000,
        description="Most documents the APQ store holds (per process, or shared in Redis when "
        "the bus is Redis); the least recently used go first.",
    )
    apq_max_bytes: int = Field(
        16 * 1024 * 1024,
        ge=64 * 1024,
        le=1024 * 1024 * 1024,
        description="Most bytes of document text (UTF-8) the APQ store holds.",
    )
    apq_ttl_seconds: int = Field(
        24 * 3600,
        ge=60,
        le=30 * 24 * 3600,
        description="Seconds an APQ document unused is kept; the client resends it after.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def graph_location(self) -> str:
        return self.graph_url or f"ladybug://{self.data_dir / 'graph.lbug'}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def records_location(self) -> str:
        return self.db_url or f"sqlite://{(self.data_dir / 'records.sqlite3').resolve()}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def log_key_path(self) -> Path:
        return self.log_key_file or self.data_dir / "keys" / "log-ed25519.pem"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ml_path(self) -> Path:
        return self.ml_dir or self.data_dir / "ml"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def issuer_key_path(self) -> Path:
        return self.issuer_key_dir or self.data_dir / "keys" / "issuer"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rounding_key_path(self) -> Path:
        return self.rounding_key_file or self.data_dir / "keys" / "rounding-hmac.key"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def session_key_path(self) -> Path:
        return self.session_key_file or self.data_dir / "keys" / "session-hmac.key"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def public_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
