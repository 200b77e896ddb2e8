"""The summary is cached in Redis until an event changes a figure; without Redis it still answers."""

import asyncio
import socket

import httpx
from redis.asyncio import Redis
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dashboard_service.core.cache import summary_cache, summary_key, use_cache
from dashboard_service.core.config import DashboardSettings
from dashboard_service.main import create_app
from dashboard_service.models import Employee
from dashboard_service.services.handlers import read_model_changed
from dashboard_service.services.read_model import table_of
from tb_platform.events.catalog import EmployeeCreated
from tb_platform.testing import api_client, rolled_back
from tb_platform.uow import Actor, unit_of_work

from .conftest import REDIS_URL, Feed, at, employee, event, summary


async def _cached_ttl() -> int:
    cache = summary_cache()
    redis = Redis.from_url(REDIS_URL)
    try:
        return int(await redis.ttl(summary_key(cache)))
    finally:
        await redis.aclose()


async def test_the_summary_is_cached_until_an_event_changes_it(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    feed: Feed,
    connection: AsyncConnection,
    settings: DashboardSettings,
) -> None:
    await feed.apply(event(EmployeeCreated(**employee(1)), time=at(1)))
    assert (await summary(client, admin))["headcount"]["total"] == 1
    assert 0 < await _cached_ttl() <= settings.cache_ttl_seconds

    # A row written behind the handlers' back is not seen: the answer comes from the cache.
    now = at(2)
    await connection.execute(
        insert(table_of(Employee)).values(id=2, status="active", as_of=now, changed_at=now)
    )
    assert (await summary(client, admin))["headcount"]["total"] == 1

    # An event that changes the read model drops the cached summary.
    await feed.apply(event(EmployeeCreated(**employee(3)), time=at(3)))
    assert await _cached_ttl() == -2  # no such key
    assert (await summary(client, admin))["headcount"]["total"] == 3


async def test_a_summary_stored_late_from_the_rows_before_a_change_is_not_served(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    """A request reads the rows, a handler commits a change and drops the key, then the request
    stores what it computed: that entry is of the old version and is not served."""
    await feed.apply(event(EmployeeCreated(**employee(1)), time=at(1)))
    assert (await summary(client, admin))["headcount"]["total"] == 1
    cache = summary_cache()
    stale = await cache.get(summary_key(cache))
    assert stale is not None

    await feed.apply(event(EmployeeCreated(**employee(2)), time=at(2)))
    await cache.set(summary_key(cache), stale)  # the slow request's late write

    assert (await summary(client, admin))["headcount"]["total"] == 2


async def test_an_event_that_changes_nothing_keeps_the_cache(
    client: httpx.AsyncClient, admin: dict[str, str], feed: Feed
) -> None:
    await feed.apply(event(EmployeeCreated(**employee(1)), time=at(2)))
    await summary(client, admin)
    await feed.apply(event(EmployeeCreated(**employee(1)), time=at(1)))  # older: ignored
    assert await _cached_ttl() > 0


async def test_the_key_is_dropped_again_once_the_handlers_unit_commits(
    app: object, connection: AsyncConnection
) -> None:
    """A summary cached between the handler's deletion and its commit (computed from the rows
    before the change) does not survive the commit."""
    cache = summary_cache()
    key = summary_key(cache)
    database = app.state.database  # type: ignore[attr-defined]
    async with unit_of_work(database, actor=Actor.system("tests")) as uow:
        await read_model_changed(uow)
        await cache.set(key, {"stale": True})
        assert await cache.get(key) == {"stale": True}
    for _ in range(100):
        if await cache.get(key) is None:
            break
        await asyncio.sleep(0.01)
    assert await cache.get(key) is None


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_with_redis_down_the_summary_is_still_answered(
    settings: DashboardSettings, admin: dict[str, str]
) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{_dead_port()}/0"})
    previous = summary_cache()
    app = create_app(down)
    try:
        async with rolled_back(app), api_client(app) as client:
            for _ in range(3):
                figures = await summary(client, admin)
                assert figures["headcount"]["total"] == 0
        assert app.state.cache.stats.errors == 1  # tried once, then left alone
    finally:
        await app.state.database.dispose()
        use_cache(previous)  # the app made its cache the process's one
