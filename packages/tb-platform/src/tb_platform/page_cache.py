"""Whole answers of a read (a list page) kept in Redis until a committed write to a table they read.

The first page of a register is read by everyone who opens the screen, thousands of times
between two changes. A :class:`PageCache` answers those reads with one Redis round trip
(``MGET <generation> <entry>``) instead of a transaction, the page's SQL and its rows' validation
and serialisation.

Staleness is ruled out by a *generation*: a random token under one key. An entry is stored with
the generation its reader saw *before* reading the database, and is served only while that is
still the generation. Every committed write to a table the cache watches replaces the
generation, after the commit and before the writer answers: so a client that saw its write
succeed never reads a page from before it, and a slow reader that read the old rows and stores
them late stores them under the old generation, where nobody looks. The writes are seen by the
session events every write of a service goes through (an ORM flush, an INSERT/UPDATE/DELETE
given to ``Session.execute``), in any process of the service (its API, its worker, its CLI),
as long as a :class:`PageCache` watching those tables lives in that process. A write of raw SQL
text, or from outside the service, is not seen: the TTL bounds what it leaves stale, and each
API process starts a new generation when it starts (a migration or a restore happens before).

``Cache-Control: no-cache`` on a request skips the cached entry (the answer is read, and
stored). With Redis down or unset every read is a miss and nothing is stored.

The generation itself is a :class:`Generation`, usable without a page cache: a service whose
data another process caches (the web app's composed answers) keeps one on the tables that data
comes from, under a key shared by every service (``GENERATION_PREFIX``, default
``tb:generation``: ``tb:generation:assets``, ``tb:generation:employees``), and the other process
compares the token it stored an answer under with the current one.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Request, Response
from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from .cache import Cache
from .db import after_commit
from .settings import ServiceSettings

log = logging.getLogger("tb_platform.page_cache")

CACHE_HEADER = "X-Cache"  # "hit" or "miss", for whoever wonders why an answer was fast
_GENERATION_BYTES = 32  # uuid4().hex
# The generations of this process, by the full name of each table they watch.
_WATCHERS: dict[str, weakref.WeakSet[Generation]] = {}
_PENDING = "tb_platform.page_cache.pending"  # the generations a session's transaction made stale


def shared_generation_key(settings: ServiceSettings, name: str) -> str:
    """The key every service and the web app know a generation by: ``<GENERATION_PREFIX>:<name>``."""
    return f"{settings.generation_prefix}:{name}"


class Generation:
    """A random token under ``key`` in Redis, replaced after every committed write to ``tables``
    that this process makes (and when :meth:`invalidate` is called), before the writer answers.

    Whoever keeps something read from those tables notes the token it saw *before* reading, and
    uses what it kept only while the token is still the same.
    """

    def __init__(self, cache: Cache, *, key: str, tables: Iterable[Table], name: str) -> None:
        self.cache = cache
        self.key = key
        self.name = name
        self.tables = tuple(table.fullname for table in tables)
        for table in self.tables:
            _WATCHERS.setdefault(table, weakref.WeakSet()).add(self)

    async def invalidate(self) -> None:
        """Start a new generation. Tried even while this process leaves a failing Redis alone:
        other processes may be reading it fine."""
        generation = uuid.uuid4().hex.encode()
        if await self.cache.set_raw(self.key, generation, ttl=False, even_if_failing=True):
            self.cache.stats.invalidations += 1
        elif self.cache.enabled:
            log.warning(
                "the %s generation could not be replaced (Redis unavailable): what other "
                "processes keep of it may be used for up to %d s",
                self.name,
                self.cache.ttl_seconds,
            )

    async def close(self) -> None:
        await self.cache.close()


@dataclass(frozen=True)
class Lookup:
    """What :meth:`PageCache.lookup` found: the cached body, if any, and the generation under
    which a body read now may be stored (None: do not store)."""

    key: str
    body: bytes | None
    generation: bytes | None


class PageCache:
    """Answers (JSON bytes) of one kind, e.g. ``assets`` pages, stale once ``tables`` change.

    ``shape`` names the answer's format (e.g. a hash of its JSON schema): entries written by a
    version of the service with another shape are not read.
    """

    def __init__(
        self,
        cache: Cache,
        *,
        name: str,
        tables: Iterable[Table],
        shape: str,
        generation_key: str | None = None,
    ) -> None:
        """``generation_key``: where the generation lives (:func:`shared_generation_key` when
        other processes follow it too); by default a key of the cache's own namespace."""
        self.cache = cache
        self.name = name
        self.generation = Generation(
            cache,
            key=generation_key or cache.key("pages", name, "generation"),
            tables=tables,
            name=name,
        )
        self._prefix = cache.key("pages", name, shape)

    def key(self, *parts: Any) -> str:
        """The entry's key for a read described by ``parts`` (its date, filters, paging, scope:
        everything the answer depends on; their ``repr`` must say it all, as dataclasses do)."""
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        return f"{self._prefix}:{digest}"

    async def lookup(self, key: str, *, fresh: bool = False) -> Lookup:
        """The cached answer of ``key`` (unless ``fresh`` is asked) and the generation to store
        a new one under."""
        stats = self.cache.stats
        found = await self.cache.get_raw([self.generation.key, key])
        if found is None:  # Redis unset or down
            stats.misses += 1
            return Lookup(key, None, None)
        generation, entry = found
        if generation is None:
            # No generation yet (a new Redis, or it was evicted): start one. Entries from before
            # carry another token, so none of them can match it.
            generation = uuid.uuid4().hex.encode()
            started = await self.cache.set_raw(
                self.generation.key, generation, ttl=False, only_new=True
            )
            if not started:
                generation = None  # another process started it first: store nothing this time
        elif entry is not None and not fresh and entry[:_GENERATION_BYTES] == generation:
            stats.hits += 1
            return Lookup(key, entry[_GENERATION_BYTES:], generation)
        stats.misses += 1
        return Lookup(key, None, generation)

    async def store(self, lookup: Lookup, body: bytes) -> None:
        """Keep ``body`` as the answer of the lookup's key, under the generation it saw."""
        if lookup.generation is not None:
            await self.cache.set_raw(lookup.key, lookup.generation + body)

    async def invalidate(self) -> None:
        """Make every cached answer stale (a new generation)."""
        await self.generation.invalidate()

    async def respond(
        self,
        request: Request,
        response: Response,
        key: str,
        read: Callable[[], Awaitable[bytes]],
    ) -> Response:
        """The answer of ``key``: from the cache, else ``read()`` (the JSON body), then cached.

        ``response`` is the endpoint's own (its headers, e.g. the request id, are kept).
        """
        fresh = "no-cache" in request.headers.get("cache-control", "").lower()
        lookup = await self.lookup(key, fresh=fresh)
        if lookup.body is not None:
            body, outcome = lookup.body, "hit"
        else:
            body, outcome = await read(), "miss"
            await self.store(lookup, body)
        answer = Response(body, media_type="application/json")
        answer.headers.update(response.headers)
        answer.headers[CACHE_HEADER] = outcome
        return answer

    async def close(self) -> None:
        await self.cache.close()


def _written(session: Session, tables: Iterable[Any]) -> None:
    """Note the generations that watch ``tables``: they are replaced once ``session`` commits."""
    pending: set[Generation] = session.info.setdefault(_PENDING, set())
    for table in tables:
        for generation in list(_WATCHERS.get(getattr(table, "fullname", ""), ())):
            if generation not in pending:
                pending.add(generation)
                # AsyncSession.info is its sync session's info: the hook runs after the
                # unit of work's commit, before the answer (tb_platform.db.after_commit).
                after_commit(cast(Any, session), generation.invalidate)


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if changed and _WATCHERS:
        _written(session, {obj.__table__ for obj in changed if hasattr(obj, "__table__")})


def _do_orm_execute(state: ORMExecuteState) -> None:
    if _WATCHERS and (state.is_insert or state.is_update or state.is_delete):
        _written(state.session, [getattr(state.statement, "table", None)])


def _after_commit(session: Session) -> None:
    # The hooks registered for this transaction have been handed over (run_after_commit pops
    # them): the next transaction of the session registers its own.
    session.info.pop(_PENDING, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _do_orm_execute)
event.listen(Session, "after_commit", _after_commit)
