"""A Redis cache that the services can lose: when Redis is down every call answers "not cached".

Values are JSON. Keys live under a namespace (``tb-erp:<service>:``). Each entry has a TTL as a
safety net; the events that change the underlying data delete the entries they make stale. A
Redis that does not answer within a fraction of a second is skipped for a few seconds (so a dead
cache costs one short timeout, not one per request), and every outcome is counted in
:attr:`Cache.stats`: ``GET /metrics`` reports the hits and misses of each cache an app keeps in
its ``app.state`` as ``cache_requests_total{cache=<name>,result=hit|miss}``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from .settings import ServiceSettings

log = logging.getLogger("tb_platform.cache")

# How long a failed Redis is left alone before the next try.
BACKOFF_SECONDS = 5.0
TIMEOUT_SECONDS = 0.25


@dataclass
class CacheStats:
    """What the cache did since the process started."""

    hits: int = 0
    misses: int = 0
    errors: int = 0
    invalidations: int = 0


class Cache:
    """JSON values in Redis under ``namespace``; a no-op when ``url`` is None or Redis is down.

    ``name`` is the cache's label in the metrics (``employees``, ``summary``).
    """

    def __init__(
        self, url: str | None, *, namespace: str, ttl_seconds: int = 60, name: str = "default"
    ) -> None:
        self.name = name
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.stats = CacheStats()
        self._redis: Redis | None = (
            Redis.from_url(
                url,
                socket_connect_timeout=TIMEOUT_SECONDS,
                socket_timeout=TIMEOUT_SECONDS,
                retry_on_timeout=False,
            )
            if url
            else None
        )
        self._skip_until = 0.0

    @classmethod
    def from_settings(cls, settings: ServiceSettings, *, name: str, enabled: bool = True) -> Cache:
        """A cache on the settings' Redis (``REDIS_URL``), under their ``CACHE_NAMESPACE``, with
        their ``CACHE_TTL_SECONDS``; one that caches nothing when not ``enabled``."""
        return cls(
            settings.redis_url if enabled else None,
            namespace=settings.cache_namespace,
            ttl_seconds=settings.cache_ttl_seconds,
            name=name,
        )

    @property
    def enabled(self) -> bool:
        """Whether a Redis URL was configured (it may still be down)."""
        return self._redis is not None

    def key(self, *parts: object) -> str:
        """The full key of ``parts``: ``tb-erp:employee-service:employee:5``."""
        return ":".join([self.namespace, *(str(part) for part in parts)])

    def _available(self) -> Redis | None:
        if self._redis is None or time.monotonic() < self._skip_until:
            return None
        return self._redis

    def _failed(self, exc: Exception) -> None:
        self.stats.errors += 1
        self._skip_until = time.monotonic() + BACKOFF_SECONDS
        log.warning("cache unavailable for %.0f s: %s", BACKOFF_SECONDS, exc)

    async def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The cached values of ``keys`` that are present (hits and misses are counted)."""
        if not keys:
            return {}
        raw = await self.get_raw(keys)
        if raw is None:
            self.stats.misses += len(keys)
            return {}
        found = {key: json.loads(value) for key, value in zip(keys, raw, strict=True) if value}
        self.stats.hits += len(found)
        self.stats.misses += len(keys) - len(found)
        return found

    async def get(self, key: str) -> Any | None:
        """The cached value of ``key``, or None."""
        return (await self.get_many([key])).get(key)

    async def set_many(self, values: Mapping[str, Any], *, ttl_seconds: int | None = None) -> None:
        """Store ``values`` (JSON-serialisable) with the TTL; silently skipped when Redis is down."""
        redis = self._available()
        if redis is None or not values:
            return
        ttl = ttl_seconds or self.ttl_seconds
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for key, value in values.items():
                    pipe.set(key, json.dumps(value, separators=(",", ":"), default=str), ex=ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def set(self, key: str, value: Any, *, ttl_seconds: int | None = None) -> None:
        """Store one value."""
        await self.set_many({key: value}, ttl_seconds=ttl_seconds)

    async def get_raw(self, keys: Sequence[str]) -> list[bytes | None] | None:
        """The stored bytes of ``keys`` (None for each absent one), or None when Redis is unset or
        down; not counted in :attr:`stats` (the caller knows what a hit is)."""
        redis = self._available()
        if redis is None:
            return None
        try:
            return cast(list[bytes | None], await redis.mget(list(keys)))
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None

    async def set_raw(
        self,
        key: str,
        value: bytes,
        *,
        ttl: bool = True,
        only_new: bool = False,
        even_if_failing: bool = False,
    ) -> bool:
        """Store ``value`` under ``key`` (with the TTL unless ``ttl`` is False; only if the key is
        absent when ``only_new``); whether it was stored. ``even_if_failing`` tries Redis even
        within the pause after a failure (a write other processes must see)."""
        redis = self._redis if even_if_failing else self._available()
        if redis is None:
            return False
        try:
            stored = await redis.set(key, value, ex=self.ttl_seconds if ttl else None, nx=only_new)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return False
        return bool(stored)

    async def delete(self, keys: Iterable[str]) -> None:
        """Forget ``keys`` (what an event made stale)."""
        redis = self._available()
        keys = list(keys)
        if redis is None or not keys:
            return
        try:
            await redis.delete(*keys)
            self.stats.invalidations += len(keys)
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def close(self) -> None:
        """Close the connection pool."""
        if self._redis is not None:
            try:
                await self._redis.aclose()
            except (RedisError, OSError):  # closing a dead connection
                log.debug("cache close failed", exc_info=True)
