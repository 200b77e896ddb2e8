"""Token revocation: a version per employee, carried in the token (``ver``), checked by every service.

The employee service keeps ``token_version`` on each employee and bumps it, in the unit of work of
the change, when the employee is terminated, their roles change or their password is set, changed
or removed. Login signs the current version into the token (claim ``ver``). After the commit the
employee service writes the version to Redis under ``<TOKEN_VERSION_PREFIX>:<employee_id>``
(default ``tb:token-version:<id>``); login writes it too, so the key of anyone holding a token
lives as long as the token (TTL: the token's TTL plus a minute, renewed by each write). Writes only
ever raise the stored value (a small Lua script), so a login or a re-put racing a bump cannot
bring an old version back.

Every service's auth dependency (:data:`tb_platform.security.CurrentPrincipal`) refuses, with 401
``token_revoked``, a token whose ``ver`` is below the current version:

- The current version is read from Redis through an in-process cache of at most
  :data:`CACHE_SECONDS` (0.5 s): a revoked token is refused by every service within about half a
  second, at the cost of one Redis GET per employee per half second per process.
- Key missing (Redis lost its data, or the token was not issued by login): the *source* is asked
  once and puts it back — in the employee service its own database, elsewhere the employee
  service's ``GET /api/v1/auth/token-version``, authenticated with the caller's own token (it
  answers only that token's employee, so it needs no service credentials and reveals nothing).
- Redis unreachable: the source is asked the same way, and its answer kept for
  :data:`DEGRADED_CACHE_SECONDS` (5 s) so that an outage does not become a flood of calls.
- Source unreachable too: **fail open** — the token is accepted (its signature, issuer, audience
  and expiry were checked), and the miss is kept for the degraded period. Fail closed would turn
  an outage of Redis into a log-out of everyone from every service (the web app would loop on the
  sign-in page); failing open bounds the exposure of a revoked token by the token's life, at most
  JWT_TTL_SECONDS (1 h), and only while both Redis and the employee service are out of reach.

A token without ``ver`` (issued before this check existed) counts as version 0: accepted until the
employee's first bump, refused after it, so deploying needs nobody to sign in again. A token
without ``employee_id`` (a service token, ``sub`` ``system:<service>``) has no version to compare.
Without REDIS_URL the check is off (every deployment has Redis: it carries the events).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .errors import Unauthorized
from .security import Principal
from .settings import ServiceSettings

log = logging.getLogger("tb_platform.token_versions")

CACHE_SECONDS = 0.5
DEGRADED_CACHE_SECONDS = 5.0
# How long a failed Redis is left alone before the next try (as the cache does).
BACKOFF_SECONDS = 5.0
TIMEOUT_SECONDS = 0.25
MAX_ENTRIES = 10_000
# A stored version outlives the tokens that carry it by this much.
KEY_MARGIN_SECONDS = 60
TOKEN_VERSION_PATH = "api/v1/auth/token-version"  # noqa: S105 (a path, not a secret)

VersionSource = Callable[[Principal], Awaitable[int | None]]
"""Where the current version comes from when Redis does not have it: None when it cannot say."""

# SET the key to ARGV[1] unless it already holds a greater version; the same version only has its
# TTL renewed. A greater one is left to expire on its own: it was set with its own TTL by the bump
# that raced this write, or it is a leftover of a database that was reset (dev), which must not
# lock people out for longer than one TTL.
_RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]))
local wanted = tonumber(ARGV[1])
if current == nil or current < wanted then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return wanted
end
if current == wanted then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return current
"""


class TokenRevoked(Unauthorized):
    """The token was issued before the employee's current token version (401 ``token_revoked``)."""

    def __init__(self) -> None:
        super().__init__("This token has been revoked; sign in again", code="token_revoked")


@dataclass
class TokenVersionStats:
    """What the check did since the process started (for the metrics endpoint and the tests)."""

    local_hits: int = 0
    redis_hits: int = 0
    source_calls: int = 0
    unknown: int = 0
    redis_errors: int = 0
    revoked: int = 0


class TokenVersions:
    """The current token version of each employee: Redis, a short in-process cache, a source."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str,
        key_ttl_seconds: int,
        source: VersionSource | None = None,
        cache_seconds: float = CACHE_SECONDS,
        degraded_cache_seconds: float = DEGRADED_CACHE_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_seconds > CACHE_SECONDS:
            raise ValueError(f"the in-process cache may keep a version {CACHE_SECONDS} s at most")
        self.prefix = prefix
        self.key_ttl_seconds = key_ttl_seconds
        self.source = source
        self.cache_seconds = cache_seconds
        self.degraded_cache_seconds = degraded_cache_seconds
        self.max_entries = max_entries
        self.stats = TokenVersionStats()
        self._clock = clock
        self._redis = Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )
        self._raise_to = self._redis.register_script(_RAISE_TO)
        # employee id -> (monotonic time the entry expires, version or None when unknown)
        self._local: OrderedDict[int, tuple[float, int | None]] = OrderedDict()
        self._skip_until = 0.0
        self._closers: list[Callable[[], Awaitable[None]]] = []

    @classmethod
    def from_settings(
        cls, settings: ServiceSettings, *, source: VersionSource | None = None
    ) -> TokenVersions | None:
        """The check of a service, or None without REDIS_URL. ``source`` defaults to asking the
        employee service (``EMPLOYEE_SERVICE_URL``, http://127.0.0.1:8001 when unset)."""
        if not settings.redis_url:
            return None
        versions = cls(
            settings.redis_url,
            prefix=settings.token_version_prefix,
            key_ttl_seconds=settings.jwt_ttl_seconds + KEY_MARGIN_SECONDS,
        )
        if source is None:
            client = httpx.AsyncClient(base_url=settings.employee_service_url, timeout=1.0)
            versions._closers.append(client.aclose)
            source = employee_service_source(client)
        versions.source = source
        return versions

    def key(self, employee_id: int) -> str:
        """The Redis key of an employee's version: ``tb:token-version:5``."""
        return f"{self.prefix}:{employee_id}"

    @property
    def cached_entries(self) -> int:
        """How many employees the in-process cache holds (never more than ``max_entries``)."""
        return len(self._local)

    async def check(self, principal: Principal) -> None:
        """Refuse (401 ``token_revoked``) a token older than its employee's current version."""
        if principal.employee_id is None:
            return
        current = await self.current(principal)
        if current is not None and principal.token_version < current:
            self.stats.revoked += 1
            raise TokenRevoked()

    async def current(self, principal: Principal) -> int | None:
        """The current version of the token's employee; None when nobody can say (fail open)."""
        employee_id = principal.employee_id
        if employee_id is None:
            return None
        now = self._clock()
        entry = self._local.get(employee_id)
        if entry is not None and entry[0] > now:
            self.stats.local_hits += 1
            self._local.move_to_end(employee_id)
            return entry[1]
        version, redis_ok = await self._read(employee_id)
        if version is not None:
            self.stats.redis_hits += 1
        else:
            version = await self._ask_source(principal)
            if version is not None and redis_ok:
                await self.store({employee_id: version})
        exact = redis_ok and version is not None
        self._remember(
            employee_id, version, self.cache_seconds if exact else self.degraded_cache_seconds
        )
        return version

    async def store(self, versions: Mapping[int, int]) -> None:
        """Write versions to Redis, never lowering one; a Redis failure is logged, not raised."""
        if not versions:
            return
        try:
            for employee_id, version in versions.items():
                await self._raise_to(
                    keys=[self.key(employee_id)], args=[version, self.key_ttl_seconds]
                )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            log.error("token versions not written to Redis (%s): %s", dict(versions), exc)
            return
        # This process sees its own change at once.
        for employee_id in versions:
            self._local.pop(employee_id, None)

    def forget(self) -> None:
        """Empty the in-process cache."""
        self._local.clear()

    async def close(self) -> None:
        """Close the Redis connection pool and the source's HTTP client."""
        for closer in self._closers:
            await closer()
        try:
            await self._redis.aclose()
        except (RedisError, OSError):  # closing a dead connection
            log.debug("token version store close failed", exc_info=True)

    async def _read(self, employee_id: int) -> tuple[int | None, bool]:
        if self._clock() < self._skip_until:
            return None, False
        try:
            raw = await self._redis.get(self.key(employee_id))
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None, False
        try:
            return (int(raw) if raw is not None else None), True
        except ValueError:
            return None, True

    async def _ask_source(self, principal: Principal) -> int | None:
        if self.source is None:
            self.stats.unknown += 1
            return None
        self.stats.source_calls += 1
        try:
            version = await self.source(principal)
        except Exception as exc:  # any failure of the source means "cannot say"
            log.warning("token version of employee %s unknown: %s", principal.employee_id, exc)
            version = None
        if version is None:
            self.stats.unknown += 1
        return version

    def _remember(self, employee_id: int, version: int | None, seconds: float) -> None:
        self._local[employee_id] = (self._clock() + seconds, version)
        self._local.move_to_end(employee_id)
        while len(self._local) > self.max_entries:
            self._local.popitem(last=False)

    def _failed(self, exc: Exception) -> None:
        self.stats.redis_errors += 1
        self._skip_until = self._clock() + BACKOFF_SECONDS
        log.warning("token versions: Redis unavailable for %.0f s: %s", BACKOFF_SECONDS, exc)


def employee_service_source(client: httpx.AsyncClient) -> VersionSource:
    """Ask the employee service for the version of the token's own employee, with that token."""

    async def ask(principal: Principal) -> int | None:
        response = await client.get(
            TOKEN_VERSION_PATH, headers={"Authorization": f"Bearer {principal.token}"}
        )
        if response.status_code != 200:
            log.warning("employee service answered %s for a token version", response.status_code)
            return None
        body: Any = response.json()
        version = body.get("token_version") if isinstance(body, dict) else None
        return version if isinstance(version, int) and not isinstance(version, bool) else None

    return ask
