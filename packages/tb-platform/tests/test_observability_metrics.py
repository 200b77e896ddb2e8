"""``GET /metrics``: what the cluster's Prometheus reads from every service, under the names the
dashboards and alerts use — requests by route template, the database pool, the outbox, the
consumers' lag, the dead letters, the cache."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from conftest import REDIS_URL, EventEnv
from fastapi import APIRouter, Depends, FastAPI
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, update

from tb_platform.app import create_service_app
from tb_platform.cache import Cache
from tb_platform.events.rabbitmq import RabbitMqTransport
from tb_platform.events.redis_streams import RedisStreamsTransport
from tb_platform.events.transport import Transport
from tb_platform.events.worker import WorkerSpec
from tb_platform.observability.lag import RabbitMqLagProbe, RedisLagProbe
from tb_platform.rbac import PUBLIC
from tb_platform.settings import ServiceSettings
from tb_platform.testing.harness import api_client
from tb_platform.uow import UnitOfWork, unit_of_work_dependency

pytestmark = pytest.mark.asyncio

NOWHERE = "postgresql://nobody@127.0.0.1:1/nothing"  # a database that is not there


def _router() -> APIRouter:
    router = APIRouter(prefix="/things", dependencies=[PUBLIC])

    @router.get("/{thing_id}")
    async def read_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise RuntimeError("a bug")
        return {"id": thing_id}

    return router


def _app(
    database_url: str = NOWHERE,
    *,
    worker: WorkerSpec | None = None,
    routers: list[APIRouter] | None = None,
    **options: Any,
) -> FastAPI:
    settings = ServiceSettings(
        service_name="thing-service", environment="test", database_url=database_url, **options
    )
    return create_service_app(
        settings=settings,
        title="Things",
        description="Things to count.",
        routers=routers or [_router()],
        worker=worker,
    )


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = _app()
    async with api_client(app) as http:
        yield http


async def scrape(client: httpx.AsyncClient) -> dict[str, Metric]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def value(
    families: dict[str, Metric], family: str, sample: str | None = None, **labels: str
) -> float | None:
    """The value of the sample of ``family`` (named ``sample``, default the family's own name)
    whose labels include ``labels``; None when there is none."""
    found = (
        [
            s.value
            for s in families[family].samples
            if s.name == (sample or family) and labels.items() <= s.labels.items()
        ]
        if family in families
        else []
    )
    assert len(found) <= 1, found
    return found[0] if found else None


async def test_requests_are_counted_and_timed_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    for thing in (1, 2, 3):
        assert (await client.get(f"/api/v1/things/{thing}")).status_code == 200
    assert (await client.get("/api/v1/things/x")).status_code == 422
    with pytest.raises(RuntimeError):  # the test client re-raises what the server answers 500
        await client.get("/api/v1/things/0")

    families = await scrape(client)
    route = "/api/v1/things/{thing_id}"
    labels = {"service": "thing-service", "method": "GET", "route": route}
    assert value(families, "http_requests", "http_requests_total", **labels, status="200") == 3
    assert value(families, "http_requests", "http_requests_total", **labels, status="422") == 1
    assert value(families, "http_requests", "http_requests_total", **labels, status="500") == 1
    duration = "http_request_duration_seconds"
    assert value(families, duration, f"{duration}_count", **labels, status="200") == 3
    assert value(families, duration, f"{duration}_bucket", **labels, status="200", le="10.0") == 3
    assert value(families, duration, f"{duration}_bucket", **labels, status="200", le="+Inf") == 3
    total = value(families, duration, f"{duration}_sum", **labels, status="200")
    assert total is not None
    assert 0 < total < 10
    # No series is named after a raw path.
    paths = {s.labels.get("route") for f in families.values() for s in f.samples}
    assert not any(path and "/things/1" in path for path in paths)

    await client.get("/api/v1/things/4")
    again = await scrape(client)
    assert value(again, "http_requests", "http_requests_total", **labels, status="200") == 4
    assert value(again, duration, f"{duration}_count", **labels, status="200") == 4


async def test_unknown_paths_share_one_series_instead_of_one_each(
    client: httpx.AsyncClient,
) -> None:
    for n in range(25):
        assert (await client.get(f"/wp-admin/{n}/setup.php")).status_code == 404

    families = await scrape(client)
    routes = {
        s.labels["route"]
        for s in families["http_requests"].samples
        if s.labels.get("status") == "404"
    }
    assert routes == {"unmatched"}
    assert value(families, "http_requests", "http_requests_total", route="unmatched") == 25


async def test_metrics_need_no_token_and_stay_out_of_the_api_documentation(
    client: httpx.AsyncClient,
) -> None:
    families = await scrape(client)  # no Authorization header
    assert "process_resident_memory_bytes" in families
    assert "process_cpu_seconds" in families
    schema = (await client.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
    assert "/api/v1/things/{thing_id}" in schema["paths"]


async def test_every_response_carries_a_request_id_and_the_callers_is_kept(
    client: httpx.AsyncClient,
) -> None:
    given = await client.get("/api/v1/things/1", headers={"X-Request-ID": "bff-7f3a"})
    assert given.headers["X-Request-ID"] == "bff-7f3a"
    made = [(await client.get("/api/v1/things/1")).headers["X-Request-ID"] for _ in range(2)]
    assert made[0] != made[1]
    # An id nobody can safely log is replaced.
    odd = await client.get("/api/v1/things/1", headers={"X-Request-ID": "a b\tc"})
    assert odd.headers["X-Request-ID"] not in ("a b\tc", made[0], made[1])


async def test_the_unit_of_work_uses_the_request_id_of_the_logs(database_url: str) -> None:
    router = APIRouter(prefix="/ids", dependencies=[PUBLIC])
    uow_dependency = unit_of_work_dependency(None)

    @router.get("")
    async def request_id(uow: UnitOfWork = Depends(uow_dependency, scope="function")) -> str:
        return uow.request_id

    app = _app(database_url, routers=[router])
    try:
        async with api_client(app) as http:
            response = await http.get("/api/v1/ids")
    finally:
        await app.state.database.dispose()
    assert response.json() == response.headers["X-Request-ID"]
    assert response.headers.get_list("X-Request-ID") == [response.json()]


async def test_each_app_counts_its_own_requests() -> None:
    first, second = _app(), _app()
    async with api_client(first) as one, api_client(second) as two:
        await one.get("/api/v1/things/1")
        await one.get("/api/v1/things/1")
        await two.get("/api/v1/things/1")
        route = {"route": "/api/v1/things/{thing_id}", "status": "200"}
        assert value(await scrape(one), "http_requests", "http_requests_total", **route) == 2
        assert value(await scrape(two), "http_requests", "http_requests_total", **route) == 1


async def test_the_pool_gauges_follow_the_connections_in_use(database_url: str) -> None:
    app = _app(database_url, db_pool_size=3)
    try:
        async with api_client(app) as http:
            idle = await scrape(http)
            assert value(idle, "db_pool_size") == 3
            assert value(idle, "db_pool_connections_in_use") == 0
            async with app.state.database.engine.connect(), app.state.database.engine.connect():
                busy = await scrape(http)
            assert value(busy, "db_pool_connections_in_use") == 2
    finally:
        await app.state.database.dispose()


@pytest_asyncio.fixture
async def events_app(env: EventEnv, database_url: str) -> AsyncIterator[FastAPI]:
    app = _app(database_url, worker=WorkerSpec(tables=env.tables))
    yield app
    await app.state.database.dispose()


async def test_the_outbox_backlog_and_the_age_of_its_oldest_event(
    env: EventEnv, events_app: FastAPI
) -> None:
    async with api_client(events_app) as http:
        empty = await scrape(http)
        assert value(empty, "outbox_backlog_events", service="thing-service") == 0
        assert value(empty, "outbox_oldest_unpublished_age_seconds") == 0

        for n in (1, 2, 3):
            await env.hire(n)
        outbox = env.tables.outbox
        async with env.database.engine.begin() as connection:
            # The first event waits since five minutes ago; the third has been published.
            await connection.execute(
                update(outbox)
                .where(outbox.c.subject == "1")
                .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
            )
            await connection.execute(
                update(outbox)
                .where(outbox.c.subject == "3")
                .values(published_at=dt.datetime.now(dt.UTC))
            )
        waiting = await scrape(http)
        assert value(waiting, "outbox_backlog_events") == 2
        age = value(waiting, "outbox_oldest_unpublished_age_seconds")
        assert age is not None
        assert 300 <= age < 360

        async with env.database.engine.begin() as connection:
            await connection.execute(update(outbox).values(published_at=dt.datetime.now(dt.UTC)))
        published = await scrape(http)
        assert value(published, "outbox_backlog_events") == 0
        assert value(published, "outbox_oldest_unpublished_age_seconds") == 0


async def test_dead_letters_are_counted_until_replayed(env: EventEnv, events_app: FastAPI) -> None:
    table = env.tables.dead_letters
    async with env.database.engine.begin() as connection:
        for n in range(2):
            await connection.execute(
                insert(table).values(
                    consumer="test.applier",
                    type="employee.created",
                    payload={"n": n},
                    error="RuntimeError: broken",
                    attempts=5,
                )
            )
    async with api_client(events_app) as http:
        assert value(await scrape(http), "event_dead_letters", service="thing-service") == 2
        async with env.database.engine.begin() as connection:
            await connection.execute(
                update(table)
                .where(table.c.payload["n"].as_integer() == 0)
                .values(replayed_at=dt.datetime.now(dt.UTC))
            )
        assert value(await scrape(http), "event_dead_letters") == 1


async def test_with_the_database_down_the_scrape_still_answers_the_rest(
    env: EventEnv, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(NOWHERE, worker=WorkerSpec(tables=env.tables))
    async with api_client(app) as http:
        await http.get("/api/v1/things/1")
        families = await scrape(http)
        await scrape(http)
    assert value(families, "http_requests", "http_requests_total", status="200") == 1
    assert "db_pool_size" in families
    assert "outbox_backlog_events" not in families
    assert "event_dead_letters" not in families
    # Said once, not at every scrape.
    warnings = [r for r in caplog.records if "left out of the scrape" in r.getMessage()]
    assert len(warnings) == 1


async def test_cache_hits_and_misses_are_counted_per_cache(client: httpx.AsyncClient) -> None:
    app: Any = client._transport.app  # type: ignore[attr-defined]
    namespace = f"tb-test-{secrets.token_hex(6)}"
    cache = app.state.cache = Cache(REDIS_URL, namespace=namespace, name="things")
    try:
        assert await cache.get(cache.key("thing", 1)) is None
        await cache.set(cache.key("thing", 1), {"name": "one"})
        assert await cache.get(cache.key("thing", 1)) == {"name": "one"}
        assert await cache.get_many([cache.key("thing", 1), cache.key("thing", 2)]) == {
            cache.key("thing", 1): {"name": "one"}
        }
        families = await scrape(client)
        labels = {"service": "thing-service", "cache": "things"}
        assert (
            value(families, "cache_requests", "cache_requests_total", **labels, result="hit") == 2
        )
        assert (
            value(families, "cache_requests", "cache_requests_total", **labels, result="miss") == 2
        )
    finally:
        await cache.delete([cache.key("thing", 1)])
        await cache.close()


async def _lag_probe(transport: Transport) -> Any:
    if isinstance(transport, RedisStreamsTransport):
        return RedisLagProbe(REDIS_URL, stream=transport.stream)
    assert isinstance(transport, RabbitMqTransport)
    return RabbitMqLagProbe(transport.url, exchange=transport.exchange_name)


async def test_consumer_lag_counts_the_events_the_group_has_not_handled(
    env: EventEnv, transport: Transport, database_url: str
) -> None:
    consumer = env.consumer(transport)
    spec = WorkerSpec(tables=env.tables, consumers={consumer.name: [env.handler()]})
    app = _app(database_url, worker=spec)
    app.state.metrics.lag_probe = await _lag_probe(transport)
    try:
        async with api_client(app) as http:
            # The group does not exist yet: no series rather than a made-up zero.
            assert value(await scrape(http), "event_consumer_lag_events") is None
            await consumer.declare()
            for n in (1, 2, 3):
                await transport.publish(await env.hire(n))
            lagging = await scrape(http)
            assert value(lagging, "event_consumer_lag_events", consumer=consumer.name) == 3

            deliveries = transport.subscribe(consumer.name, "tests", consumer.types)
            delivery = await anext(deliveries)
            await consumer.handle(delivery)
            await deliveries.aclose()
            caught_up = await scrape(http)
            assert value(caught_up, "event_consumer_lag_events", consumer=consumer.name) == 2
    finally:
        await app.state.metrics.close()
        await app.state.database.dispose()


async def test_a_service_adds_its_own_metrics_read_at_each_scrape() -> None:
    reads: list[str] = []

    async def receipts(app: FastAPI, service: str) -> list[Metric]:
        reads.append(service)
        family = GaugeMetricFamily("receipts", "Receipts by status", labels=["service", "status"])
        family.add_metric([service, "sent"], len(reads))
        return [family]

    async def broken(app: FastAPI, service: str) -> list[Metric]:
        raise RuntimeError("its table is gone")

    settings = ServiceSettings(
        service_name="thing-service", environment="test", database_url=NOWHERE
    )
    app = create_service_app(
        settings=settings, title="T", description="D", routers=[], metrics=[receipts, broken]
    )
    async with api_client(app) as http:
        await scrape(http)
        families = await scrape(http)
    assert value(families, "receipts", service="thing-service", status="sent") == 2
