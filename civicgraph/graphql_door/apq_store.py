"""Where automatic persisted queries keep documents by SHA-256: a bounded LRU in this process,
or Redis shared by every worker (when the platform's bus is Redis), bounded the same way.

Both hold at most `max_entries` documents and `max_bytes` bytes of document text (UTF-8), and
forget a document `ttl_seconds` after it was last used; the least recently used go first. A
client can only add documents that parsed and validated (persisted.py), each within the door's
document limit, so a hostile client fills neither memory nor Redis past these bounds: it only
evicts older entries, whose clients then resend their text once.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from graph.redis_pool import Outage, is_redis_url, redis_client

log = logging.getLogger("civicgraph.persisted")


@dataclass(frozen=True)
class CacheBounds:
    """The APQ store's bounds (settings `CIVIC_APQ_*`)."""

    max_entries: int = 2_000
    max_bytes: int = 16 * 1024 * 1024
    ttl_seconds: int = 24 * 3600


def _size(document: str) -> int:
    return len(document.encode("utf-8", "surrogatepass"))


class MemoryDocuments:
    """An LRU of documents in this process, within `bounds` (entries, bytes, idle time)."""

    def __init__(self, bounds: CacheBounds, clock: Callable[[], float] = time.monotonic) -> None:
        self.bounds = bounds
        self.clock = clock
        self._entries: OrderedDict[str, tuple[str, int, float]] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, sha256_hash: str) -> str | None:
        """The document, marked most recently used; None if absent or idle past the TTL."""
        entry = self._entries.get(sha256_hash)
        if entry is None:
            return None
        document, size, used = entry
        now = self.clock()
        if now - used > self.bounds.ttl_seconds:
            self._drop(sha256_hash)
            return None
        self._entries[sha256_hash] = (document, size, now)
        self._entries.move_to_end(sha256_hash)
        return document

    async def put(self, sha256_hash: str, document: str) -> None:
        """Stores `document`, evicting the least recently used until within bounds. A document
        larger than `max_bytes` on its own is not stored."""
        size = _size(document)
        if size > self.bounds.max_bytes:
            return
        if sha256_hash in self._entries:
            self._drop(sha256_hash)
        self._entries[sha256_hash] = (document, size, self.clock())
        self.bytes += size
        while len(self._entries) > self.bounds.max_entries or self.bytes > self.bounds.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, sha256_hash: str) -> None:
        _document, size, _used = self._entries.pop(sha256_hash)
        self.bytes -= size


PUT_SCRIPT = """
local docs, index, total = KEYS[1], KEYS[2], KEYS[3]
local hash, doc, size = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local max_entries, max_bytes = tonumber(ARGV[6]), tonumber(ARGV[7])
local function drop(h)
  local old = redis.call('HGET', docs, h)
  if old then
    redis.call('HDEL', docs, h)
    redis.call('DECRBY', total, string.len(old))
  end
  redis.call('ZREM', index, h)
end
for _, h in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now - ttl)) do drop(h) end
drop(hash)
redis.call('HSET', docs, hash, doc)
redis.call('ZADD', index, now, hash)
redis.call('INCRBY', total, size)
while redis.call('ZCARD', index) > max_entries
    or tonumber(redis.call('GET', total) or '0') > max_bytes do
  local oldest = redis.call('ZRANGE', index, 0, 0)
  if #oldest == 0 then break end
  drop(oldest[1])
end
return redis.call('ZCARD', index)
"""
"""Stores one document and evicts expired, then least recently used, entries until within
bounds: atomic, so concurrent workers never see the bounds passed."""

GET_SCRIPT = """
local docs, index = KEYS[1], KEYS[2]
local hash, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local used = redis.call('ZSCORE', index, hash)
if not used or tonumber(used) < now - ttl then return false end
redis.call('ZADD', index, now, hash)
return redis.call('HGET', docs, hash)
"""
"""The document if stored and used within the TTL, marking it most recently used."""


class RedisDocuments:
    """The LRU in Redis, shared by every worker using `url`: a hash of documents, a sorted set
    of last uses and a byte total under `prefix`, changed only by two Lua scripts. Redis being
    unreachable is a miss (the client resends its text), never an error."""

    def __init__(
        self,
        url: str,
        bounds: CacheBounds,
        prefix: str = "civicgraph:apq",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bounds = bounds
        self.clock = clock
        self.client = redis_client(url)
        self.outage = Outage(at_once=self.client.connection_pool.max_connections)
        self.keys = [f"{prefix}:documents", f"{prefix}:used", f"{prefix}:bytes"]
        self._put = self.client.register_script(PUT_SCRIPT)
        self._get = self.client.register_script(GET_SCRIPT)

    async def get(self, sha256_hash: str) -> str | None:
        async with self.outage.turn() as up:
            if not up:  # failed a moment ago: do not queue behind it
                return None
            try:
                found = await self._get(
                    keys=self.keys[:2], args=[sha256_hash, self.clock(), self.bounds.ttl_seconds]
                )
            except RedisError as error:
                if self.outage.failed():
                    log.warning("APQ store unavailable, hash treated as unknown: %s", error)
                return None
        return found.decode("utf-8", "surrogatepass") if isinstance(found, bytes) else None

    async def put(self, sha256_hash: str, document: str) -> None:
        encoded = document.encode("utf-8", "surrogatepass")
        if len(encoded) > self.bounds.max_bytes:
            return
        async with self.outage.turn() as up:
            if not up:
                return
            try:
                await self._put(
                    keys=self.keys,
                    args=[
                        sha256_hash,
                        encoded,
                        len(encoded),
                        self.clock(),
                        self.bounds.ttl_seconds,
                        self.bounds.max_entries,
                        self.bounds.max_bytes,
                    ],
                )
            except RedisError as error:
                if self.outage.failed():
                    log.warning("APQ store unavailable, document not stored: %s", error)

    async def entries(self) -> int:
        """How many documents the store holds (tests, metrics)."""
        return int(await self.client.zcard(self.keys[1]))

    async def stored_bytes(self) -> int:
        """Bytes of document text the store holds."""
        return int(await self.client.get(self.keys[2]) or 0)

    async def close(self) -> None:
        await self.client.aclose()


def document_cache(bus_url: str | None, bounds: CacheBounds) -> MemoryDocuments | RedisDocuments:
    """Redis (shared by every worker) when the bus is Redis, as the rate limits choose
    (civicgraph/rate_limits.py `storage_for`), else this process's memory."""
    if is_redis_url(bus_url):
        return RedisDocuments(bus_url, bounds)
    return MemoryDocuments(bounds)
