"""tb_platform.page_cache: an answer is served until a committed write to a table it reads.

Real PostgreSQL and Redis: the writes are seen by the session events every write goes through
(an ORM flush, a Core INSERT/UPDATE/DELETE given to the session), the generation lives in Redis,
and a dead Redis only means "not cached".
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, text, update
from sqlalchemy.orm import registry

from tb_platform.cache import Cache
from tb_platform.db import Database, run_after_commit
from tb_platform.page_cache import PageCache

pytestmark = pytest.mark.asyncio

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
metadata = MetaData(schema="page_cache_test")
watched = Table(
    "watched", metadata, Column("id", Integer, primary_key=True), Column("name", String(50))
)
other = Table(
    "other", metadata, Column("id", Integer, primary_key=True), Column("name", String(50))
)


class Watched:
    """An ORM entity of the watched table (the flush path)."""

    def __init__(self, name: str) -> None:
        self.name = name


registry().map_imperatively(Watched, watched)


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.connect(database_url, pool_size=2, max_overflow=0)
    async with db.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS page_cache_test CASCADE"))
        await connection.execute(text("CREATE SCHEMA page_cache_test"))
        await connection.run_sync(metadata.create_all)
    yield db
    async with db.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA page_cache_test CASCADE"))
    await db.dispose()


@pytest_asyncio.fixture
async def pages() -> AsyncIterator[PageCache]:
    cache = Cache(REDIS_URL, namespace=f"test-{secrets.token_hex(6)}", ttl_seconds=30)
    page_cache = PageCache(cache, name="things", tables=[watched], shape="v1")
    yield page_cache
    await page_cache.close()


async def _cached(pages: PageCache, body: bytes = b'{"items":[]}') -> str:
    """Store ``body`` as a fresh answer; its key."""
    key = pages.key("2026-06-15", "first page")
    lookup = await pages.lookup(key, fresh=True)
    await pages.store(lookup, body)
    assert (await pages.lookup(key)).body == body
    return key


async def _write(database: Database, statement: object, *, commit: bool = True) -> None:
    async with database.sessionmaker() as session:
        await session.execute(statement)  # type: ignore[call-overload]
        if commit:
            await session.commit()
            await run_after_commit(session)
        else:
            await session.rollback()


async def test_an_answer_is_served_until_a_committed_core_write_to_its_table(
    database: Database, pages: PageCache
) -> None:
    key = await _cached(pages)
    assert (await pages.lookup(key, fresh=True)).body is None  # Cache-Control: no-cache

    await _write(database, insert(watched).values(name="lamp"), commit=False)
    assert (await pages.lookup(key)).body is not None, "a rolled-back write changes nothing"

    await _write(database, insert(other).values(name="desk"))
    assert (await pages.lookup(key)).body is not None, "another table's write changes nothing"

    for statement in (
        insert(watched).values(name="lamp"),
        update(watched).values(name="lamp 2"),
        delete(watched),
    ):
        key = await _cached(pages)
        await _write(database, statement)
        assert (await pages.lookup(key)).body is None, statement
    assert (pages.cache.stats.hits, pages.cache.stats.invalidations) >= (4, 3)


async def test_an_orm_flush_makes_the_answers_stale_and_so_does_the_sessions_next_transaction(
    database: Database, pages: PageCache
) -> None:
    async with database.sessionmaker() as session:
        key = await _cached(pages)
        lamp = Watched("lamp")
        session.add(lamp)
        await session.commit()
        await run_after_commit(session)
        assert (await pages.lookup(key)).body is None, "an added entity"

        key = await _cached(pages)
        lamp.name = "brass lamp"
        await session.commit()
        await run_after_commit(session)
        assert (await pages.lookup(key)).body is None, "a changed entity, next transaction"

        key = await _cached(pages)
        await session.delete(lamp)
        await session.commit()
        await run_after_commit(session)
        assert (await pages.lookup(key)).body is None, "a deleted entity"


async def test_a_slow_reader_cannot_store_what_it_read_before_a_write(
    database: Database, pages: PageCache
) -> None:
    key = pages.key("first page")
    await pages.lookup(key)  # a first reader starts the generation
    reader = await pages.lookup(key)  # this reader reads the old rows ...
    await _write(database, insert(watched).values(name="lamp"))  # ... a write commits ...
    await pages.store(reader, b"old rows")  # ... and the old rows arrive late
    assert (await pages.lookup(key)).body is None


async def test_a_new_shape_does_not_read_the_old_shapes_answers(pages: PageCache) -> None:
    key = await _cached(pages)
    newer = PageCache(pages.cache, name="things", tables=[watched], shape="v2")
    assert (await newer.lookup(newer.key("2026-06-15", "first page"))).body is None
    assert key != newer.key("2026-06-15", "first page")


async def test_a_dead_redis_only_means_every_read_is_a_miss(database: Database) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = PageCache(
        Cache(f"redis://127.0.0.1:{port}/0", namespace="test-dead"),
        name="things",
        tables=[watched],
        shape="v1",
    )
    try:
        key = dead.key("first page")
        lookup = await dead.lookup(key)
        assert (lookup.body, lookup.generation) == (None, None)
        await dead.store(lookup, b"rows")
        await _write(
            database, insert(watched).values(name="lamp")
        )  # the invalidation fails quietly
        assert (await dead.lookup(key)).body is None
        assert dead.cache.stats.misses == 2
    finally:
        await dead.close()


async def test_the_generation_does_not_expire_and_a_write_reaches_redis_after_a_hiccup(
    pages: PageCache,
) -> None:
    from redis.asyncio import Redis

    key = await _cached(pages)
    generation_key = pages.cache.key("pages", "things", "generation")
    redis = Redis.from_url(REDIS_URL)
    try:
        assert await redis.ttl(generation_key) == -1  # entries expire, the generation does not
        before = await redis.get(generation_key)
        # This process had a Redis failure a moment ago and leaves Redis alone for a while;
        # a write must still make the pages stale for every other process.
        pages.cache._skip_until = time.monotonic() + 60
        await pages.invalidate()
        assert await redis.get(generation_key) not in (None, before)
        pages.cache._skip_until = 0.0
        assert (await pages.lookup(key)).body is None
    finally:
        await redis.aclose()


async def test_a_shared_generation_key_is_where_the_pages_generation_lives(
    database: Database,
) -> None:
    """Another process (the web app) follows the generation under the shared key: a committed
    write replaces the token there, and the page cache reads its own entries against it."""
    from redis.asyncio import Redis

    from tb_platform.page_cache import shared_generation_key
    from tb_platform.settings import ServiceSettings

    settings = ServiceSettings(
        service_name="things-service", generation_prefix=f"test-gen-{secrets.token_hex(4)}"
    )
    shared = shared_generation_key(settings, "things")
    assert shared == f"{settings.generation_prefix}:things"
    cache = Cache(REDIS_URL, namespace=f"test-{secrets.token_hex(6)}", ttl_seconds=30)
    pages = PageCache(cache, name="things", tables=[watched], shape="v1", generation_key=shared)
    redis = Redis.from_url(REDIS_URL)
    try:
        key = await _cached(pages)
        seen = await redis.get(shared)
        assert seen is not None
        assert await redis.get(cache.key("pages", "things", "generation")) is None

        await _write(database, insert(watched).values(name="new"))

        assert await redis.get(shared) not in (None, seen)
        assert (await pages.lookup(key)).body is None
    finally:
        await redis.delete(shared)
        await redis.aclose()
        await pages.close()


async def test_a_generation_without_tables_changes_only_when_invalidated(
    database: Database,
) -> None:
    from redis.asyncio import Redis

    from tb_platform.page_cache import Generation

    cache = Cache(REDIS_URL, namespace=f"test-{secrets.token_hex(6)}", ttl_seconds=30)
    generation = Generation(cache, key=cache.key("copies"), tables=(), name="copies")
    redis = Redis.from_url(REDIS_URL)
    try:
        await generation.invalidate()
        first = await redis.get(generation.key)
        assert first is not None
        await _write(database, insert(watched).values(name="unwatched here"))
        assert await redis.get(generation.key) == first
        await generation.invalidate()
        assert await redis.get(generation.key) not in (None, first)
    finally:
        await redis.delete(generation.key)
        await redis.aclose()
        await generation.close()
