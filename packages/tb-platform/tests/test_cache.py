"""The Redis cache: values come back until deleted or expired; a dead Redis is only a miss."""

import asyncio
import os
import socket
import time
import uuid

import pytest

from tb_platform.cache import Cache

pytestmark = pytest.mark.asyncio

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_values_come_back_until_deleted_and_are_counted() -> None:
    cache = Cache(REDIS_URL, namespace=f"test-{uuid.uuid4().hex}", ttl_seconds=30)
    try:
        one, two = cache.key("employee", 1), cache.key("employee", 2)
        assert await cache.get_many([one, two]) == {}
        await cache.set_many({one: {"id": 1, "name": "Ada"}, two: {"id": 2}})
        assert await cache.get_many([one, two]) == {one: {"id": 1, "name": "Ada"}, two: {"id": 2}}
        await cache.delete([one])
        assert await cache.get_many([one, two]) == {two: {"id": 2}}
        assert (cache.stats.hits, cache.stats.misses, cache.stats.invalidations) == (3, 3, 1)
        await cache.delete([two])
    finally:
        await cache.close()


async def test_entries_expire_after_their_ttl() -> None:
    cache = Cache(REDIS_URL, namespace=f"test-{uuid.uuid4().hex}", ttl_seconds=1)
    try:
        await cache.set(cache.key("summary"), {"total": "10.00"})
        assert await cache.get(cache.key("summary")) == {"total": "10.00"}
        await asyncio.sleep(1.3)
        assert await cache.get(cache.key("summary")) is None
    finally:
        await cache.close()


async def test_a_dead_redis_answers_uncached_fast_and_is_not_retried_on_every_call() -> None:
    cache = Cache(f"redis://127.0.0.1:{_dead_port()}/0", namespace="test-dead")
    started = time.monotonic()
    for _ in range(50):
        await cache.set(cache.key("x"), 1)
        assert await cache.get(cache.key("x")) is None
        await cache.delete([cache.key("x")])
    assert time.monotonic() - started < 2.0
    assert cache.stats.errors == 1  # one failure, then Redis is left alone for a while
    assert cache.stats.misses == 50
    await cache.close()


async def test_without_a_url_the_cache_is_off() -> None:
    cache = Cache(None, namespace="off")
    await cache.set(cache.key("x"), 1)
    assert await cache.get(cache.key("x")) is None
    assert not cache.enabled
