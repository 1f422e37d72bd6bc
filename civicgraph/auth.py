"""The door: who is calling (key or IP), with which tier, and whether they may call now.

Runs before routing, so a refused request costs a header scan, at most one key lookup (cached
for `key_cache_seconds`) and one or two rate-limit counts: its body is never read and no
other store is touched. Order: the presented key (one, well-formed, Bearer), the failed-key
budget of the client's IP, the key lookup, the tier's quota (per key, or per IP for public),
then for websockets the connection slots of the caller. Over a websocket every operation
message (`subscribe`, legacy `start`) counts against the same quota as an HTTP request: the
door puts the caller's counter in the scope (`OPERATION_QUOTA`) and the protocol handler,
which parses each message once and knows what it will act on, counts it.
"""

from __future__ import annotations

import contextlib
import functools
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgraph.client_ip import counted_as
from civicgraph.rate_limits import AUTH_POLICY, PUBLIC_DASHBOARD_POLICY, RateLimits, Verdict
from civicgraph.refusals import (
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
    RATE_LIMITED,
    UNAUTHENTICATED,
    refuse_http,
    refuse_websocket,
)
from civicgraph.settings import Settings
from dashboards.session import Sessions, load_session_key, session_cookie
from graph.errors import CivicGraphError
from graph.records import Records
from graph.records.api_keys import StoredKey, Tier, hash_key, live_key_by_hash
from subscriptions.slots import OwnerSlots, Slots, SlotsExhausted

HEADER = b"x-api-key"
CKAN_HEADER = b"x-ckan-api-key"
CKAN_PATHS = ("/api/3/action/", "/api/action/")
MAX_KEY_LENGTH = 128
KEY_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")
OPERATION_QUOTA = "operation_quota"
"""Key in a websocket's `scope["state"]` of its caller's `OperationQuota`."""

OperationQuota = Callable[[], Awaitable[Verdict]]
"""Counts one websocket operation (`subscribe`, legacy `start`) against the caller's quota."""


class KeyProblem(CivicGraphError):
    """The request's key headers cannot name one well-formed key."""


def well_formed_key(raw: bytes) -> str:
    """The key in `raw` (one header value), stripped. Raises KeyProblem when it is empty,
    longer than MAX_KEY_LENGTH or has characters outside the URL-safe alphabet of keys."""
    key = raw.decode("latin-1").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not KEY_ALPHABET.issuperset(key):
        raise KeyProblem("malformed API key")
    return key


def presented_key(scope: Scope) -> str | None:
    """The one key the request presents in `X-API-Key` or `Authorization: Bearer`, or None.

    Each header may be sent more than once or hold several comma-separated values (RFC 9110
    §5.3: the same thing); every value must name the same key. Raises KeyProblem when the
    headers name different keys, when `Authorization` uses another
    scheme than Bearer, or when a key is empty, longer than MAX_KEY_LENGTH or has characters
    outside the URL-safe alphabet that keys are made of. On CKAN's Action API paths the key
    may also come as CKAN clients send it (ckanapi, ckanext-harvest): `X-CKAN-API-Key: <key>`
    or `Authorization: <key>` without a scheme.
    """
    found: set[str] = set()
    ckan = scope.get("path", "").startswith(CKAN_PATHS)
    for name, value in scope.get("headers", []):
        if ckan and name == CKAN_HEADER:
            found.add(well_formed_key(value.strip()))
            continue
        if name not in (HEADER, b"authorization"):
            continue
        # a header sent twice means what its values joined by commas mean (RFC 9110 §5.3), as
        # a proxy or gateway may forward it; no key or Bearer token holds a comma
        for item in value.split(b","):
            if name == HEADER:
                found.add(well_formed_key(item))
                continue
            scheme, _, credentials = item.strip().partition(b" ")
            if ckan and not credentials:  # CKAN's own `Authorization: <API token>`
                found.add(well_formed_key(scheme))
                continue
            if scheme.lower() != b"bearer":
                raise KeyProblem("only `Authorization: Bearer <API key>` is accepted")
            found.add(well_formed_key(credentials))
    if len(found) > 1:
        headers = "X-API-Key, X-CKAN-API-Key, Authorization" if ckan else "X-API-Key, Authorization"
        raise KeyProblem(f"the request names different API keys ({headers})")
    return found.pop() if found else None


@dataclass
class KeyCache:
    """Live keys by the hash of their secret, each kept `ttl_s` seconds (0: no cache).

    Only found keys are kept, so unknown keys cannot fill it; a key revoked, rotated or given
    another tier elsewhere (the CLI, another worker) changes here within `ttl_s`, and at once
    when the change is made through this worker (`forget`).
    """

    ttl_s: float
    max_entries: int = 10_000
    _entries: dict[str, tuple[float, StoredKey]] = field(default_factory=dict)

    def forget(self, prefix: str) -> None:
        """Drop every cached lookup of key `prefix` (its secret was rotated, its tier changed or
        it was revoked through this worker): its next request is looked up again."""
        self._entries = {d: e for d, e in self._entries.items() if e[1].prefix != prefix}

    async def lookup(self, records: Records, secret: str) -> StoredKey | None:
        return await self.lookup_hash(records, hash_key(secret))

    async def lookup_hash(self, records: Records, digest: str) -> StoredKey | None:
        """The live key whose secret's SHA-256 (hex) is `digest` (a dashboard session)."""
        if self.ttl_s <= 0:
            return await live_key_by_hash(records, digest)
        now = time.monotonic()
        cached = self._entries.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await live_key_by_hash(records, digest)
        if found is None:
            self._entries.pop(digest, None)
            return None
        if len(self._entries) >= self.max_entries:
            self._entries = {d: e for d, e in self._entries.items() if e[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[digest] = (now + self.ttl_s, found)
        return found


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: `ip` always, the key's public prefix and the name its
    operator gave it when it has one."""

    tier: Tier
    ip: str
    key_prefix: str | None = None
    key_name: str | None = None

    @property
    def owner(self) -> str:
        """The name its quotas and slots are counted under (never the key's secret): the key,
        or the IP (an IPv6 one by its /64, `counted_as`)."""
        return f"key:{self.key_prefix}" if self.key_prefix else f"ip:{counted_as(self.ip)}"


@dataclass(frozen=True)
class SlotsPerCaller:
    """Concurrency slots of one kind: one limit per IP for public callers, one per key."""

    public: Slots
    keyed: Slots

    def of(self, caller: Caller) -> OwnerSlots:
        slots = self.keyed if caller.key_prefix else self.public
        return OwnerSlots(slots, caller.owner)


@dataclass(frozen=True)
class DoorPolicy:
    """What the door enforces; built from the settings by the app factory."""

    rate_limits: RateLimits
    keys: KeyCache
    connections: SlotsPerCaller
    subscriptions: SlotsPerCaller
    unmetered: frozenset[str] = frozenset({"/healthz", "/metrics"})
    """Paths not counted against a quota (operators' probes); keys are still checked."""
    unmetered_prefixes: tuple[str, ...] = (
        "/dashboard/_dash-component-suites/",
        "/dashboard/assets/",
        "/dashboard/vendor/",
        "/dashboard/_favicon.ico",
    )
    """Static files of the dashboards (fingerprinted, cached): a page load fetches a dozen,
    which would spend a public caller's quota before the first figure."""
    sessions: Sessions | None = None
    """Reads dashboard session cookies on `/dashboard` paths (civicgraph/dashboard_door.py)."""


class TierMiddleware:
    """Puts `tier`, `caller` and `subscription_slots` (and for a websocket its
    OPERATION_QUOTA) into `scope["state"]`, or refuses.

    HTTP: 401 for a bad key, 429 over a quota, in the endpoint's format with `Retry-After` and
    RateLimit fields; served responses carry the RateLimit fields too. Websocket: close 4401 for
    a bad key, 1013 (try again later) over a quota or the caller's connection limit.
    """

    def __init__(self, app: ASGIApp, policy: DoorPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        caller = await self._identify(scope, receive, send)
        if caller is None:
            return
        state = scope.setdefault("state", {})
        state["tier"], state["caller"] = caller.tier, caller
        state["subscription_slots"] = self.policy.subscriptions.of(caller)
        path = scope.get("path", "")
        if path in self.policy.unmetered or path.startswith(self.policy.unmetered_prefixes):
            await self.app(scope, receive, send)
            return
        verdict = await self._count(caller, path)
        if not verdict.allowed:
            await self._refuse_rate(scope, receive, send, verdict)
            return
        if scope["type"] == "http":
            private = caller.key_prefix is not None
            await self.app(scope, receive, _with_headers(send, verdict.headers(), private=private))
            return
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(self.policy.connections.of(caller).hold())
            except SlotsExhausted as full:
                await refuse_websocket(scope, receive, send, CLOSE_TRY_AGAIN_LATER, str(full))
                return
            state[OPERATION_QUOTA] = functools.partial(self._count, caller)
            await self.app(scope, receive, send)

    async def _identify(self, scope: Scope, receive: Receive, send: Send) -> Caller | None:
        """The caller, or None once a refusal has been sent."""
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        try:
            secret = presented_key(scope)
        except KeyProblem as problem:
            await self._refuse_key(scope, receive, send, ip, str(problem))
            return None
        if secret is None:
            return await self._session_caller(scope, ip)
        async with self.policy.rate_limits.checking(AUTH_POLICY, counted_as(ip)) as guard:
            if not guard.allowed:
                await self._refuse_rate(scope, receive, send, guard)
                return None
            key = await self.policy.keys.lookup(scope["app"].state.stores.records, secret)
            if key is None:  # counted before this check stops being under way
                await self._refuse_key(scope, receive, send, ip, "unknown or revoked API key")
                return None
        return Caller(key.tier, ip, key.prefix, key.name)

    async def _session_caller(self, scope: Scope, ip: str) -> Caller:
        """A dashboard request's caller: its session's key when the cookie is good and the key
        still live, else public (an expired or forged cookie just means signing in again)."""
        sessions = self.policy.sessions
        if sessions is None or not scope.get("path", "").startswith("/dashboard"):
            return Caller(Tier.PUBLIC, ip)
        token = session_cookie(scope)
        digest = sessions.key_hash(token) if token else None
        if digest is None:
            return Caller(Tier.PUBLIC, ip)
        key = await self.policy.keys.lookup_hash(scope["app"].state.stores.records, digest)
        return Caller(key.tier, ip, key.prefix, key.name) if key else Caller(Tier.PUBLIC, ip)

    async def _count(self, caller: Caller, path: str = "") -> Verdict:
        policy = self.policy.rate_limits.policy_for(caller.tier, path)
        return await self.policy.rate_limits.hit(policy, caller.owner)

    async def _refuse_key(
        self, scope: Scope, receive: Receive, send: Send, ip: str, message: str
    ) -> None:
        guard = await self.policy.rate_limits.hit(AUTH_POLICY, counted_as(ip))
        if not guard.allowed:
            await self._refuse_rate(scope, receive, send, guard)
        elif scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send, CLOSE_UNAUTHORIZED, message)
        else:
            await refuse_http(scope, send, UNAUTHENTICATED, message, [])

    @staticmethod
    async def _refuse_rate(scope: Scope, receive: Receive, send: Send, verdict: Verdict) -> None:
        message = (
            f"rate limited: {verdict.quota} requests per {verdict.window_s} s "
            f"({verdict.policy}); retry after {verdict.reset_s} s"
        )
        if scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send, CLOSE_TRY_AGAIN_LATER, message)
            return
        await refuse_http(
            scope,
            send,
            RATE_LIMITED,
            message,
            verdict.headers(),
            policy=verdict.policy,
            retryAfter=verdict.reset_s,
        )


VARY_ON_KEY = (b"vary", b"Authorization, X-API-Key")
"""Every metered answer depends on the key it was asked with (its tier's fields, its RateLimit
fields): a shared cache must not hand one caller's answer to another."""


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]], *, private: bool = False) -> Send:
    """`send` adding `extra`, `Vary: Authorization, X-API-Key` and, for a caller with a key
    (`private`), `Cache-Control: private` unless the answer says its own caching: a keyed
    answer may hold what only that key may see, and caches key only on `Authorization`
    (RFC 9111 §3.5), never on `X-API-Key`."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), *extra, VARY_ON_KEY]
            if private and not any(name.lower() == b"cache-control" for name, _ in headers):
                headers.append((b"cache-control", b"private"))
            message = {**message, "headers": headers}
        await send(message)

    return sending


def rate_limited(verdict: Verdict) -> GraphQLError:
    """The error of one websocket operation refused over the quota (`rate_limited`)."""
    return GraphQLError(
        f"rate limited ({verdict.policy}); retry after {verdict.reset_s} s",
        extensions={"code": RATE_LIMITED, "retryAfter": verdict.reset_s},
    )


def door_policy(settings: Settings) -> DoorPolicy:
    """The door's limits from the settings (see the README's configuration table)."""
    quotas = {
        Tier.PUBLIC.value: settings.rate_limit_public,
        Tier.DEVELOPER.value: settings.rate_limit_developer,
        Tier.ANALYST.value: settings.rate_limit_analyst,
        Tier.OPERATOR.value: settings.rate_limit_operator,
        AUTH_POLICY: settings.rate_limit_auth_failures,
        PUBLIC_DASHBOARD_POLICY: settings.rate_limit_public_dashboard,
    }
    return DoorPolicy(
        RateLimits.from_quotas(quotas, settings.bus_url),
        KeyCache(settings.key_cache_seconds),
        SlotsPerCaller(
            Slots("websocket connections", settings.ws_connections_public),
            Slots("websocket connections", settings.ws_connections_per_key),
        ),
        SlotsPerCaller(
            Slots("subscriptions", settings.subscriptions_public),
            Slots("subscriptions", settings.subscriptions_per_key),
        ),
        sessions=Sessions(
            load_session_key(settings.session_key_path), settings.dashboard_session_hours * 3600
        ),
    )
